"""The console's audit log: every change made in the console (who, when, what, item, before/after).

Call `record` in the same database session as the change itself, so both are committed together or not
at all; show `entries(kind, id)` on the item's page (template macro audit_table in console/_macros.html).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditEntry


def record(session: Session, actor, action: str, item_kind: str, item_id: Any, *, now: datetime,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditEntry:
    """Keep one change. `actor` is a StaffUser (bot.console.auth) or a plain name (e.g. the CLI);
    `action` a dotted code such as 'report.adopt'; before/after hold the changed fields only."""
    actor_id, actor_name = (getattr(actor, "member_id", None), getattr(actor, "name", None) or str(actor))
    entry = AuditEntry(actor_id=actor_id, actor_name=actor_name[:64], action=action[:64], item_kind=item_kind[:32],
                       item_id=str(item_id)[:64], before=_plain(before), after=_plain(after), at=now)
    session.add(entry)
    session.flush()
    return entry


def entries(session: Session, item_kind: str, item_id: Any, limit: int = 200) -> list[AuditEntry]:
    """The item's audit entries, newest first."""
    return list(session.scalars(select(AuditEntry)
                                .where(AuditEntry.item_kind == item_kind, AuditEntry.item_id == str(item_id))
                                .order_by(AuditEntry.id.desc()).limit(limit)))


def _plain(value: Any) -> Any:
    """JSON-safe copy: dates and times as ISO text, other objects as their text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return str(value)
