"""Console 名册 (admin only): filters, upload with a preview (add/update/reject with reasons) before importing,
unbind, binding codes; every change audited on the member."""
from __future__ import annotations

import io

from sqlalchemy import select

from conftest import add_member
from console_helpers import csrf_token, staff_client
from storage import binding
from storage.models import AuditEntry, BindingCode, Member

CSV = ("姓名,手机号,界别,旗区,角色\n"
       "张三,13912345678,教育界,东胜区,委员\n"     # exists: 界别 changes
       "钱七,13912340007,科技界,准旗,委员\n"        # new
       "孙八,12345,经济界,东胜区,委员\n")           # bad phone


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the session's CSRF token, read from a page of this area."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/console/roster")}, **kwargs)


def _upload(client, text: str = CSV, name: str = "名册.csv", follow: bool = False):
    return client.post("/console/roster/upload", data={
        "csrf_token": csrf_token(client, "/console/roster/upload"),
        "file": (io.BytesIO(text.encode("utf-8")), name)}, content_type="multipart/form-data",
        follow_redirects=follow)


def test_admin_only(app, runtime):
    client = staff_client(app, runtime)  # a staff (non-admin) account
    for url in ("/console/roster", "/console/roster/upload", "/console/roster/1"):
        assert client.get(url).status_code == 403
    assert app.test_client().get("/console/roster").status_code == 302


def test_list_filters(app, runtime, member):
    add_member(runtime, "李四", "13912345679", sector="科技界", district="准格尔旗")
    client = staff_client(app, runtime, admin=True)
    page = client.get("/console/roster").get_data(as_text=True)
    assert "张三" in page and "李四" in page
    page = client.get("/console/roster?sector=科技界").get_data(as_text=True)
    assert "李四" in page and "张三" not in page
    page = client.get("/console/roster?district=东胜区&bound=yes").get_data(as_text=True)
    assert "张三" in page and "李四" not in page
    page = client.get("/console/roster?q=5679").get_data(as_text=True)
    assert "李四" in page and "张三" not in page
    page = client.get("/console/roster?bound=no&role=member").get_data(as_text=True)
    assert "李四" in page and "张三" not in page


def test_upload_previews_then_imports(app, runtime, member):
    client = staff_client(app, runtime, admin=True)
    page = _upload(client).get_data(as_text=True)
    assert "新增 1 人，更新 1 人，未变 0 人，有误 1 行" in page
    assert "手机号格式不对" in page and "界别：经济界 → 教育界" in page
    with runtime.db.session() as session:  # nothing written by the preview
        assert session.scalar(select(Member).where(Member.phone == "13912340007")) is None
    token = page.split('name="token" value="')[1].split('"')[0]
    refused = post(client, "/console/roster/import", {"token": token, "file": "名册.csv"},
                   follow_redirects=True).get_data(as_text=True)
    assert "有 1 行有误，未导入任何数据" in refused
    done = post(client, "/console/roster/import", {"token": token, "file": "名册.csv", "skip_bad": "1"},
                follow_redirects=True).get_data(as_text=True)
    assert "导入完成：新增 1，更新 1，未变 0，跳过 1" in done
    with runtime.db.session() as session:
        new = session.scalar(select(Member).where(Member.phone == "13912340007"))
        assert new.district == "准格尔旗"
        assert session.get(Member, member.id).sector == "教育界"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.item_id == str(member.id)))
        assert entry.before == {"界别": "经济界"} and entry.after == {"界别": "教育界"}
    assert "名册导入" in client.get(f"/console/roster/{member.id}").get_data(as_text=True)


def test_upload_of_an_unusable_file(app, runtime):
    client = staff_client(app, runtime, admin=True)
    assert "表头缺少必填列" in _upload(client, "a,b\n1,2\n", follow=True).get_data(as_text=True)
    assert "不支持的文件类型" in _upload(client, "x", "名册.doc", follow=True).get_data(as_text=True)


def test_unbind_and_binding_code(app, runtime, member):
    client = staff_client(app, runtime, admin=True)
    page = post(client, f"/console/roster/{member.id}/unbind", follow_redirects=True).get_data(as_text=True)
    assert "已解除 张三 的微信绑定" in page and "解除微信绑定" in page
    with runtime.db.session() as session:
        assert session.get(Member, member.id).openid is None
    page = post(client, f"/console/roster/{member.id}/code", {"hours": "24"}).get_data(as_text=True)
    code = page.split("<strong")[1].split(">")[1].split("<")[0]
    assert len(code) == 6 and f"绑定 张三 13912345678 {code}" in page
    with runtime.db.session() as session:
        stored = session.scalar(select(BindingCode).where(BindingCode.member_id == member.id))
        assert binding.code_matches(code, stored.code_hash)
    assert "生成绑定验证码" in client.get(f"/console/roster/{member.id}").get_data(as_text=True)
    assert code not in client.get(f"/console/roster/{member.id}").get_data(as_text=True)
