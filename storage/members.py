"""Roster look-ups (binding a WeChat account to an entry: storage/binding.py)."""
from __future__ import annotations

from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, or_, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from storage.models import Member
from storage.types import UtcDateTime


# --- who sent this message: the roster id of an openid, cached per worker -----------------------------
#
# The cache holds only openid -> id and is never trusted on its own: the first statement that acts for the
# member checks that the row still carries this openid (`confirmed`, the check-in statement, `touch`), so an
# unbinding or a rebinding elsewhere is seen at once, without any message between workers.

class StaleMember(Exception):
    """The cached roster id no longer carries this openid (unbound or rebound): look it up again."""


_ids: dict[str, dict[str, int]] = {}              # per database (a Database's two engines share its URL)
_of_engine: WeakKeyDictionary[Engine, dict[str, int]] = WeakKeyDictionary()
CACHE_LIMIT = 100_000   # openids per worker and database; a city roster has a few thousand


def _cache(engine: Engine) -> dict[str, int]:
    cache = _of_engine.get(engine)
    if cache is None:
        cache = _of_engine[engine] = _ids.setdefault(engine.url.render_as_string(), {})
    return cache


def cached_id(engine: Engine, openid: str) -> int | None:
    """The cached roster id of this openid, without asking the database (None: not cached)."""
    return _cache(engine).get(openid)


def id_for(conn: Connection, openid: str) -> int | None:
    """The roster id bound to this openid (maybe stale: see above); None for a stranger."""
    cache = _cache(conn.engine)
    member_id = cache.get(openid)
    if member_id is None:
        member_id = conn.scalar(select(Member.id).where(Member.openid == openid))
        if member_id is not None:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            cache[openid] = member_id
    return member_id


def warm_cache(conn: Connection) -> int:
    """Load every bound openid (a worker starting up); returns how many."""
    cache = _cache(conn.engine)
    rows = conn.execute(select(Member.openid, Member.id).where(Member.openid.is_not(None)).limit(CACHE_LIMIT))
    cache.update((openid, member_id) for openid, member_id in rows)
    return len(cache)


def forget(engine: Engine, openid: str) -> None:
    _cache(engine).pop(openid, None)


def confirmed(session: Session, member_id: int, openid: str) -> Member:
    """The member's row, checked against the openid; StaleMember when the binding changed."""
    member = session.get(Member, member_id)
    if member is None or member.openid != openid:
        raise StaleMember(openid)
    return member


def by_phone(session: Session, phone: str) -> Member | None:
    return session.scalar(select(Member).where(Member.phone == phone))


TOUCH_PRECISION = timedelta(minutes=10)  # finer is not needed for a 48-hour window, and saves a write
# The member wrote: a fresh 48-hour window and kefu quota (storage/kefu_quota.py), written when the last one is
# older than TOUCH_PRECISION or some of its quota was used. SQL, so the check-in statement can share it.
TOUCH_NEEDED = "(last_message_at IS NULL OR kefu_used > 0 OR last_message_at <= :stale_before)"
TOUCH_VALUES = (f"last_message_at = CASE WHEN {TOUCH_NEEDED} THEN :now ELSE last_message_at END, "
                f"kefu_used = CASE WHEN {TOUCH_NEEDED} THEN 0 ELSE kefu_used END, "
                f"updated_at = CASE WHEN {TOUCH_NEEDED} THEN :now ELSE updated_at END")
_TOUCH_BINDS = (bindparam("now", type_=UtcDateTime()), bindparam("stale_before", type_=UtcDateTime()))
TOUCH_TYPES = {"now": "timestamptz", "stale_before": "timestamptz"}   # the same, for a prepared statement
_TOUCH = text(f"UPDATE members SET {TOUCH_VALUES} WHERE id = :member_id AND openid = :openid AND {TOUCH_NEEDED}"
              ).bindparams(*_TOUCH_BINDS)


def touch_params(moment: datetime) -> dict:
    return {"now": moment, "stale_before": moment - TOUCH_PRECISION}


def touch(session: Session, member_id: int, openid: str, moment: datetime) -> None:
    """Remember the member's last message: it opens WeChat's 48-hour service window and its kefu quota."""
    session.execute(_TOUCH, {"member_id": member_id, "openid": openid, **touch_params(moment)})


def search(session: Session, *, text: str = "", role: str | None = None, sector: str | None = None,
           district: str | None = None, bound: bool | None = None) -> list[Member]:
    """The roster filtered (name or phone containing `text`, role, 界别, 旗区, WeChat bound or not)."""
    query = select(Member)
    if text:
        query = query.where(or_(Member.name.contains(text, autoescape=True),
                                Member.phone.contains(text, autoescape=True)))
    if role:
        query = query.where(Member.role == role)
    if sector:
        query = query.where(Member.sector == sector)
    if district:
        query = query.where(Member.district == district)
    if bound is not None:
        query = query.where(Member.openid.is_not(None) if bound else Member.openid.is_(None))
    return list(session.scalars(query.order_by(Member.id)))


def sectors(session: Session) -> list[str]:
    """The 界别 in use on the roster."""
    return [s for s in session.scalars(select(Member.sector).distinct().order_by(Member.sector)) if s]
