"""One status vocabulary for every `--status` option: the English code or the Chinese label, either accepted.

`Vocabulary.parse` is the argparse type (it returns the stored value, a storage.statuses member);
`help()` lists "code 标签" pairs."""
from __future__ import annotations

import argparse
from typing import Mapping

from storage.statuses import OutboxStatus, ReportState

ERROR = "无法识别的状态：{value}（可用：{choices}）"


class Vocabulary:
    """Stored values (a status StrEnum) with the Chinese label shown and the code typed (both accepted)."""

    def __init__(self, labels: Mapping[str, str], codes: Mapping[str, str] | None = None,
                 aliases: Mapping[str, str] | None = None):
        self.labels = dict(labels)  # stored value -> Chinese label
        self.codes = dict(codes or {value: str(value) for value in labels})  # stored value -> English code
        self._values = ({code.lower(): value for value, code in self.codes.items()}
                        | {label: value for value, label in self.labels.items()} | dict(aliases or {}))

    def parse(self, value: str) -> str:
        found = self._values.get(value.strip().lower()) or self._values.get(value.strip())
        if found is None:
            raise argparse.ArgumentTypeError(ERROR.format(value=value, choices=self.help()))
        return found

    def label(self, value: str) -> str:
        return self.labels.get(value, value)

    def help(self) -> str:
        return " / ".join(f"{self.codes[value]} {label}" for value, label in self.labels.items())


OUTBOX = Vocabulary({OutboxStatus.PENDING: "待发", OutboxStatus.SENDING: "发送中", OutboxStatus.SENT: "已发送",
                     OutboxStatus.DELIVERED: "已送达", OutboxStatus.USER_BLOCKED: "用户拒收",
                     OutboxStatus.FAILED: "失败", OutboxStatus.UNKNOWN: "状态不明", OutboxStatus.CANCELLED: "已取消"})
# 社情民意 states are stored as their Chinese names: the label is the stored value, the code its English name
REPORTS = Vocabulary({state: state.value for state in ReportState}, codes={state: state.code for state in ReportState})
REPORT_SCOPES = Vocabulary({"adopted": "已采用及之后", "pending": "待审核", "all": "全部"},
                           aliases={ReportState.ADOPTED: "adopted", ReportState.SUBMITTED: "pending", "待审": "pending"})
