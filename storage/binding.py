"""Binding a WeChat account to a roster entry, safely: throttled, one-time codes, every attempt kept.

`attempt()` is the whole rule. Before anything is compared, failures in the last `window` are
counted per WeChat account and per roster entry (the entry with the given phone, else the entry
with the given name — the one a guesser aims at); at `attempts` the try is refused unread. Staff
entries, and every entry when `require_code` is set, bind only with a valid one-time code
(6 digits, stored as a salted PBKDF2 hash, used once, expiring). Callers answer every failure alike.
"""
from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from storage.models import BindingAttempt, BindingCode, Member, utcnow

CODE_DIGITS = 6
_PBKDF2_ROUNDS = 20_000  # a stolen hash of a 6-digit code still falls to brute force: codes expire in hours


class Outcome(str, enum.Enum):
    BOUND = "bound"
    ALREADY_BOUND = "already_bound"    # this account is already this entry
    NO_MATCH = "no_match"              # no entry with this name and phone
    TAKEN = "taken"                    # the entry is bound to another account
    ACCOUNT_IN_USE = "account_in_use"  # this account is bound to another entry
    CODE_REQUIRED = "code_required"    # right name and phone, but the entry needs a code
    BAD_CODE = "bad_code"              # wrong, used or expired code
    THROTTLED = "throttled"            # too many failures: not even compared

    @property
    def success(self) -> bool:
        return self in (Outcome.BOUND, Outcome.ALREADY_BOUND)


OUTCOME_WORDS = {  # how `members attempts` and the digest name outcomes (staff wording)
    "bound": "绑定成功", "already_bound": "已是本人", "no_match": "姓名或手机号不符", "taken": "该人员已绑定其他微信",
    "account_in_use": "该微信已绑定他人", "code_required": "缺少验证码", "bad_code": "验证码错误或失效",
    "throttled": "尝试过多被拒",
}


@dataclass(frozen=True)
class Policy:
    attempts: int = 5            # failures allowed per account and per entry within the window
    window: timedelta = timedelta(hours=1)
    require_code: bool = False   # every entry (not only staff) needs a one-time code


def attempt(session: Session, openid: str, name: str, phone: str, code: str | None, now: datetime,
            policy: Policy) -> tuple[Outcome, Member | None]:
    """Try to bind `openid`; the attempt is recorded whatever the outcome. Returns the member when bound.

    Concurrent attempts on one entry run one after another (PostgreSQL: the entry's row lock; SQLite: the
    attempt row is written first, which takes the database's write lock), so a burst cannot outrun the count."""
    target = _target(session, name, phone)
    row = BindingAttempt(openid=openid, member_id=target.id if target else None, outcome="pending", at=now)
    session.add(row)
    session.flush()
    if _throttled(session, openid, target, row.id, now, policy):
        outcome, member = Outcome.THROTTLED, None
    else:
        outcome, member = _bind(session, openid, name, phone, code, now, policy)
    row.outcome = outcome.value
    session.flush()
    return outcome, member


def _target(session: Session, name: str, phone: str) -> Member | None:
    """The entry this attempt aims at (locked): by phone, else by name."""
    member = session.scalar(select(Member).where(Member.phone == phone).with_for_update())
    if member is not None:
        return member
    compact = _compact(name)
    if not compact:
        return None
    stored = func.replace(func.replace(func.replace(Member.name, " ", ""), "·", ""), "•", "")
    return session.scalars(select(Member).where(stored == compact).order_by(Member.id).limit(1)
                           .with_for_update()).first()


def _throttled(session: Session, openid: str, target: Member | None, this_id: int, now: datetime,
               policy: Policy) -> bool:
    since = now - policy.window
    failed = and_(BindingAttempt.id != this_id,
                  BindingAttempt.outcome.notin_([Outcome.BOUND.value, Outcome.ALREADY_BOUND.value]))
    by_account = session.scalar(select(func.count(BindingAttempt.id)).where(
        BindingAttempt.openid == openid, BindingAttempt.at > since, failed)) or 0
    if by_account >= policy.attempts:
        return True
    if target is None:
        return False
    by_entry = session.scalar(select(func.count(BindingAttempt.id)).where(
        BindingAttempt.member_id == target.id, BindingAttempt.at > since, failed)) or 0
    return by_entry >= policy.attempts


def _bind(session: Session, openid: str, name: str, phone: str, code: str | None, now: datetime,
          policy: Policy) -> tuple[Outcome, Member | None]:
    member = session.scalar(select(Member).where(Member.phone == phone).with_for_update())
    if member is None or _compact(member.name) != _compact(name):
        return Outcome.NO_MATCH, None
    if member.openid == openid:
        return Outcome.ALREADY_BOUND, member
    if member.openid:
        return Outcome.TAKEN, None
    if session.scalar(select(Member.id).where(Member.openid == openid)) is not None:
        return Outcome.ACCOUNT_IN_USE, None
    if member.is_staff or policy.require_code:
        if not code:
            return Outcome.CODE_REQUIRED, None
        if not _use_code(session, member, code, now):
            return Outcome.BAD_CODE, None
    member.openid = openid
    member.bound_at = utcnow()
    session.flush()
    return Outcome.BOUND, member


# --- one-time codes ------------------------------------------------------------------------------------

def issue_code(session: Session, member: Member, now: datetime, hours: float) -> str:
    """A new 6-digit code for `member`, valid `hours`; any older unused code stops working."""
    if hours <= 0:
        raise ValueError("hours must be positive")
    _retire_codes(session, member.id, now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    session.add(BindingCode(member_id=member.id, code_hash=hash_code(code), created_at=now,
                            expires_at=now + timedelta(hours=hours)))
    session.flush()
    return code


def _use_code(session: Session, member: Member, code: str, now: datetime) -> bool:
    """Consume the member's live code if `code` matches it."""
    live = session.scalars(select(BindingCode).where(
        BindingCode.member_id == member.id, BindingCode.used_at.is_(None), BindingCode.expires_at > now)
        .with_for_update()).all()
    for row in live:
        if code_matches(code, row.code_hash):
            row.used_at = now
            return True
    return False


def _retire_codes(session: Session, member_id: int, now: datetime) -> None:
    session.execute(update(BindingCode).where(BindingCode.member_id == member_id, BindingCode.used_at.is_(None))
                    .values(used_at=now))


def hash_code(code: str) -> str:
    salt = secrets.token_hex(8)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt}${_derive(code, salt, _PBKDF2_ROUNDS)}"


def code_matches(code: str, stored: str) -> bool:
    try:
        _scheme, rounds, salt, digest = stored.split("$")
    except ValueError:
        return False
    return bool(code) and hmac.compare_digest(_derive(code, salt, int(rounds)), digest)


def _derive(code: str, salt: str, rounds: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), rounds).hex()


# --- what staff see -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttemptLine:
    at: datetime
    openid: str
    outcome: str
    name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class FlaggedEntry:
    name: str
    phone: str
    failures: int


def attempts_since(session: Session, since: datetime, limit: int = 500) -> list[AttemptLine]:
    query = (select(BindingAttempt, Member.name, Member.phone)
             .join(Member, Member.id == BindingAttempt.member_id, isouter=True)
             .where(BindingAttempt.at >= since).order_by(BindingAttempt.at, BindingAttempt.id).limit(limit))
    return [AttemptLine(a.at, a.openid, a.outcome, name or "", phone or "") for a, name, phone in session.execute(query)]


def flagged_entries(session: Session, since: datetime, until: datetime, threshold: int) -> list[FlaggedEntry]:
    """Roster entries with at least `threshold` failed binding attempts in [since, until), most first."""
    failures = func.count(BindingAttempt.id)
    query = (select(Member.name, Member.phone, failures)
             .join(BindingAttempt, BindingAttempt.member_id == Member.id)
             .where(BindingAttempt.at >= since, BindingAttempt.at < until,
                    BindingAttempt.outcome.notin_([Outcome.BOUND.value, Outcome.ALREADY_BOUND.value]))
             .group_by(Member.id, Member.name, Member.phone).having(failures >= threshold)
             .order_by(failures.desc(), Member.id))
    return [FlaggedEntry(name, phone, count) for name, phone, count in session.execute(query)]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone


def _compact(name: str) -> str:
    return "".join((name or "").split()).replace("·", "").replace("•", "")
