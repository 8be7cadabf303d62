"""The nine Ordos banners/districts (旗区) and the short forms staff write for them.

STANDARD mirrors config org.districts (a test keeps them equal). Only official names and
short forms live here; the intents package keeps its own gazetteer of towns.
"""
from __future__ import annotations

import re
import unicodedata

STANDARD: tuple[str, ...] = ("东胜区", "康巴什区", "达拉特旗", "准格尔旗", "鄂托克前旗",
                             "鄂托克旗", "杭锦旗", "乌审旗", "伊金霍洛旗")

# short form -> official name
SHORT_FORMS: dict[str, str] = {
    "东胜": "东胜区",
    "康巴什": "康巴什区", "康巴什新区": "康巴什区", "康区": "康巴什区",
    "达旗": "达拉特旗", "达拉特": "达拉特旗",
    "准旗": "准格尔旗", "准格尔": "准格尔旗",
    "鄂前旗": "鄂托克前旗", "前旗": "鄂托克前旗", "鄂托克前": "鄂托克前旗",
    "鄂旗": "鄂托克旗", "鄂托克": "鄂托克旗",
    "杭旗": "杭锦旗", "杭锦": "杭锦旗",
    "乌审": "乌审旗",
    "伊旗": "伊金霍洛旗", "伊金霍洛": "伊金霍洛旗",
}

_PREFIX = re.compile(r"^(内蒙古(自治区)?)?(鄂尔多斯市?)?")
_SPACES = re.compile(r"[\s\u200b\ufeff]+")


def normalize_district(text: str) -> str | None:
    """Official name for a full name or short form (鄂尔多斯市达旗 -> 达拉特旗), else None."""
    key = _PREFIX.sub("", _SPACES.sub("", unicodedata.normalize("NFKC", text or "")))
    if key in STANDARD:
        return key
    return SHORT_FORMS.get(key)
