"""The short keyword values of a template message or 订阅通知, under WeChat's rules since 2023-05-04.

WeChat no longer shows `first` and `remark`, shows no colours or emoji, shows each keyword value on one line cut
at 20 characters, and the whole content may not exceed 200. So a message is told in a `Brief`: a few short values
by meaning (subject, number, state, time, detail; wechat.template_fields names each template's keywords), cut here
with their meaning kept — numbers, dates and receipt numbers get fields of their own and are never cut — while
the full text is behind the message's link (bot/signed_links.notice_url).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Mapping

from bot.config import TemplateFields

KEYWORD_MAX = 20          # characters shown per keyword value
STATE_MAX = 5             # a 订阅通知 `phrase` keyword: at most 5 characters
CONTENT_MAX = 200         # the whole content
FIELDS = ("subject", "number", "state", "time", "detail")
HIDDEN_KEYS = ("first", "remark")  # not shown since 2023-05-04: never used for content
ELLIPSIS = "…"

# Emoji and pictographs (shown as □ by WeChat), variation selectors and joiners.
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0000FE0F\U0000200D\U00002B00-\U00002BFF"
                    "\U0001F1E6-\U0001F1FF\U000E0020-\U000E007F]")
_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Emoji removed, line breaks and runs of spaces as one space."""
    return _SPACE.sub(" ", _EMOJI.sub("", str(text))).strip()


def cut(text: str, limit: int = KEYWORD_MAX) -> str:
    """One line of at most `limit` characters; a longer one ends in … (ours: WeChat's own cut is not relied on)."""
    line = one_line(text)
    return line if len(line) <= limit else line[:limit - 1].rstrip(" ，,、：:（(《") + ELLIPSIS


def title_subject(label: str, title: str) -> str:
    """'label《title》' within 20 characters: the title is shortened, the label kept whole."""
    room = KEYWORD_MAX - len(label) - 2
    return cut(f"{label}《{cut(title, max(room, 2))}》") if room > 2 else cut(label)


def brief(subject: str, *, number: str = "", state: str = "", time: str = "", detail: str = "") -> dict[str, str]:
    """A Brief with every value cut to the rules (empty values left out)."""
    values = {"subject": cut(subject), "number": cut(number), "state": cut(state, STATE_MAX), "time": cut(time),
              "detail": cut(detail)}
    return {key: value for key, value in values.items() if value}


def from_text(text: str, when: datetime) -> dict[str, str]:
    """The Brief of a message enqueued with text only: its first line as subject, and the time."""
    first = next((line for line in str(text).splitlines() if line.strip()), "")
    return brief(first, time=f"{when:%Y-%m-%d %H:%M}")


def data_for(values: Mapping[str, str], fields: TemplateFields) -> dict[str, dict[str, str]]:
    """Template `data` ({keyword: {"value": …}}) of a Brief, in the configured keywords ("" = left out)."""
    names = fields.model_dump()
    return {names[key]: {"value": value} for key, value in values.items() if names.get(key)}


def problems(data: Mapping[str, Any]) -> list[str]:
    """Why a template payload's data breaks the current rules (empty = fine). Tests check every payload."""
    found = [f"{key}: not shown since 2023-05-04" for key in data if key in HIDDEN_KEYS]
    total = 0
    for key, item in data.items():
        value = item.get("value", "") if isinstance(item, Mapping) else str(item)
        if isinstance(item, Mapping) and "color" in item:
            found.append(f"{key}: colours are not shown")
        if len(value) > KEYWORD_MAX:
            found.append(f"{key}: {len(value)} characters (> {KEYWORD_MAX})")
        if value != one_line(value):
            found.append(f"{key}: not one line, or emoji")
        total += len(value)
    if total > CONTENT_MAX:
        found.append(f"content: {total} characters (> {CONTENT_MAX})")
    return found
