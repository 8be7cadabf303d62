"""订阅通知 opt-ins: one row per WeChat user and template. A one-time template allows one notification per
accept (credits, taken with a conditional UPDATE before sending and given back when nothing went out); a
long-term one allows them while accepted. A reject (popup or the user's settings) ends both."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.dialect import insert_for
from storage.models import Subscription


def record(session: Session, openid: str, template_id: str, accepted: bool, now: datetime) -> None:
    """An accept adds one credit; a reject withdraws the opt-in."""
    insert = insert_for(session)
    session.execute(insert(Subscription).values(openid=openid, template_id=template_id, accepted=False, credits=0,
                                                updated_at=now).on_conflict_do_nothing())
    values = ({"accepted": True, "credits": Subscription.credits + 1} if accepted
              else {"accepted": False, "credits": 0})
    session.execute(update(Subscription).where(Subscription.openid == openid,
                                               Subscription.template_id == template_id)
                    .values(updated_at=now, **values).execution_options(synchronize_session=False))


def reserve(session: Session, openid: str, template_id: str, long_term: bool) -> bool:
    """May one notification of this template go to this user now? A one-time opt-in is taken."""
    where = (Subscription.openid == openid, Subscription.template_id == template_id, Subscription.accepted.is_(True))
    if long_term:
        return session.scalar(select(Subscription.id).where(*where)) is not None
    return session.execute(update(Subscription).where(*where, Subscription.credits > 0)
                           .values(credits=Subscription.credits - 1)
                           .execution_options(synchronize_session=False)).rowcount == 1


def release(session: Session, openid: str, template_id: str) -> None:
    """Give back a one-time opt-in whose notification did not go out."""
    session.execute(update(Subscription).where(Subscription.openid == openid,
                                               Subscription.template_id == template_id,
                                               Subscription.accepted.is_(True))
                    .values(credits=Subscription.credits + 1).execution_options(synchronize_session=False))


def of(session: Session, openid: str) -> list[Subscription]:
    return list(session.scalars(select(Subscription).where(Subscription.openid == openid)
                                .order_by(Subscription.template_id)))
