"""我的履职: this year's counts and points, and what each yearly requirement still needs.

For a missing activity requirement it names the member's booked activities and the next open
ones that would close the gap. Everything is derived from stored facts at query time.
"""
from __future__ import annotations

from bot import duty_record, replies
from bot.dialogs.base import Done, Transition, Turn
from storage import activities, records
from storage.records import MemberYear
from storage.scoring import Requirement

MAX_CHARS = 600
TITLE_CHARS = 12


def show(turn: Turn, slots: dict) -> Transition:
    if turn.member.is_staff:
        return Done(replies.STAFF_NO_RECORD)
    year = turn.now.year
    return Done(_format(turn, year, duty_record.member_year(turn.rt, turn.session, turn.member, year, turn.now)))


def _format(turn: Turn, year: int, result: MemberYear) -> str:
    counts, score = result.counts, result.score
    instructed = replies.RECORD_INSTRUCTED.format(n=counts.reports_instructed) if counts.reports_instructed else ""
    text = replies.RECORD.format(name=turn.member.name, year=year, instructed=instructed,
                                 breakdown=_breakdown(score), **{k: getattr(counts, k) for k in records.COUNT_FIELDS})
    if counts.proposals or counts.proposals_cosigned:
        text += replies.RECORD_PROPOSALS.format(**{k: getattr(counts, k) for k in records.PROPOSAL_FIELDS})
    if result.progress.requirements:
        text += replies.RECORD_REQUIREMENTS + "".join(_requirement(turn, r) for r in result.progress.requirements)
        if result.progress.met:
            text += replies.RECORD_ALL_MET
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"


def _breakdown(score) -> str:
    parts = [replies.RECORD_PARTS[name].format(n=getattr(score, name))
             for name in ("base", "reports", "seconds", "study", "activities", "proposals", "deductions")
             if getattr(score, name)]
    return replies.RECORD_BREAKDOWN.format(parts="，".join(parts)) if parts else ""


def _requirement(turn: Turn, req: Requirement) -> str:
    label, unit = replies.REQUIREMENT_LABELS[req.key]
    values = {"label": label, "unit": unit, "done": req.done, "required": req.required, "missing": req.missing}
    if req.met:
        return replies.RECORD_REQ_MET.format(**values)
    hint = _activity_hint(turn, req.missing) if req.key == "attended" else replies.RECORD_HINTS.get(req.key, "")
    return replies.RECORD_REQ_MISSING.format(hint=hint, **values)


def _activity_hint(turn: Turn, missing: int) -> str:
    """Booked activities of this year first; then the next open ones, up to what is still missing."""
    year_end = records.year_bounds(turn.now.year, turn.rt.tz)[1]
    booked = [s.activity for s in activities.my_upcoming(turn.session, turn.member, turn.now, activities.TAKES_PLACE)
              if s.activity.start_at < year_end]
    hint = replies.RECORD_HINT_BOOKED.format(codes="、".join(a.code for a in booked)) if booked else ""
    wanted = min(missing - len(booked), turn.rt.config.activities.record_suggestions)
    if wanted <= 0:
        return hint
    found = activities.open_for(turn.session, turn.member, turn.now, wanted, before=year_end)
    if not found:
        return hint + replies.RECORD_HINT_NONE
    lines = "；".join(replies.RECORD_HINT_OPEN_LINE.format(
        code=a.code, day=_day(turn, a), title=a.title[:TITLE_CHARS]) for a in found)
    return hint + replies.RECORD_HINT_OPEN.format(lines=lines)


def _day(turn: Turn, activity) -> str:
    local = turn.rt.local(activity.start_at)
    return f"{local.month}月{local.day}日"
