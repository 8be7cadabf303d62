"""One status vocabulary for every `--status` option: a stored code or its Chinese label, either accepted.

`Vocabulary.parse` is the argparse type (it returns the code); `help()` lists "code 标签" pairs."""
from __future__ import annotations

import argparse

from storage import report_flow

ERROR = "无法识别的状态：{value}（可用：{choices}）"


class Vocabulary:
    def __init__(self, labels: dict[str, str], aliases: dict[str, str] | None = None):
        self.labels = labels  # code -> Chinese label
        self._codes = ({code.lower(): code for code in labels} | {label: code for code, label in labels.items()}
                       | (aliases or {}))

    def parse(self, value: str) -> str:
        code = self._codes.get(value.strip().lower()) or self._codes.get(value.strip())
        if code is None:
            raise argparse.ArgumentTypeError(ERROR.format(value=value, choices=self.help()))
        return code

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def help(self) -> str:
        return " / ".join(f"{code} {label}" for code, label in self.labels.items())


OUTBOX = Vocabulary({"pending": "待发", "sending": "发送中", "sent": "已发送", "failed": "失败",
                     "unknown": "状态不明", "cancelled": "已取消"})
REPORTS = Vocabulary({  # 社情民意 are stored with their Chinese label
    "submitted": report_flow.SUBMITTED, "adopted": report_flow.ADOPTED, "returned": report_flow.RETURNED,
    "rejected": report_flow.REJECTED, "forwarded": report_flow.FORWARDED, "instructed": report_flow.INSTRUCTED,
    "closed": report_flow.CLOSED, "merged": report_flow.MERGED})
REPORT_SCOPES = Vocabulary({"adopted": "已采用及之后", "pending": "待审核", "all": "全部"},
                           aliases={report_flow.ADOPTED: "adopted", report_flow.SUBMITTED: "pending", "待审": "pending"})
