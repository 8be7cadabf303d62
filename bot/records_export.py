"""The year's duty records handed over to the leadership, for the CLI (`export records|archive`) and the console.

One row per member (demo members never: storage/demo.py) with Chinese column headers by default or the machine
keys (name, phone, sector, district, reports, reports_adopted, checkins, study_minutes, signups, attended,
points, then the further counts, requirements_missing, then the 提案 counts); the annual 履职档案 (bot.archive) of every member as one zip.
"""
from __future__ import annotations

import io
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import duty_record, replies
from bot.archive import archive_name, build_archive
from bot.runtime import Runtime
from storage import records
from storage.demo import real_members
from storage.models import Member
from storage.records import MemberYear

MEMBER_COLUMNS = ["name", "phone", "sector", "district"]
RECORD_COLUMNS = MEMBER_COLUMNS + records.COUNT_FIELDS + ["requirements_missing"] + records.PROPOSAL_FIELDS
# Chinese headers (the default), one per machine key
HEADERS_ZH = {
    "name": "姓名", "phone": "手机号", "sector": "界别", "district": "旗区",
    "reports": "社情民意", "reports_adopted": "社情民意采用", "checkins": "学习打卡", "study_minutes": "学习分钟",
    "signups": "活动报名", "attended": "活动出席", "points": "履职积分", "reports_instructed": "社情民意获批示",
    "seconds": "附议", "leaves": "请假", "absences": "缺席", "waitlisted": "候补未参加",
    "requirements_missing": "未达年度要求", "proposals": "提案", "proposals_cosigned": "联名提案",
    "proposals_registered": "提案立案", "proposals_key": "重点提案", "proposals_excellent": "优秀提案",
}
SHEET_TITLE = "{year}年履职统计"


def record_header(language: str) -> list[str]:
    return list(RECORD_COLUMNS) if language == "en" else [HEADERS_ZH[key] for key in RECORD_COLUMNS]


def exported_members(session: Session) -> list[Member]:
    """Every real (not demo) roster entry, by district."""
    return list(session.scalars(select(Member).where(real_members()).order_by(Member.district, Member.id)))


def member_years(rt: Runtime, session: Session, year: int) -> list[tuple[Member, MemberYear]]:
    """(member, their year) for every exported member, members without any fact included."""
    years = duty_record.everyone(rt, session, year)
    return [(member, years.get(member.id) or duty_record.empty(rt, year)) for member in exported_members(session)]


def records_rows(rt: Runtime, session: Session, year: int) -> list[list]:
    return [[member.name, member.phone, member.sector, member.district]
            + [getattr(result.counts, name) for name in records.COUNT_FIELDS] + [missing_text(result)]
            + [getattr(result.counts, name) for name in records.PROPOSAL_FIELDS]
            for member, result in member_years(rt, session, year)]


def missing_text(result: MemberYear) -> str:
    """e.g. '学习打卡 差10次；活动 差1次' ('' when every requirement is met)."""
    parts = []
    for req in result.progress.missing:
        label, unit = replies.REQUIREMENT_LABELS[req.key]
        parts.append(f"{label} 差{req.missing}{unit}")
    return "；".join(parts)


def archives_zip(rt: Runtime, session: Session, found: list[Member], year: int) -> bytes:
    """Each member's 履职档案 (姓名-手机号.docx) in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in found:
            archive.writestr(archive_name(member), build_archive(rt, session, member, year))
    return buffer.getvalue()


def zip_name(year: int) -> str:
    return f"archives-{year}.zip"


def records_name(year: int, fmt: str) -> str:
    return f"records-{year}.{fmt}"
