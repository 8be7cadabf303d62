"""The WeChat callback protocol, with real signed and encrypted messages."""
from __future__ import annotations

import threading
import time

import pytest

from bot import protocol, replies
from bot.protocol import SafeMode, parse_xml, sign, text_reply_xml, to_inbound
from bot.wechat_sim import Envelope, event_xml, next_msg_id, text_xml
from conftest import AES_KEY, APPID, TOKEN, WeChat, add_member, make_config
from storage.models import Checkin
from webhook import create_app

VECTOR_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9"
    "FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3y"
    "t+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v"
    "6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=")


# --- official vectors ------------------------------------------------------------------------

def test_plain_signature_vector():
    assert sign("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"
    assert protocol.check_signature("test", "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff", "1410685589", "test")


def test_safe_mode_vector_decrypts():
    safe = SafeMode("spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")
    xml = safe.decrypt(VECTOR_ENCRYPT, "5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132")
    msg = to_inbound(parse_xml(xml.encode()))
    assert (msg.openid, msg.account, msg.text) == ("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_10f6c3c3ac5a", "abcdteT")
    assert (msg.msg_id, msg.create_time) == ("6054768590064713728", 1409735668)


def test_safe_mode_vector_through_the_app(runtime):
    """The official sample posted to /wechat, with the replay window widened to admit its old timestamp."""
    runtime.config = make_config(**{"wechat.token": "spamtest", "wechat.aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                                    "wechat.appid": "wx2c2769f8efd9abc2", "wechat.replay_window_seconds": 10**10})
    client = create_app(runtime).test_client()
    body = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{VECTOR_ENCRYPT}]]></Encrypt></xml>"
    query = ("signature=" + sign("spamtest", "1409735669", "1320562132") + "&timestamp=1409735669&nonce=1320562132"
             "&encrypt_type=aes&msg_signature=5d197aaffba7e9b25a30732f161a50dee96bd5fa&openid=oyORnuP8q7ou2gfYjqLzSIWZf0rs")
    resp = client.post("/wechat?" + query, data=body, content_type="text/xml")
    assert resp.status_code == 200
    envelope = Envelope("spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")
    assert "绑定" in envelope.unwrap(200, resp.data)  # a stranger is told how to bind
    bad = query.replace("msg_signature=5d", "msg_signature=6d")
    assert client.post("/wechat?" + bad, data=body, content_type="text/xml").status_code == 403


# --- URL check and signatures -----------------------------------------------------------------

def _query(token=TOKEN, timestamp=None, **extra):
    ts = str(int(time.time()) if timestamp is None else timestamp)
    params = {"signature": sign(token, ts, "n1"), "timestamp": ts, "nonce": "n1", **extra}
    return "&".join(f"{k}={v}" for k, v in params.items())


def test_url_check_echoes(app):
    client = app.test_client()
    resp = client.get("/wechat?" + _query(echostr="hello123"))
    assert resp.status_code == 200 and resp.data == b"hello123"


@pytest.mark.parametrize("query", [
    lambda: _query(token="wrong", echostr="x"),
    lambda: _query(timestamp=int(time.time()) - 301, echostr="x"),
    lambda: "timestamp=1&nonce=2&echostr=x",
])
def test_url_check_refused(app, query):
    assert app.test_client().get("/wechat?" + query()).status_code == 403


def test_bad_signature_processes_nothing(runtime, app, member):
    client = app.test_client()
    body = text_xml("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", next_msg_id())
    resp = client.post("/wechat?" + _query(token="wrong"), data=body, content_type="text/xml")
    assert resp.status_code == 403
    old = client.post("/wechat?" + _query(timestamp=int(time.time()) - 3600), data=body, content_type="text/xml")
    assert old.status_code == 403
    with runtime.db.session() as session:
        assert session.query(Checkin).count() == 0


def test_body_over_limit_is_413(app):
    body = "<xml>" + "x" * 70_000 + "</xml>"
    assert app.test_client().post("/wechat?" + _query(), data=body, content_type="text/xml").status_code == 413


@pytest.mark.parametrize("body", [
    b"not xml at all",
    b"<xml><MsgType>text</MsgType></xml>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>',
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>',
])
def test_malformed_or_hostile_xml_is_refused(app, body):
    resp = app.test_client().post("/wechat?" + _query(), data=body, content_type="text/xml")
    assert resp.status_code == 400


# --- message types and events -----------------------------------------------------------------

def test_reply_xml_addresses_the_member(app, member):
    resp = WeChat(app.test_client(), Envelope(TOKEN)).post(text_xml("o_zhang", "帮助", next_msg_id(), account="gh_ours"))
    fields = parse_xml(resp.data)
    assert fields["ToUserName"] == "o_zhang" and fields["FromUserName"] == "gh_ours"
    assert fields["MsgType"] == "text" and fields["Content"]


def test_events(wechat, member):
    assert "绑定" in wechat.event("o_new", "subscribe")
    assert "绑定" in wechat.event("o_new", "subscribe", "qrscene_A1")
    assert wechat.event("o_zhang", "unsubscribe") == ""
    assert wechat.event("o_zhang", "VIEW", "http://x") == ""
    assert wechat.event("o_zhang", "TEMPLATESENDJOBFINISH") == ""
    assert "履职情况" in wechat.event("o_zhang", "CLICK", "RECORD")
    assert wechat.event("o_zhang", "CLICK", "NO_SUCH_KEY") == ""


def test_voice_uses_recognition(wechat, member):
    assert "打卡成功" in wechat.voice("o_zhang", "今天学习了政协章程一个小时")
    assert wechat.voice("o_zhang", None) == replies.VOICE_NOT_RECOGNISED
    assert wechat.voice("o_zhang", "") == replies.VOICE_NOT_RECOGNISED


def test_image_and_location_get_a_short_answer(wechat, member):
    assert wechat.image("o_zhang") == replies.MEDIA_NOT_SUPPORTED
    loc = ("<xml><ToUserName>gh</ToUserName><FromUserName>o_zhang</FromUserName><CreateTime>1</CreateTime>"
           f"<MsgType>location</MsgType><Location_X>39.6</Location_X><Location_Y>109.8</Location_Y><Scale>15</Scale>"
           f"<Label>东胜区富兴街道</Label><MsgId>{next_msg_id()}</MsgId></xml>")
    assert "东胜区富兴街道" in wechat.deliver(loc, "o_zhang")


def test_reply_never_exceeds_2048_bytes(runtime, wechat, member):
    from storage.activities import NewActivity, create_activity
    from conftest import FIXED_NOW
    from datetime import timedelta

    with runtime.db.session() as session:
        for i in range(8):
            create_activity(session, NewActivity("很长的活动名称" * 6, "视察", FIXED_NOW + timedelta(days=i + 1),
                                                 "地点" * 20, 10))
    reply = wechat.say("o_zhang", "近期活动")
    assert len(reply.encode("utf-8")) <= 2048
    assert protocol.shorten_utf8("字" * 1000, 2048).endswith("……")
    assert len(protocol.shorten_utf8("字" * 1000, 2048).encode()) <= 2048


# --- retries ---------------------------------------------------------------------------------

def test_retry_gets_same_reply_and_one_record(runtime, wechat, member):
    msg_id = next_msg_id()
    first = wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", msg_id=msg_id)
    second = wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", msg_id=msg_id)
    assert first == second and "打卡成功" in first
    with runtime.db.session() as session:
        assert session.query(Checkin).count() == 1


def test_same_msgid_from_two_users_are_two_messages(runtime, wechat, member):
    add_member(runtime, "李四", "13912340000", openid="o_li")
    msg_id = next_msg_id()
    wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", msg_id=msg_id)
    wechat.say("o_li", "学习打卡 今天学习了《政协章程》30分钟", msg_id=msg_id)
    with runtime.db.session() as session:
        assert session.query(Checkin).count() == 2


def test_event_retry_is_deduplicated(runtime, app, member):
    wechat = WeChat(app.test_client(), Envelope(TOKEN))
    xml = event_xml("o_zhang", "CLICK", "RECORD", create_time=1_700_000_000)
    assert wechat.deliver(xml) == wechat.deliver(xml)


def test_concurrent_retries_while_first_is_slow(runtime, app, member, monkeypatch):
    """WeChat retries while the first try is still running: one record, the same reply to all."""
    from bot.dialogs import checkin

    real_save = checkin.save

    def slow_save(turn, data):
        time.sleep(0.5)
        return real_save(turn, data)

    monkeypatch.setattr(checkin, "save", slow_save)
    msg_id = next_msg_id()
    xml = text_xml("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", msg_id)
    answers = []

    def post():
        answers.append(WeChat(app.test_client(), Envelope(TOKEN)).deliver(xml))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert len(set(answers)) == 1 and "打卡成功" in answers[0]
    with runtime.db.session() as session:
        assert session.query(Checkin).count() == 1


# --- safe and compatible modes ------------------------------------------------------------------

@pytest.fixture
def safe_app(runtime):
    runtime.config = make_config(**{"wechat.aes_key": AES_KEY})
    return create_app(runtime)


def test_safe_mode_round_trip(safe_app, member):
    wechat = WeChat(safe_app.test_client(), Envelope(TOKEN, AES_KEY, APPID))
    resp = wechat.post(text_xml("o_zhang", "我的履职", next_msg_id()))
    assert b"<Encrypt>" in resp.data and "我的履职" not in resp.data.decode()
    assert "履职情况" in wechat.envelope.unwrap(resp.status_code, resp.data)


def test_safe_mode_success_is_plain(safe_app, member):
    wechat = WeChat(safe_app.test_client(), Envelope(TOKEN, AES_KEY, APPID))
    resp = wechat.post(event_xml("o_zhang", "unsubscribe"))
    assert resp.data == b"success"


def test_safe_mode_wrong_appid_or_signature(safe_app, member):
    other = WeChat(safe_app.test_client(), Envelope(TOKEN, AES_KEY, "wxOTHERAPPID0000"))
    assert other.post(text_xml("o_zhang", "帮助", next_msg_id())).status_code == 403
    good = Envelope(TOKEN, AES_KEY, APPID).wrap(text_xml("o_zhang", "帮助", next_msg_id()))
    tampered = good.query.replace("msg_signature=", "msg_signature=0")
    resp = safe_app.test_client().post("/wechat?" + tampered, data=good.body, content_type="text/xml")
    assert resp.status_code == 403


def test_compatible_mode_plain_fields_and_encrypt(safe_app, member):
    """Compatible mode: plaintext fields beside <Encrypt>; we trust only the verified ciphertext."""
    envelope = Envelope(TOKEN, AES_KEY, APPID)
    inner = text_xml("o_zhang", "我的履职", next_msg_id())
    req = envelope.wrap(inner)
    encrypted = parse_xml(req.body)["Encrypt"]
    body = inner.replace("</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    resp = safe_app.test_client().post("/wechat?" + req.query, data=body, content_type="text/xml")
    assert "履职情况" in envelope.unwrap(resp.status_code, resp.data)


def test_plaintext_reply_helper_escapes_cdata_end():
    inbound = to_inbound({"FromUserName": "o", "ToUserName": "gh", "MsgType": "text", "Content": "x"})
    xml = text_reply_xml(inbound, "a]]>b")
    assert parse_xml(xml.encode())["Content"] == "a]]>b"


def test_healthz(app):
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 200 and resp.json["database"] and resp.json["store"]


# --- failures ----------------------------------------------------------------------------------

def test_handler_crash_keeps_the_message(runtime, wechat, member, monkeypatch):
    from bot.dialogs import checkin
    from storage.models import UnhandledMessage

    def broken(turn, data):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(checkin, "save", broken)
    msg_id = next_msg_id()
    text = "学习打卡 今天学习了《政协章程》30分钟"
    assert wechat.say("o_zhang", text, msg_id=msg_id) == replies.INTERNAL_ERROR
    assert wechat.say("o_zhang", text, msg_id=msg_id) == replies.INTERNAL_ERROR  # the retry: same answer
    with runtime.db.session() as session:
        kept = session.query(UnhandledMessage).one()
        assert kept.text == text and kept.openid == "o_zhang" and "disk on fire" in kept.error


def test_staff_list_failed_messages(runtime, wechat, member, monkeypatch, cli):
    from bot.dialogs import checkin

    monkeypatch.setattr(checkin, "save", lambda turn, data: 1 / 0)
    wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟")
    code, out, _ = cli("messages", "failed")
    assert code == 0 and "张三 13912345678" in out and "学习打卡 今天学习了《政协章程》30分钟" in out


def test_slow_handler_answers_processing_then_outbox(runtime, wechat, member, monkeypatch):
    from bot.dialogs import record
    from storage.models import OutboxMessage

    runtime.config = runtime.config.with_overrides({"wechat.handler_budget_seconds": 0.2})
    real_show = record.show

    def slow_show(turn, slots):
        time.sleep(0.6)
        return real_show(turn, slots)

    from bot.dialogs import INTENT_HANDLERS

    dialog, _ = INTENT_HANDLERS["query_record"]
    monkeypatch.setitem(INTENT_HANDLERS, "query_record", (dialog, slow_show))
    assert wechat.say("o_zhang", "我的履职") == replies.PROCESSING
    deadline = time.time() + 5
    while time.time() < deadline:
        with runtime.db.session() as session:
            late = session.query(OutboxMessage).filter_by(kind="late_reply").all()
        if late:
            break
        time.sleep(0.1)
    assert len(late) == 1 and "履职情况" in late[0].text and late[0].openid == "o_zhang"


def test_store_outage_still_records_one_message_requests(runtime, member):
    """Redis down: no de-duplication or dialogs, but a complete check-in is still stored exactly once."""
    from storage.kv import RedisStore

    runtime.kv = RedisStore("redis://127.0.0.1:1/0")  # nothing listens there
    wechat = WeChat(create_app(runtime).test_client(), Envelope(TOKEN))
    msg_id = next_msg_id()
    assert "打卡成功" in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", msg_id=msg_id)
    assert "打卡成功" in wechat.say("o_zhang", "学习打卡 今天学习了《政协章程》30分钟", msg_id=msg_id)
    with runtime.db.session() as session:
        assert session.query(Checkin).count() == 1
    assert create_app(runtime).test_client().get("/healthz").status_code == 503
