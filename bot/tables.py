"""Write a header + rows table as CSV (UTF-8 with BOM, opens cleanly in Excel) or XLSX."""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Iterable, Sequence


def write_table(header: Sequence[str], rows: Iterable[Sequence], fmt: str, out: str | None,
                sheet_title: str = "Sheet1") -> str:
    """Returns where it was written ('-' for stdout)."""
    if fmt == "csv":
        if out in (None, "-"):
            _write_csv(sys.stdout, header, rows)
            return "-"
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            _write_csv(fh, header, rows)
        return out
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        workbook.save(out)
        return out
    raise ValueError(f"unknown format {fmt}")


def _write_csv(fh, header, rows) -> None:
    writer = csv.writer(fh)
    writer.writerow(header)
    writer.writerows(rows)
