"""履职: one row per member with the year's counts, points and missing requirements (sortable, filterable);
a member's page with the year's entries; downloads of the records export (xlsx/csv) and the annual archive
(docx, one member or all as a zip), built by the same code as `export records|archive` (bot/records_export.py)."""
from __future__ import annotations

from flask import Response, abort, render_template, request, url_for

from bot.archive import OUTCOMES, WALK_IN, archive_name, build_archive
from bot.console import console, runtime
from bot.console.auth import login_required
from bot.duty_record import member_year, timing
from bot.records_export import (
    HEADERS_ZH, SHEET_TITLE, archives_zip, exported_members, member_years, missing_text, record_header, records_name,
    records_rows, zip_name,
)
from bot.tables import table_bytes
from storage import records
from storage.models import Member

COLUMNS = ["name", "sector", "district", "reports", "reports_adopted", "checkins", "study_minutes", "attended",
           "absences", "points"]   # the on-screen table (the download has every column)
MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip": "application/zip"}


@console.get("/records")
@login_required
def records_list():
    rt = runtime()
    year = _year(rt)
    sort = request.args.get("sort", "district")
    sort = sort if sort in COLUMNS else "district"
    descending = request.args.get("dir") == "desc"
    with rt.db.session() as session:
        rows = [_row(m, result) for m, result in member_years(rt, session, year) if m.role == "member"]
    rows = [r for r in rows if _wanted(r)]
    rows.sort(key=lambda r: (r[sort] is None, r[sort]), reverse=descending)
    districts = sorted({r["district"] for r in rows if r["district"]})
    sectors = sorted({r["sector"] for r in rows if r["sector"]})
    return render_template("console/records.html", rows=rows, year=year, columns=COLUMNS, headers=HEADERS_ZH,
                           sort=sort, descending=descending, args=request.args, districts=districts,
                           sectors=sectors, sort_url=_sort_url)


def _row(member: Member, result) -> dict:
    row = {"id": member.id, "name": member.name, "phone": member.phone, "sector": member.sector or "",
           "district": member.district or ""}
    row.update({name: getattr(result.counts, name) for name in records.COUNT_FIELDS})
    row["missing"] = missing_text(result)
    return row


def _wanted(row: dict) -> bool:
    args = request.args
    text = args.get("q", "").strip()
    return ((not text or text in row["name"] or text in row["phone"])
            and (not args.get("district") or row["district"] == args["district"])
            and (not args.get("sector") or row["sector"] == args["sector"])
            and (args.get("missing") != "1" or bool(row["missing"])))


def _sort_url(column: str, current: str, descending: bool) -> str:
    args = request.args.to_dict()
    args.update(sort=column, dir="asc" if column == current and descending else
                ("desc" if column == current or column in records.COUNT_FIELDS else "asc"))
    return url_for("console.records_list", **args)


@console.get("/records/<int:member_id>")
@login_required
def records_member(member_id: int):
    rt = runtime()
    year = _year(rt)
    with rt.db.session() as session:
        member = _member(session, member_id)
        result = member_year(rt, session, member, year)
        items = records.member_items(session, member, year, rt.tz, now=rt.now(), timing=timing(rt))
        return render_template("console/records_member.html", m=member, year=year, result=result, items=items,
                               missing=missing_text(result), headers=HEADERS_ZH,
                               outcomes=OUTCOMES, walk_in=WALK_IN)


@console.get("/records/export")
@login_required
def records_export():
    rt = runtime()
    year = _year(rt)
    fmt = "csv" if request.args.get("format") == "csv" else "xlsx"
    with rt.db.session() as session:
        rows = records_rows(rt, session, year)
    data = table_bytes(record_header("zh"), rows, fmt, sheet_title=SHEET_TITLE.format(year=year))
    return _download(data, records_name(year, fmt), fmt)


@console.get("/records/<int:member_id>/archive")
@login_required
def records_archive(member_id: int):
    rt = runtime()
    year = _year(rt)
    with rt.db.session() as session:
        member = _member(session, member_id)
        return _download(build_archive(rt, session, member, year), archive_name(member, year), "docx")


@console.get("/records/archives")
@login_required
def records_archives():
    rt = runtime()
    year = _year(rt)
    with rt.db.session() as session:
        data = archives_zip(rt, session, exported_members(session), year)
    return _download(data, zip_name(year), "zip")


def _download(data: bytes, name: str, kind: str) -> Response:
    from urllib.parse import quote

    disposition = f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, mimetype=MIME[kind], headers={"Content-Disposition": disposition})


def _year(rt) -> int:
    try:
        year = int(request.args.get("year") or rt.now().year)
    except ValueError:
        abort(404)
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _member(session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.role != "member":
        abort(404)
    return member
