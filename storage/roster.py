"""Roster import: read a CSV/XLSX member list, validate every row, upsert members by phone.

Pure functions (no printing): the CLI in bot/cli/members.py reports the results.
Line numbers are the spreadsheet row numbers staff see (header = line 1).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.districts import STANDARD, normalize_district
from storage.models import Member

# Wording shown to staff (the CLI prints these reasons next to the line number).
REASONS = {
    "no_name": "缺少姓名",
    "long_name": "姓名过长（最多 64 字）",
    "no_phone": "缺少手机号",
    "bad_phone": "手机号格式不对：{value}（应为 11 位手机号）",
    "dup_phone": "手机号 {value} 与第 {line} 行重复",
    "bad_role": "角色无法识别：{value}（应为 委员/member 或 工作人员/staff）",
    "bad_district": "旗区无法识别：{value}（应为 {allowed} 之一，可用简称如 准旗、达旗）",
    "long_sector": "界别过长（最多 64 字）",
}
ERRORS = {
    "not_found": "找不到文件：{path}",
    "bad_type": "不支持的文件类型：{suffix}（请用 .csv 或 .xlsx；旧版 .xls 请在 Excel 中另存为 .xlsx）",
    "bad_xlsx": "无法读取 Excel 文件：{error}",
    "empty": "文件是空的",
    "missing": "表头缺少必填列：{columns}（第 1 行应为 姓名,手机号,界别,旗区,角色 或 name,phone,sector,district,role）",
    "dup_column": "表头中“{header}”重复出现",
}

# header text (lower-cased, spaces removed) -> field
HEADERS = {
    "name": "name", "姓名": "name",
    "phone": "phone", "mobile": "phone", "手机号": "phone", "手机号码": "phone", "手机": "phone",
    "sector": "sector", "界别": "sector",
    "district": "district", "旗区": "district",
    "role": "role", "角色": "role", "身份": "role",
}
REQUIRED = ("name", "phone")
ROLES = {"": "member", "member": "member", "委员": "member", "政协委员": "member",
         "staff": "staff", "工作人员": "staff"}
FIELD_LIMIT = 64

_PHONE = re.compile(r"1[3-9]\d{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-–—_.()（）]")
_INTEGRAL_FLOAT = re.compile(r"(\d+)\.0+")
_CJK_NAME = re.compile(r"[\u3400-\u9fff\s]+")
_INVISIBLE = "\u200b\u200c\u200d\ufeff"


class RosterError(ValueError):
    """The whole file is unusable (unreadable, wrong type, header missing)."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    phone: str
    sector: str
    district: str
    role: str  # member | staff


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


# --- cleaning single values -------------------------------------------------

def clean_text(value: Any) -> str:
    """Cell -> trimmed text: ASCII/full-width/zero-width spaces removed at both ends, inner runs collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().strip(_INVISIBLE).strip()
    return re.sub(r"\s+", " ", text)


def clean_name(value: Any) -> str:
    """Chinese names padded for alignment (张  三) lose the padding; other names keep single spaces."""
    name = clean_text(value)
    return re.sub(r"\s", "", name) if _CJK_NAME.fullmatch(name) else name


def normalize_phone(value: Any) -> str | None:
    """11-digit mainland mobile number from '139 1234 5678', '+86-139…', 13912345678.0 …; else None."""
    text = unicodedata.normalize("NFKC", clean_text(value))
    integral = _INTEGRAL_FLOAT.fullmatch(text)
    if integral:
        text = integral.group(1)
    text = _PHONE_SEPARATORS.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    return text if _PHONE.fullmatch(text) else None


def normalize_role(value: Any) -> str | None:
    """member | staff from 委员/工作人员/member/staff; empty means member; unknown -> None."""
    return ROLES.get(unicodedata.normalize("NFKC", clean_text(value)).lower().replace(" ", ""))


def district_in(value: str, allowed: Sequence[str]) -> str | None:
    """Official name among `allowed` (config org.districts) for a full name or short form."""
    if value in allowed:
        return value
    official = normalize_district(value)
    return official if official in allowed else None


# --- reading files ----------------------------------------------------------

def read_table(path: str | Path) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cells) for every row of a .csv or .xlsx file, the header included."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(ERRORS["not_found"].format(path=path))
    return _rows_of(path, path.suffix.lower())


def read_upload(data: bytes, filename: str, districts: Sequence[str] = STANDARD) -> ParsedRoster:
    """Read and validate an uploaded roster file (the console's upload), like read_roster."""
    return parse_rows(_rows_of(io.BytesIO(data), Path(filename).suffix.lower()), districts)


def _rows_of(source: Path | io.BytesIO, suffix: str) -> Iterator[tuple[int, list[Any]]]:
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(source)
    if suffix in (".csv", ".txt"):
        return _csv_rows(source.read_bytes() if isinstance(source, Path) else source.getvalue())
    raise RosterError(ERRORS["bad_type"].format(suffix=suffix or "（无扩展名）"))


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # Excel's "CSV (逗号分隔)" on Chinese Windows
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "," not in first and "\t" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _xlsx_rows(path: Path | io.BytesIO) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for damaged/foreign files
        raise RosterError(ERRORS["bad_xlsx"].format(error=exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


# --- validating -------------------------------------------------------------

def read_roster(path: str | Path, districts: Sequence[str] = STANDARD) -> ParsedRoster:
    """Read and validate a roster file; whole-file problems raise RosterError."""
    return parse_rows(read_table(path), districts)


def parse_rows(table: Iterable[tuple[int, list[Any]]], districts: Sequence[str] = STANDARD) -> ParsedRoster:
    rows = iter(table)
    header = next(rows, None)
    if header is None:
        raise RosterError(ERRORS["empty"])
    columns = _columns(header[1])
    result = ParsedRoster()
    seen: dict[str, int] = {}
    for line, cells in rows:
        if not any(clean_text(cell) for cell in cells):
            continue  # blank line
        record = {name: cells[index] if index < len(cells) else None for name, index in columns.items()}
        row, reason = _validate(line, record, districts, seen)
        if row:
            seen[row.phone] = line
            result.rows.append(row)
        else:
            result.bad.append(BadRow(line, reason))
    return result


def _columns(header: list[Any]) -> dict[str, int]:
    """field -> column index; unknown columns (序号, 备注 …) are ignored."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = clean_text(cell)
        name = HEADERS.get(unicodedata.normalize("NFKC", label).lower().replace(" ", ""))
        if name is None:
            continue
        if name in columns:
            raise RosterError(ERRORS["dup_column"].format(header=label))
        columns[name] = index
    missing = [label for label in REQUIRED if label not in columns]
    if missing:
        raise RosterError(ERRORS["missing"].format(columns=", ".join(missing)))
    return columns


def _validate(line: int, record: dict[str, Any], districts: Sequence[str],
              seen: dict[str, int]) -> tuple[RosterRow | None, str]:
    """A clean row, or None and every reason it is bad (joined with ；)."""
    name = clean_name(record.get("name"))
    raw_phone, raw_role, raw_district, sector = (
        clean_text(record.get(key)) for key in ("phone", "role", "district", "sector"))
    phone, role = normalize_phone(raw_phone), normalize_role(raw_role)
    district = district_in(raw_district, districts) if raw_district else ""
    checks = [
        (not name, REASONS["no_name"]),
        (len(name) > FIELD_LIMIT, REASONS["long_name"]),
        (not raw_phone, REASONS["no_phone"]),
        (bool(raw_phone) and phone is None, REASONS["bad_phone"].format(value=raw_phone)),
        (phone in seen, REASONS["dup_phone"].format(value=phone, line=seen.get(phone or ""))),
        (role is None, REASONS["bad_role"].format(value=raw_role)),
        (district is None, REASONS["bad_district"].format(value=raw_district, allowed="、".join(districts))),
        (len(sector) > FIELD_LIMIT, REASONS["long_sector"]),
    ]
    reasons = [reason for failed, reason in checks if failed]
    if reasons:
        return None, "；".join(reasons)
    return RosterRow(line, name, phone or "", sector, district or "", role or "member"), ""


# --- writing ----------------------------------------------------------------

ADD, UPDATE, UNCHANGED = "add", "update", "unchanged"


@dataclass(frozen=True)
class RowPlan:
    """What importing one valid row would do: add a member, update one (field -> (old, new)), or nothing."""
    row: RosterRow
    action: str
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


def plan_upsert(session: Session, rows: Sequence[RosterRow]) -> list[RowPlan]:
    """The preview of upsert_members: nothing is written."""
    existing = _members_by_phone(session, [row.phone for row in rows])
    plans = []
    for row in rows:
        member = existing.get(row.phone)
        if member is None:
            plans.append(RowPlan(row, ADD))
            continue
        changes = {key: (getattr(member, key), value) for key, value in _values(row).items()
                   if getattr(member, key) != value}
        plans.append(RowPlan(row, UPDATE if changes else UNCHANGED, changes))
    return plans


def _values(row: RosterRow) -> dict[str, str]:
    return {"name": row.name, "sector": row.sector, "district": row.district, "role": row.role}


def upsert_members(session: Session, rows: Sequence[RosterRow]) -> UpsertCounts:
    """Create or update members by phone. WeChat binding (openid, bound_at) is never touched,
    and members missing from the file are left as they are."""
    existing = _members_by_phone(session, [row.phone for row in rows])
    counts = UpsertCounts()
    for row in rows:
        values = _values(row)
        member = existing.get(row.phone)
        if member is None:
            member = Member(phone=row.phone, **values)
            session.add(member)
            existing[row.phone] = member
            counts.created += 1
        elif any(getattr(member, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(member, key, value)
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()
    return counts


def _members_by_phone(session: Session, phones: list[str], chunk: int = 500) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for start in range(0, len(phones), chunk):
        batch = phones[start:start + chunk]
        for member in session.scalars(select(Member).where(Member.phone.in_(batch))):
            found[member.phone] = member
    return found
