"""Does a member's words name an activity? '读书会' names '读书分享会', '协商会' names '专题协商会'.

Pure text matching of a reference against an activity's title and kind; the dialogs ask storage for the
candidate activities and keep those this names.
"""
from __future__ import annotations

MIN_CORE = 3  # shorter overlaps ('会', '活动') name too many activities


def names_activity(reference: str, title: str, kind: str = "") -> bool:
    """The reference is in the title or kind, holds the whole title, shares a 3+ character piece with
    either, or abbreviates the title."""
    ref = reference.strip()
    return (ref in title or ref in kind or title in ref or _shared_core(ref, title, kind)
            or _abbreviates(ref, title))


def _abbreviates(ref: str, title: str) -> bool:
    """'读书会' names '读书分享会': the member's 3+ characters appear in the title in order."""
    if len(ref) < MIN_CORE:
        return False
    rest = iter(title)
    return all(char in rest for char in ref)


def _shared_core(ref: str, title: str, kind: str) -> bool:
    """'协商会' names '专题协商会'; '分享会' names '读书分享会': a 3+ char overlap with title or kind."""
    for size in range(len(ref), MIN_CORE - 1, -1):
        for i in range(len(ref) - size + 1):
            piece = ref[i:i + size]
            if piece in title or piece in kind:
                return True
    return False
