"""Report photos copied off WeChat's temporary media (bot/media.py) against the fake WeChat server."""
from __future__ import annotations

import hashlib

import pytest

import intents
from bot import media
from bot.wechat_api import PermanentError, WeChatAPI
from bot.worker import Scheduler, default_jobs
from conftest import FIXED_NOW
from fake_wechat import fake_wechat, point_at  # noqa: F401 - the fixture
from storage.models import ReportAttachment

PHOTO = b"\xff\xd8\xff\xe0 a small jpeg \xff\xd9"
REPORT = "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了，建议住建部门加强监管，督促热力公司整改"


@pytest.fixture(autouse=True, scope="module")
def warm_intents():
    intents.warm_up()  # keep model training out of the webhook's reply budget


@pytest.fixture
def rt(runtime, fake_wechat, tmp_path):  # noqa: F811
    return point_at(runtime, fake_wechat, **{"media.dir": str(tmp_path / "media")})


def submit_with_photo(wechat) -> None:
    """A member drafts a report, sends a photo (media id 'img1') and submits."""
    wechat.say("o_zhang", "我想反映个问题")
    assert "图片" in wechat.image("o_zhang")
    wechat.say("o_zhang", REPORT)
    assert "SQ2026-0001" in wechat.say("o_zhang", "提交")


def attachment(rt) -> ReportAttachment:
    with rt.db.session() as session:
        return session.query(ReportAttachment).one()


def test_photo_is_stored_once(rt, fake_wechat, wechat, member, tmp_path, cli, monkeypatch):
    fake_wechat.add_media("img1", PHOTO, "image/jpeg")
    submit_with_photo(wechat)
    assert media.fetch_pending(rt) == 1
    item = attachment(rt)
    name = hashlib.sha256(PHOTO).hexdigest() + ".jpg"
    assert item.stored_path == name and item.stored_at == FIXED_NOW and item.fetch_error == ""
    assert (tmp_path / "media" / name).read_bytes() == PHOTO
    assert media.fetch_pending(rt) == 0                  # nothing refetched
    assert len(fake_wechat.calls_to("media")) == 1
    monkeypatch.setenv("BOT__MEDIA__DIR", str(tmp_path / "media"))
    code, out, _ = cli("reports", "show", "SQ2026-0001")
    assert code == 0 and f"已保存：{tmp_path / 'media' / name}" in out


def test_invalid_media_is_recorded_and_not_retried(rt, fake_wechat, wechat, member, tmp_path):
    submit_with_photo(wechat)                            # the fake knows no 'img1': 40007
    assert media.fetch_pending(rt) == 0
    item = attachment(rt)
    assert item.stored_path == "" and item.fetch_error.startswith("40007")
    assert media.fetch_pending(rt) == 0
    assert len(fake_wechat.calls_to("media")) == 1
    assert not (tmp_path / "media").exists()


@pytest.mark.parametrize("fault", [{"errcode": -1}, {"status": 502}, {"errcode": 45011}])
def test_transient_error_is_retried_next_run(rt, fake_wechat, wechat, member, fault):
    fake_wechat.add_media("img1", PHOTO, "image/png")
    fake_wechat.fail("media", **fault)
    submit_with_photo(wechat)
    assert media.fetch_pending(rt) == 0
    assert attachment(rt).stored_path == "" and attachment(rt).fetch_error == ""
    assert media.fetch_pending(rt) == 1
    assert attachment(rt).stored_path.endswith(".png")
    assert len(fake_wechat.calls_to("media")) == 2


def test_expired_token_is_refreshed_for_a_download(rt, fake_wechat):
    fake_wechat.add_media("m1", PHOTO, "image/jpeg")
    api = WeChatAPI(rt)
    api.access_token()
    fake_wechat.expire_tokens()
    assert api.download_media("m1") == (PHOTO, "image/jpeg")
    assert fake_wechat.token_fetches == 2


def test_oversized_file_is_refused(rt, fake_wechat):
    fake_wechat.add_media("big", PHOTO * 100, "image/jpeg")
    with pytest.raises(PermanentError, match="larger"):
        WeChatAPI(rt).download_media("big", max_bytes=len(PHOTO))


def test_media_job_runs_from_the_scheduler(rt, fake_wechat, wechat, member, tmp_path):
    fake_wechat.add_media("img1", PHOTO, "image/jpeg")
    submit_with_photo(wechat)
    jobs = default_jobs(rt, ["media"])
    assert jobs[0].every == 60
    assert Scheduler(rt, jobs).tick(FIXED_NOW) == ["media"]
    assert (tmp_path / "media" / attachment(rt).stored_path).read_bytes() == PHOTO
