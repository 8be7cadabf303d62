"""Write a header + rows table as CSV (UTF-8 with BOM, opens cleanly in Excel) or XLSX.

XLSX: bold frozen header row, each column as wide as its longest cell (CJK characters count double,
within MIN_WIDTH..MAX_WIDTH), so the sheet reads without resizing anything."""
from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path
from typing import Iterable, Sequence

MIN_WIDTH, MAX_WIDTH = 6, 40


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
        _write_xlsx(header, list(rows), out, sheet_title)
        return out
    raise ValueError(f"unknown format {fmt}")


def table_bytes(header: Sequence[str], rows: Iterable[Sequence], fmt: str, sheet_title: str = "Sheet1") -> bytes:
    """The same table as a file's bytes (for a download)."""
    if fmt == "csv":
        text = io.StringIO(newline="")
        _write_csv(text, header, rows)
        return text.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        _write_xlsx(header, list(rows), buffer, sheet_title)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt}")


def _write_csv(fh, header, rows) -> None:
    writer = csv.writer(fh)
    writer.writerow(header)
    writer.writerows(rows)


def _write_xlsx(header: Sequence[str], rows: list[Sequence], out, sheet_title: str) -> None:
    """`out`: a path, or a binary file object."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, values in enumerate(zip(header, *rows), 1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(values)
    sheet.freeze_panes = "A2"
    if isinstance(out, (str, Path)):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)


def column_width(values: Iterable) -> int:
    """Excel width (in characters) that fits the longest value."""
    longest = max((display_width(str(v)) for v in values if v is not None), default=0)
    return min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
