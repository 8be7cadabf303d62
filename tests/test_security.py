"""Issue 10, part A: the hostile-input table as tests (modes, replay, privacy of 附议, edges).

Each test first reproduced a finding of the attack report; binding is in test_binding.py.
"""
from __future__ import annotations

import io
import time
from datetime import date

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

import intents
from bot import replies
from bot.config import ConfigError, Settings
from bot.protocol import Inbound, ProtocolError, parse_xml, to_inbound
from bot.signed_links import digest_path, make_token
from bot.wechat_sim import Envelope, event_xml, next_msg_id, text_xml
from conftest import AES_KEY, APPID, FIXED_NOW, TOKEN, WeChat, add_member, make_config
from storage import reports
from storage.models import Checkin, Member, OutboxMessage, Report, ReportSecond
from storage.report_privacy import may_second
from webhook import create_app

CHECKIN = "学习打卡 今天学习了《政协章程》30分钟"


@pytest.fixture(autouse=True, scope="module")
def warm_intents():
    intents.warm_up()  # the first parse trains the model; keep it out of the 4-second reply budget


def count(rt, model, **where) -> int:
    with rt.db.session() as session:
        return session.query(model).filter_by(**where).count()


def post(app, query: str, body: bytes | str):
    return app.test_client().post("/wechat?" + query, data=body, content_type="text/xml")


def app_in_mode(runtime, **overrides):
    runtime.config = make_config(**overrides)
    return create_app(runtime)


def seed_report(rt, member_id: int, text: str = "东胜区某小区冬季供暖温度不达标，建议热力公司排查管网",
                district: str = "东胜区", status: str = "已提交") -> str:
    with rt.db.session() as session:
        report = reports.create_report(session, session.get(Member, member_id), text=text, title=text[:20],
                                       category="民生保障", district=district, now=FIXED_NOW, prefix="SQ")
        report.status = status
        return report.receipt_no


# --- finding 1: modes and replay ------------------------------------------------------------------

def test_one_signed_query_string_is_not_reusable_for_other_bodies(runtime, app):
    """Finding 1: a signed query seen in a proxy log was reused for 20 bodies = 20 check-ins."""
    openids = [f"o_m{i:02d}" for i in range(20)]
    for i, openid in enumerate(openids):
        add_member(runtime, f"委员{i:02d}", f"139000000{i:02d}", openid=openid)
    seen = Envelope(TOKEN).wrap(text_xml(openids[0], CHECKIN, next_msg_id()))
    assert post(app, seen.query, seen.body).status_code == 200
    statuses = [post(app, seen.query, text_xml(openid, CHECKIN, next_msg_id())).status_code
                for openid in openids[1:]]
    assert statuses == [403] * 19
    assert count(runtime, Checkin) == 1


def test_identical_retry_with_the_same_query_gets_the_first_answer(runtime, app, member):
    req = Envelope(TOKEN).wrap(text_xml("o_zhang", CHECKIN, next_msg_id()))
    first, again = post(app, req.query, req.body), post(app, req.query, req.body)
    assert first.status_code == again.status_code == 200
    assert Envelope(TOKEN).unwrap(200, first.data) == Envelope(TOKEN).unwrap(200, again.data)
    assert "打卡成功" in Envelope(TOKEN).unwrap(200, again.data)
    assert count(runtime, Checkin) == 1


def test_replay_window_pair_is_kept_in_the_shared_store(runtime, app, member):
    """A second app (another worker) sharing the store refuses the reused pair too."""
    other_worker = create_app(runtime)
    req = Envelope(TOKEN).wrap(text_xml("o_zhang", CHECKIN, next_msg_id()))
    assert post(app, req.query, req.body).status_code == 200
    assert post(other_worker, req.query, text_xml("o_zhang", "我的履职", next_msg_id())).status_code == 403


def test_safe_mode_refuses_plaintext_without_encrypt_type(runtime, member, staff):
    """Finding 1: with an AES key set, a plaintext forged staff command (退回) was executed."""
    app = app_in_mode(runtime, **{"wechat.aes_key": AES_KEY})
    receipt = seed_report(runtime, member.id)
    forged = Envelope(TOKEN).wrap(text_xml("o_staff", f"退回 {receipt} 理由不充分", next_msg_id()))
    assert post(app, forged.query, forged.body).status_code == 403
    with runtime.db.session() as session:
        assert session.query(Report).filter_by(receipt_no=receipt).one().status == "已提交"


@pytest.mark.parametrize("mode", ["safe", ""])
def test_safe_mode_refuses_plaintext_fields_beside_encrypt_without_aes_query(runtime, member, mode):
    app = app_in_mode(runtime, **{"wechat.aes_key": AES_KEY, "wechat.mode": mode})
    envelope = Envelope(TOKEN, AES_KEY, APPID)
    inner = text_xml("o_zhang", CHECKIN, next_msg_id())
    req = envelope.wrap(inner)
    encrypted = parse_xml(req.body)["Encrypt"]
    plain_query = "&".join(p for p in req.query.split("&") if not p.startswith(("encrypt_type", "msg_signature")))
    assert post(app, plain_query, inner).status_code == 403
    both = inner.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    assert post(app, plain_query, both).status_code in (400, 403)
    assert count(runtime, Checkin) == 0
    assert "打卡成功" in WeChat(app.test_client(), envelope).say("o_zhang", CHECKIN)


def test_safe_mode_identical_encrypted_retry_is_answered_once(runtime, member):
    app = app_in_mode(runtime, **{"wechat.aes_key": AES_KEY})
    envelope = Envelope(TOKEN, AES_KEY, APPID)
    req = envelope.wrap(text_xml("o_zhang", CHECKIN, next_msg_id()))
    first, again = post(app, req.query, req.body), post(app, req.query, req.body)
    assert envelope.unwrap(first.status_code, first.data) == envelope.unwrap(again.status_code, again.data)
    assert count(runtime, Checkin) == 1


def test_compatible_mode_accepts_both_and_prefers_the_encrypted_part(runtime, member):
    app = app_in_mode(runtime, **{"wechat.aes_key": AES_KEY, "wechat.mode": "compatible"})
    assert "打卡成功" in WeChat(app.test_client(), Envelope(TOKEN)).say("o_zhang", CHECKIN)
    envelope = Envelope(TOKEN, AES_KEY, APPID)
    inner = text_xml("o_zhang", "我的履职", next_msg_id())
    req = envelope.wrap(inner)
    decoy = text_xml("o_zhang", "学习打卡 昨天学习了《论人民政协》40分钟", next_msg_id())
    body = decoy.replace("</xml>", f"<Encrypt><![CDATA[{parse_xml(req.body)['Encrypt']}]]></Encrypt></xml>")
    resp = post(app, req.query, body)
    assert "履职情况" in envelope.unwrap(resp.status_code, resp.data)
    assert count(runtime, Checkin) == 1


def test_plain_mode_ignores_the_aes_key(runtime, member):
    app = app_in_mode(runtime, **{"wechat.aes_key": AES_KEY, "wechat.mode": "plain"})
    assert "打卡成功" in WeChat(app.test_client(), Envelope(TOKEN)).say("o_zhang", CHECKIN)
    req = Envelope(TOKEN, AES_KEY, APPID).wrap(text_xml("o_zhang", "我的履职", next_msg_id()))
    assert post(app, req.query, req.body).status_code in (400, 403)


@pytest.mark.parametrize("overrides, words", [
    ({"wechat.mode": "secure"}, "wechat.mode"),
    ({"wechat.mode": "safe"}, "aes_key"),
    ({"wechat.mode": "compatible"}, "aes_key"),
    ({"wechat.mode": "safe", "wechat.aes_key": "short"}, "43"),
])
def test_mode_is_validated_at_start(runtime, overrides, words):
    with pytest.raises(ConfigError, match=words):
        app_in_mode(runtime, **overrides)


def test_default_mode_follows_the_aes_key():
    def mode(**wechat):
        return Settings().with_overrides({f"wechat.{key}": value for key, value in wechat.items()}).wechat.mode

    assert mode() == "plain"
    assert mode(aes_key=AES_KEY) == "safe"
    assert mode(aes_key=AES_KEY, mode=" Compatible ") == "compatible"


# --- the hostile-input table: every row refused, nothing recorded, in plain and in safe mode ----------

BOMB = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><ToUserName>gh</ToUserName><FromUserName>o_zhang'
        '</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&c;</Content><MsgId>1</MsgId></xml>')
XXE = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><FromUserName>o_zhang'
       '</FromUserName><MsgType>text</MsgType><Content>&e;</Content><MsgId>2</MsgId></xml>')
XXE_PARAM = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
             '<xml><FromUserName>o_zhang</FromUserName><MsgType>text</MsgType></xml>')


def _hostile(case: str, envelope: Envelope) -> tuple[str, bytes]:
    """(query, body) for one row of the table, wrapped like WeChat would wrap it where that matters."""
    good = envelope.wrap(text_xml("o_zhang", CHECKIN, next_msg_id()))  # a message that would be accepted
    if case == "forged signature":
        return good.query.replace("signature=", "signature=0", 1), good.body
    if case in ("stale timestamp", "future timestamp"):
        shift = -301 if case == "stale timestamp" else 301
        late = envelope.wrap(text_xml("o_zhang", CHECKIN, next_msg_id()), timestamp=int(time.time()) + shift)
        return late.query, late.body
    if case == "bad msg_signature":
        return good.query.replace("msg_signature=", "msg_signature=0"), good.body
    if case == "other appid":
        other = Envelope(TOKEN, AES_KEY, "wxOTHERAPPID0000").wrap(text_xml("o_zhang", CHECKIN, next_msg_id()))
        return other.query, other.body
    raw = {"xml bomb": BOMB, "xxe": XXE, "xxe parameter entity": XXE_PARAM, "not xml": "hello",
           "wrong root": "<html><FromUserName>o_zhang</FromUserName></html>",
           "no sender": "<xml><MsgType>text</MsgType><Content>x</Content></xml>",
           "openid 65 chars": text_xml("o" * 65, CHECKIN, next_msg_id()),
           "msgid 21 digits": text_xml("o_zhang", CHECKIN, "1" * 21),
           "oversized": text_xml("o_zhang", "x" * 70_000, next_msg_id())}[case]
    wrapped = envelope.wrap(raw)  # safe mode: the hostile XML arrives properly encrypted and signed
    return wrapped.query, wrapped.body


HOSTILE = {  # row -> status in plain mode, status in safe mode
    "forged signature": (403, 403), "stale timestamp": (403, 403), "future timestamp": (403, 403),
    "bad msg_signature": (None, 403), "other appid": (None, 403),
    "xml bomb": (400, 400), "xxe": (400, 400), "xxe parameter entity": (400, 400), "not xml": (400, 400),
    "wrong root": (400, 400), "no sender": (400, 400), "openid 65 chars": (400, 400),
    "msgid 21 digits": (400, 400), "oversized": (413, 413),
}


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input_table(runtime, member, mode, case):
    expected = HOSTILE[case][mode == "safe"]
    if expected is None:
        pytest.skip("no such thing in plain mode")
    safe = mode == "safe"
    app = app_in_mode(runtime, **({"wechat.aes_key": AES_KEY} if safe else {}))
    query, body = _hostile(case, Envelope(TOKEN, AES_KEY, APPID) if safe else Envelope(TOKEN))
    assert post(app, query, body).status_code == expected
    assert count(runtime, Checkin) == 0 and count(runtime, OutboxMessage) == 0


# --- finding 7: edges -------------------------------------------------------------------------------

def test_openid_over_64_chars_is_400_and_stores_nothing(runtime, app):
    """Finding 7: a 65+ char openid got the false '已保存' reply."""
    client = WeChat(app.test_client(), Envelope(TOKEN))
    resp = client.post(text_xml("o" * 200, CHECKIN, next_msg_id()))
    assert resp.status_code == 400
    assert count(runtime, OutboxMessage) == 0
    ok = WeChat(app.test_client(), Envelope(TOKEN))
    assert ok.say("o" * 64, "你好") == replies.BIND_HOW  # 64 is still a (stranger's) openid


@pytest.mark.parametrize("msg_id, status", [("1" * 21, 400), ("9" * 200, 400), ("12ab", 400), ("1" * 20, 200)])
def test_msgid_bounds(runtime, app, member, msg_id, status):
    resp = WeChat(app.test_client(), Envelope(TOKEN)).post(text_xml("o_zhang", "帮助", msg_id))
    assert resp.status_code == status


@pytest.mark.parametrize("fields", [
    {"FromUserName": "o x", "MsgType": "text"},
    {"FromUserName": "o_a", "MsgType": "text", "ToUserName": "g" * 65},
    {"FromUserName": "o_a", "MsgType": "t" * 33},
    {"FromUserName": "o_a", "MsgType": "event", "Event": "E" * 65},
    {"FromUserName": "o_a", "MsgType": "text", "CreateTime": "1" * 30},
])
def test_fields_wechat_never_sends_are_refused(fields):
    with pytest.raises(ProtocolError):
        to_inbound(fields)


def test_dedup_key_is_bounded_and_distinct():
    long_key = Inbound(openid="o" * 64, account="gh", msg_type="event", create_time=1700000000,
                       event="CLICK", event_key="K" * 1000)
    other = Inbound(openid="o" * 64, account="gh", msg_type="event", create_time=1700000000,
                    event="CLICK", event_key="K" * 999 + "L")
    assert len(long_key.dedup_key) <= 100 and len("late:" + long_key.dedup_key) <= 128
    assert long_key.dedup_key != other.dedup_key
    short = Inbound(openid="o_zhang", account="gh", msg_type="text", create_time=1, msg_id="42")
    assert short.dedup_key == "o_zhang:42"  # readable when it fits


def test_long_event_key_is_answered_once(runtime, app, member):
    wechat = WeChat(app.test_client(), Envelope(TOKEN))
    xml = event_xml("o_zhang", "CLICK", "K" * 500, create_time=int(time.time()))
    assert wechat.post(xml).status_code == 200
    assert wechat.post(xml).status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2026-11-28"])
def test_digest_page_out_of_range_with_valid_link_is_404(runtime, app, day):
    """Finding 7: a valid link for /digest/9999-12-31 returned 500."""
    token = make_token(runtime, date.fromisoformat(day))
    resp = app.test_client().get(f"/digest/{day}?token={token}")
    assert resp.status_code == 404


def test_digest_page_in_range_still_works(runtime, app):
    assert app.test_client().get(digest_path(runtime, date(2026, 11, 25))).status_code == 200


def _chunked(app, size: int):
    """A body sent with Transfer-Encoding: chunked, as gunicorn hands it over (no Content-Length)."""
    query = Envelope(TOKEN).wrap("<xml/>").query
    env = EnvironBuilder(path="/wechat", query_string=query, method="POST",
                         headers={"Transfer-Encoding": "chunked", "Content-Type": "text/xml"}).get_environ()
    env.pop("CONTENT_LENGTH", None)
    body = text_xml("o_zhang", "帮助" + "x" * max(0, size - 300), next_msg_id()).encode()
    env["wsgi.input"] = io.BytesIO(body)
    env["wsgi.input_terminated"] = True
    chunks, status, _headers = run_wsgi_app(app, env, buffered=True)
    return int(status.split()[0]), b"".join(chunks), len(body)


def test_chunked_body_over_the_limit_is_413(runtime, app, member):
    """Finding 7: a chunked body over 64 KiB got 400 (truncated, then unparsable) instead of 413."""
    status, _data, size = _chunked(app, 70_000)
    assert size > 65536 and status == 413


def test_chunked_body_within_the_limit_is_answered(runtime, app, member):
    status, data, _size = _chunked(app, 1000)
    assert status == 200 and "帮助" not in data.decode()  # answered (the help text), not refused
    assert Envelope(TOKEN).unwrap(status, data)


def test_content_length_over_the_limit_is_413(app):
    req = Envelope(TOKEN).wrap("<xml/>")
    resp = app.test_client().post("/wechat?" + req.query, data=b"<xml>" + b"x" * 70_000 + b"</xml>",
                                  content_type="text/xml")
    assert resp.status_code == 413


# --- finding 3: privacy of 附议 -----------------------------------------------------------------------

def test_second_by_receipt_of_an_unseen_report_reveals_nothing(runtime, wechat, member, staff):
    """Finding 3: 附议 SQ2026-000N showed other members' titles and subscribed the stranger to notices."""
    li = add_member(runtime, "李四", "13800001111", openid="o_li", district="杭锦旗")
    receipt = seed_report(runtime, li.id, "杭锦旗某嘎查饮水工程水质不达标，建议水务局检测整改", district="杭锦旗")
    closed = seed_report(runtime, li.id, "杭锦旗某苏木道路破损严重影响出行，建议交通局维修", district="杭锦旗",
                         status="未采用")
    for target in (receipt, closed):
        reply = wechat.say("o_zhang", f"附议 {target}")
        assert reply == replies.REPORT_NOT_FOUND.format(receipt=target)
    assert wechat.say("o_zhang", "附议 SQ2026-0099") == replies.REPORT_NOT_FOUND.format(receipt="SQ2026-0099")
    assert count(runtime, ReportSecond) == 0
    wechat.say("o_staff", f"采用 {receipt}")
    with runtime.db.session() as session:
        told = {m.openid for m in session.query(OutboxMessage)}
    assert "o_zhang" not in told


def test_second_scope_same_district(runtime, wechat, member):
    runtime.config = make_config(**{"reports.second_scope": "same_district"})
    li = add_member(runtime, "李四", "13800001111", openid="o_li")
    near = seed_report(runtime, li.id, district="东胜区")
    far = seed_report(runtime, li.id, "杭锦旗某嘎查饮水工程水质不达标，建议水务局检测整改", district="杭锦旗")
    assert wechat.say("o_zhang", f"附议 {near}").startswith("已附议")
    assert wechat.say("o_zhang", f"附议 {far}") == replies.REPORT_NOT_FOUND.format(receipt=far)
    assert count(runtime, ReportSecond) == 1


def test_second_from_the_duplicate_prompt_still_works(runtime, wechat, member):
    """A report offered as similar may be seconded by its receipt number, later too."""
    li = add_member(runtime, "李四", "13800001111", openid="o_li")
    receipt = seed_report(runtime, li.id, "富兴街道好几个老旧小区冬季供暖温度不达标，室温只有十四五度，老人孩子受不了，"
                                          "建议住建部门加强监管，督促热力公司整改")
    shown = wechat.say("o_zhang", "富兴街道老旧小区今年冬天供暖温度不达标，室温才十四五度，建议住建部门加强监管，督促热力公司整改")
    if receipt not in shown:  # offered at the summary or after 提交, depending on the dialog
        shown = wechat.say("o_zhang", "提交")
    assert receipt in shown
    wechat.say("o_zhang", "取消")
    assert wechat.say("o_zhang", f"附议 {receipt}").startswith("已附议")
    assert count(runtime, ReportSecond) == 1


def _report(id_: int, member_id: int, district: str) -> Report:
    return Report(id=id_, member_id=member_id, district=district, receipt_no=f"SQ2026-{id_:04d}")


def _member(id_: int, district: str = "东胜区", role: str = "member") -> Member:
    return Member(id=id_, name="x", phone="1", district=district, role=role)


@pytest.mark.parametrize("scope, viewer, report, offered, seconded, allowed", [
    ("prompt_only", _member(1), _report(9, 2, "东胜区"), (), False, False),
    ("prompt_only", _member(1), _report(9, 2, "东胜区"), (9,), False, True),
    ("prompt_only", _member(1), _report(9, 2, "东胜区"), (), True, True),
    ("prompt_only", _member(1), _report(9, 1, "东胜区"), (), False, True),
    ("same_district", _member(1), _report(9, 2, "东胜区"), (), False, True),
    ("same_district", _member(1), _report(9, 2, "杭锦旗"), (), False, False),
    ("same_district", _member(1, district=""), _report(9, 2, ""), (), False, False),
    ("prompt_only", _member(1, role="staff"), _report(9, 2, "杭锦旗"), (), False, True),
])
def test_visibility_policy(scope, viewer, report, offered, seconded, allowed):
    assert may_second(report, viewer, scope=scope, offered_ids=offered, already_seconded=seconded) is allowed


def test_unknown_second_scope_is_refused():
    with pytest.raises(ValueError):
        may_second(_report(9, 2, "东胜区"), _member(1), scope="everyone", offered_ids=(), already_seconded=False)
