"""Who may second (附议) a report by its receipt number: the privacy rule, as a pure function.

Receipt numbers are sequential, so a receipt proves nothing. A member may second another member's
report only if it was offered to them in a duplicate prompt ("您近90天…相似的社情民意"), they
already seconded it, or — with `reports.second_scope: same_district` — it concerns their own
banner/district. A refusal must look exactly like "no such receipt" (callers use REPORT_NOT_FOUND).
The offers themselves are remembered in the shared store for OFFER_TTL.
"""
from __future__ import annotations

import logging
from enum import StrEnum
from typing import Iterable

from storage.kv import KeyValueStore
from storage.models import Member, Report

log = logging.getLogger(__name__)


class SecondScope(StrEnum):
    """config `reports.second_scope`: which reports a member may second by receipt number."""

    PROMPT_ONLY = "prompt_only"      # only a report offered to them as similar (or already seconded)
    SAME_DISTRICT = "same_district"  # also any report of their own 旗区


OFFER_TTL = 30 * 24 * 3600.0  # a member may come back to a duplicate notice for a month


def may_second(report: Report, viewer: Member, *, scope: SecondScope, offered_ids: Iterable[int],
               already_seconded: bool) -> bool:
    """May `viewer` learn about and second `report` by its receipt number?"""
    scope = SecondScope(scope)  # ValueError for anything else
    if viewer.is_staff or report.member_id == viewer.id or already_seconded or report.id in set(offered_ids):
        return True
    return scope is SecondScope.SAME_DISTRICT and bool(viewer.district) and report.district == viewer.district


def remember_offer(kv: KeyValueStore, member_id: int, report_id: int) -> None:
    """The duplicate prompt showed `report_id` to `member_id`."""
    try:
        kv.set(_offer_key(member_id, report_id), "1", ttl=OFFER_TTL)
    except Exception:  # store down: the prompt's own 附议 still works; by receipt it is refused later
        log.exception("could not remember the offer of report %s", report_id)


def offered(kv: KeyValueStore, member_id: int, report_id: int) -> tuple[int, ...]:
    """(report_id,) if it was offered to the member, else ()."""
    try:
        return (report_id,) if kv.get(_offer_key(member_id, report_id)) else ()
    except Exception:
        log.exception("could not look up the offer of report %s", report_id)
        return ()


def _offer_key(member_id: int, report_id: int) -> str:
    return f"offered:{member_id}:{report_id}"

