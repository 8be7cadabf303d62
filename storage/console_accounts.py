"""Console logins: one account per staff roster entry, argon2id password hashes, throttled attempts.

Members (role member) never get an account; a staff entry that becomes a member loses its login at once
(`login` and the session check both look at the roster role). Every attempt is kept in console_logins;
after `attempts` failures within `window` per phone (or `address_attempts` per address), further
attempts are refused unread.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from storage.models import ConsoleAccount, ConsoleLogin, Member
from storage.roster import normalize_phone

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("not a password: equalises the time of an unknown phone")


class AccountError(Exception):
    """Why a password cannot be set: code no_member | not_staff | too_short."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class LoginOutcome(enum.StrEnum):
    OK = "ok"
    BAD = "bad"              # unknown phone, no account, not staff, wrong password: one answer for all
    THROTTLED = "throttled"  # too many failures for this phone or address: refused without checking


@dataclass(frozen=True)
class Throttle:
    attempts: int           # failures per phone within the window
    address_attempts: int   # failures per client address (an office shares one address: set it higher)
    window: timedelta


def staff_by_phone(session: Session, phone: str) -> Member | None:
    normal = normalize_phone(phone)
    if normal is None:
        return None
    member = session.scalar(select(Member).where(Member.phone == normal))
    return member if member is not None and member.is_staff else None


def set_password(session: Session, phone: str, password: str, *, admin: bool, now: datetime,
                 min_length: int) -> tuple[ConsoleAccount, bool]:
    """Create or replace the staff entry's login; returns (account, created). Older sessions become void."""
    normal = normalize_phone(phone)
    member = session.scalar(select(Member).where(Member.phone == normal)) if normal else None
    if member is None:
        raise AccountError("no_member")
    if not member.is_staff:
        raise AccountError("not_staff")
    if len(password) < min_length:
        raise AccountError("too_short")
    account = account_of(session, member.id)
    created = account is None
    if created:
        account = ConsoleAccount(member_id=member.id, created_at=now, password_hash="")
        session.add(account)
    account.password_hash = _hasher.hash(password)
    account.is_admin = admin
    account.password_set_at = now
    session.flush()
    return account, created


def account_of(session: Session, member_id: int) -> ConsoleAccount | None:
    return session.scalar(select(ConsoleAccount).where(ConsoleAccount.member_id == member_id))


def active_account(session: Session, account_id: int) -> ConsoleAccount | None:
    """The account if it still exists and its roster entry is still staff."""
    account = session.get(ConsoleAccount, account_id)
    if account is None or not account.member.is_staff:
        return None
    return account


def login(session: Session, phone: str, password: str, *, address: str, now: datetime,
          throttle: Throttle) -> tuple[LoginOutcome, ConsoleAccount | None]:
    """Check a login and keep the attempt. A throttled attempt is kept too (it counts as a failure)."""
    key = (normalize_phone(phone) or phone.strip())[:32]
    address = (address or "")[:64]
    by_phone, by_address = _failures(session, key, address, now - throttle.window)
    if by_phone >= throttle.attempts or by_address >= throttle.address_attempts:
        _keep(session, key, address, False, now)
        return LoginOutcome.THROTTLED, None
    member = staff_by_phone(session, phone)
    account = account_of(session, member.id) if member is not None else None
    ok = _verify(account.password_hash if account else _DUMMY_HASH, password) and account is not None
    _keep(session, key, address, ok, now)
    if not ok:
        return LoginOutcome.BAD, None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.last_login_at = now
    return LoginOutcome.OK, account


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _failures(session: Session, phone: str, address: str, since: datetime) -> tuple[int, int]:
    """Failures since `since` for this phone and for this address."""
    counts = session.execute(select(
        func.count().filter(ConsoleLogin.phone == phone),
        func.count().filter(ConsoleLogin.address == address),
    ).where(ConsoleLogin.at >= since, ConsoleLogin.ok.is_(False),
            or_(ConsoleLogin.phone == phone, ConsoleLogin.address == address))).one()
    return counts[0] or 0, counts[1] or 0


def _keep(session: Session, phone: str, address: str, ok: bool, now: datetime) -> None:
    session.add(ConsoleLogin(phone=phone, address=address, ok=ok, at=now))
    session.flush()


def accounts(session: Session) -> list[ConsoleAccount]:
    return list(session.scalars(select(ConsoleAccount).join(Member).order_by(Member.name)))
