"""One vocabulary per status family (storage/statuses.py): stored values unchanged, --status takes code or label."""
from __future__ import annotations

import argparse

import pytest

from bot.cli.vocab import OUTBOX, REPORT_SCOPES, REPORTS
from storage.statuses import ActivityStatus, MemberRole, OutboxChannel, OutboxStatus, ReportState, SignupStatus


def test_stored_values_are_the_ones_in_the_database():
    # changing any of these needs an Alembic migration of the rows that hold them
    assert list(ReportState) == ["已提交", "已采用", "已退回", "未采用", "已报送", "已批示", "已办结", "已合并"]
    assert list(SignupStatus) == ["signed", "waitlist", "leave", "cancelled", "walkin"]
    assert list(OutboxStatus) == ["pending", "sending", "sent", "delivered", "user_blocked", "failed", "unknown",
                                  "cancelled"]
    assert (list(ActivityStatus), list(MemberRole), list(OutboxChannel)) == (
        ["open", "cancelled"], ["member", "staff"], ["kefu", "subscribe", "template"])


@pytest.mark.parametrize("typed, stored", [
    ("submitted", ReportState.SUBMITTED), ("已提交", ReportState.SUBMITTED), ("Adopted", ReportState.ADOPTED),
    ("未采用", ReportState.REJECTED), ("rejected", ReportState.REJECTED), (" merged ", ReportState.MERGED),
])
def test_report_status_takes_code_or_label(typed, stored):
    assert REPORTS.parse(typed) is stored


@pytest.mark.parametrize("typed, stored", [("failed", OutboxStatus.FAILED), ("失败", OutboxStatus.FAILED),
                                           ("状态不明", OutboxStatus.UNKNOWN), ("SENT", OutboxStatus.SENT)])
def test_outbox_status_takes_code_or_label(typed, stored):
    assert OUTBOX.parse(typed) is stored
    assert OUTBOX.label(stored) in OUTBOX.help()


def test_scopes_and_unknown_words():
    assert REPORT_SCOPES.parse("已采用") == "adopted" and REPORT_SCOPES.parse("待审") == "pending"
    with pytest.raises(argparse.ArgumentTypeError, match="submitted 已提交"):
        REPORTS.parse("done")
