"""intents.activity_titles: which activity a member's words name (pure, no database)."""
from __future__ import annotations

import pytest

from intents.activity_titles import names_activity


@pytest.mark.parametrize("reference, title, kind", [
    ("读书分享会", "读书分享会", "读书分享会"),     # the whole title
    ("读书会", "读书分享会", "读书分享会"),          # an abbreviation, in order
    ("协商会", "生态环境专题协商会", "专题协商会"),  # a shared 3+ character core
    ("分享会", "读书分享会", "读书分享会"),
    ("视察", "黄河流域生态保护视察", "视察"),         # the kind
    ("明天的读书分享会活动", "读书分享会", "其他"),   # the title inside the member's words
])
def test_names(reference, title, kind):
    assert names_activity(reference, title, kind)


@pytest.mark.parametrize("reference, title, kind", [
    ("会议", "读书分享会", "读书分享会"),             # two characters in common are not enough
    ("书读会", "读书分享会", "读书分享会"),           # out of order
    ("协商会", "委员讲堂", "委员讲堂"),
])
def test_does_not_name(reference, title, kind):
    assert not names_activity(reference, title, kind)
