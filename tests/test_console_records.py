"""Console 履职: one row per member (counts, points, missing requirements), sorting and filters, the member's
year, and the downloads (records xlsx/csv, one archive docx, all archives zip) built like `export …`."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from openpyxl import load_workbook

from conftest import add_member
from console_helpers import staff_client
from storage.models import Checkin


def _checkins(rt, member, n: int) -> None:
    with rt.db.session() as session:
        for day in range(1, n + 1):
            session.add(Checkin(member_id=member.id, day=date(2026, 11, day), material="政协章程", minutes=30,
                                source=f"k{member.id}-{day}"))


def test_list_sort_filter(app, runtime, member):
    other = add_member(runtime, "李四", "13912345679", sector="科技界", district="准格尔旗")
    _checkins(runtime, other, 3)
    client = staff_client(app, runtime)
    page = client.get("/console/records?year=2026").get_data(as_text=True)
    table = page.split("<tbody>")[1]
    assert "张三" in table and "李四" in table and "王秘书" not in table  # staff have no duty record
    assert "学习打卡 差9次" in page  # 12 required, 3 done
    page = client.get("/console/records?year=2026&sort=checkins&dir=desc").get_data(as_text=True)
    assert page.index("李四") < page.index("张三")
    page = client.get("/console/records?year=2026&sort=checkins&dir=asc").get_data(as_text=True)
    assert page.index("张三") < page.index("李四")
    page = client.get("/console/records?year=2026&district=准格尔旗").get_data(as_text=True)
    assert "李四" in page and "张三" not in page


def test_member_page_lists_the_years_entries(app, runtime, member):
    _checkins(runtime, member, 2)
    page = staff_client(app, runtime).get(f"/console/records/{member.id}?year=2026").get_data(as_text=True)
    assert "张三 · 2026年履职" in page and page.count("政协章程") == 2


def test_downloads(app, runtime, member):
    _checkins(runtime, member, 1)
    client = staff_client(app, runtime)
    resp = client.get("/console/records/export?year=2026&format=xlsx")
    assert resp.status_code == 200 and "records-2026.xlsx" in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(resp.data)).active
    assert [c.value for c in sheet[1]][:4] == ["姓名", "手机号", "界别", "旗区"] and sheet["A2"].value == "张三"
    csv = client.get("/console/records/export?year=2026&format=csv").data
    assert csv.startswith("\ufeff".encode()) and "张三".encode() in csv
    docx = client.get(f"/console/records/{member.id}/archive?year=2026")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    archive = zipfile.ZipFile(io.BytesIO(client.get("/console/records/archives?year=2026").data))
    assert archive.namelist() == ["张三-13912345678.docx"]


def test_needs_a_session(app):
    assert app.test_client().get("/console/records/export?year=2026").status_code == 302
