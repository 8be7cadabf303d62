"""A fake WeChat API server on 127.0.0.1 (random port), for tests of the outbound side.

Endpoints: GET /cgi-bin/token, POST /cgi-bin/stable_token, POST /cgi-bin/message/custom/send,
POST /cgi-bin/message/template/send, POST /cgi-bin/message/subscribe/bizsend, GET /cgi-bin/media/get,
POST /cgi-bin/qrcode/create, POST /cgi-bin/menu/create, GET /cgi-bin/menu/get and
/cgi-bin/get_current_selfmenu_info. Like WeChat, fetching a token from /cgi-bin/token invalidates
the previous one; sends check the token (40001 unknown, 42001 expired).

Scripting: fake.fail("custom", errcode=45011), fake.fail("template", status=502, times=2),
fake.fail("custom", delay=3) (slow, then answers normally), fake.refuse("o_x", 43004),
fake.expire_tokens(), fake.add_media("m1", b"...", "image/jpeg") (unknown media ids answer 40007),
fake.kefu_quota("o_x", 5) (kefu sends to o_x beyond 5 answer 45047), fake.subscribed("o_x", "TPL") (one 订阅通知
allowed; bizsend without one answers 43101). Receipts, to post to our webhook: fake.template_receipt(call, status),
fake.subscribe_receipt(call, error_code), subscribe_popup_xml(openid, {template: accept|reject}).
Endpoint names: token, stable_token, custom, template, subscribe, media, qrcode, menu_create, menu_get, selfmenu.
Records: fake.calls (every request), fake.sent (accepted sends), fake.token_fetches.

Use the `fake_wechat` fixture, and `point_at(rt, fake)` to aim a runtime at it.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

APPID, SECRET = "wx0123456789abcdef", "testsecret"
PATHS = {"/cgi-bin/token": "token", "/cgi-bin/stable_token": "stable_token",
         "/cgi-bin/message/custom/send": "custom", "/cgi-bin/message/template/send": "template",
         "/cgi-bin/media/get": "media", "/cgi-bin/message/subscribe/bizsend": "subscribe",
         "/cgi-bin/qrcode/create": "qrcode", "/cgi-bin/menu/create": "menu_create", "/cgi-bin/menu/get": "menu_get",
         "/cgi-bin/get_current_selfmenu_info": "selfmenu"}
SENDS = ("custom", "template", "subscribe")


@dataclass
class Fault:
    errcode: int | None = None
    status: int | None = None       # HTTP status to answer with
    delay: float = 0.0              # seconds before answering
    body: str | None = None         # raw body to answer with


@dataclass
class Call:
    endpoint: str
    query: dict[str, str]
    body: dict[str, Any]
    answer: dict[str, Any] = field(default_factory=dict)


class FakeWeChat:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.sent: list[Call] = []
        self.token_fetches = 0
        self.expires_in = 7200
        self.tokens: dict[str, bool] = {}          # token -> still valid (False = expired)
        self.current: str | None = None
        self.faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.refused: dict[str, int] = {}           # openid -> errcode for every send to it
        self.media: dict[str, tuple[bytes, str]] = {}  # media_id -> (bytes, content type)
        self.kefu_left: dict[str, int] = {}         # openid -> kefu messages WeChat still accepts
        self.opt_ins: dict[tuple[str, str], int] = defaultdict(int)  # (openid, template) -> 订阅通知 allowed
        self.menu: list[dict[str, Any]] | None = None  # the menu created by menu/create
        self.qrcodes: dict[str, str] = {}           # ticket -> scene_str
        self.released = threading.Event()           # set at teardown: wakes delayed handlers
        self._lock = threading.Condition()
        self._serial = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    # -- scripting ------------------------------------------------------------------------------
    def fail(self, endpoint: str, *, errcode: int | None = None, status: int | None = None,
             delay: float = 0.0, body: str | None = None, times: int = 1) -> None:
        assert endpoint in PATHS.values(), endpoint
        for _ in range(times):
            self.faults[endpoint].append(Fault(errcode, status, delay, body))

    def refuse(self, openid: str, errcode: int) -> None:
        self.refused[openid] = errcode

    def add_media(self, media_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        self.media[media_id] = (data, content_type)

    def kefu_quota(self, openid: str, left: int) -> None:
        self.kefu_left[openid] = left

    def subscribed(self, openid: str, template_id: str, times: int = 1) -> None:
        self.opt_ins[(openid, template_id)] += times

    def template_receipt(self, call: Call, status: str = "success") -> str:
        """TEMPLATESENDJOBFINISH for a sent template message."""
        return _event(call.body["touser"], "TEMPLATESENDJOBFINISH",
                      f"<MsgID>{call.answer['msgid']}</MsgID><Status><![CDATA[{status}]]></Status>")

    def subscribe_receipt(self, call: Call, error_code: int = 0, status: str = "success") -> str:
        """subscribe_msg_sent_event for a sent 订阅通知."""
        item = (f"<TemplateId><![CDATA[{call.body['template_id']}]]></TemplateId><MsgID>{call.answer['msgid']}</MsgID>"
                f"<ErrorCode>{error_code}</ErrorCode><ErrorStatus><![CDATA[{status}]]></ErrorStatus>")
        return _event(call.body["touser"], "subscribe_msg_sent_event",
                      f"<SubscribeMsgSentEvent><List>{item}</List></SubscribeMsgSentEvent>")

    def expire_tokens(self) -> None:
        with self._lock:
            self.tokens = {token: False for token in self.tokens}

    def calls_to(self, endpoint: str) -> list[Call]:
        return [call for call in self.calls if call.endpoint == endpoint]

    def calls_to_openid(self, openid: str) -> list[Call]:
        """Every send request for this person, answered or not."""
        return [call for call in self.calls if call.body.get("touser") == openid]

    def sent_to(self, openid: str) -> list[Call]:
        return [call for call in self.sent if call.body.get("touser") == openid]

    def wait_for_calls(self, endpoint: str, count: int, timeout: float = 5.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self.calls_to(endpoint)) >= count, timeout)

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    # -- behaviour ------------------------------------------------------------------------------
    def answer(self, endpoint: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, str | bytes, str]:
        """(HTTP status, body, content type)."""
        call = Call(endpoint, query, body)
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()
            fault = self.faults[endpoint].popleft() if self.faults[endpoint] else None
        if fault and fault.delay:
            self.released.wait(fault.delay)
        if fault and fault.status:
            return fault.status, fault.body or "<html>server error</html>", "text/html"
        if fault and fault.body is not None:
            return 200, fault.body, "application/json"
        if fault and fault.errcode is not None:
            call.answer = {"errcode": fault.errcode, "errmsg": f"scripted {fault.errcode}"}
        else:
            call.answer = self._normal(endpoint, query, body)
        if call.answer.get("errcode", 0) == 0 and endpoint in SENDS:
            with self._lock:
                self.sent.append(call)
        if call.answer.get("errcode", 0) == 0 and endpoint == "media":
            return 200, *self.media[query["media_id"]]
        return 200, json.dumps(call.answer), "application/json"

    def _normal(self, endpoint: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if endpoint in ("token", "stable_token"):
            creds = query if endpoint == "token" else body
            if creds.get("appid") != APPID or creds.get("secret") != SECRET:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            return self._issue(rotate=endpoint == "token" or bool(body.get("force_refresh")))
        state = self.tokens.get(query.get("access_token", ""))
        if state is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        if state is False:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if body.get("touser") in self.refused:
            code = self.refused[body["touser"]]
            return {"errcode": code, "errmsg": f"refused {code}"}
        if endpoint == "custom" and not body.get("text", {}).get("content"):
            return {"errcode": 44002, "errmsg": "empty post data"}
        if endpoint == "template" and not body.get("template_id"):
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        if endpoint == "media" and query.get("media_id") not in self.media:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        with self._lock:
            refused = self._quota(endpoint, body)
            if refused:
                return refused
            self._serial += 1
            if endpoint == "qrcode":
                return self._qrcode(body)
            if endpoint == "menu_create":
                self.menu = body.get("button")
            if endpoint == "menu_get":
                return {"menu": {"button": self.menu}} if self.menu else {"errcode": 46003, "errmsg": "menu no exist"}
            if endpoint == "selfmenu":
                return {"is_menu_open": 1 if self.menu else 0, "selfmenu_info": {"button": _selfmenu(self.menu or [])}}
            return {"errcode": 0, "errmsg": "ok",
                    **({"msgid": self._serial} if endpoint in ("template", "subscribe") else {})}

    def _quota(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """WeChat's own count: kefu quota (45047), 订阅通知 opt-ins (43101). Called under the lock."""
        openid = body.get("touser", "")
        if endpoint == "custom" and openid in self.kefu_left:
            if self.kefu_left[openid] <= 0:
                return {"errcode": 45047, "errmsg": "out of response count limit"}
            self.kefu_left[openid] -= 1
        if endpoint == "subscribe":
            key = (openid, body.get("template_id", ""))
            if self.opt_ins[key] <= 0:
                return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
            self.opt_ins[key] -= 1
        return None

    def _qrcode(self, body: dict[str, Any]) -> dict[str, Any]:
        scene = body.get("action_info", {}).get("scene", {}).get("scene_str", "")
        seconds = int(body.get("expire_seconds") or 0)
        if body.get("action_name") != "QR_STR_SCENE" or not scene or not 60 <= seconds <= 2592000:
            return {"errcode": 40053, "errmsg": "invalid action info"}
        ticket = f"gQH{self._serial:06d}"
        self.qrcodes[ticket] = scene
        return {"ticket": ticket, "expire_seconds": seconds, "url": f"http://weixin.qq.com/q/fake{self._serial:06d}"}

    def _issue(self, rotate: bool) -> dict[str, Any]:
        with self._lock:
            self.token_fetches += 1
            if rotate or not self.current or not self.tokens.get(self.current):
                self._serial += 1
                self.current = f"TOKEN{self._serial}"
                self.tokens = {self.current: True}   # a new token invalidates the old ones
            return {"access_token": self.current, "expires_in": self.expires_in}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._serve({})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw.decode("utf-8")) if raw else {}
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                self._serve(body)

            def _serve(self, body):
                url = urlparse(self.path)
                endpoint = PATHS.get(url.path)
                if endpoint is None:
                    self.send_error(404)
                    return
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                status, text, content_type = fake.answer(endpoint, query, body)
                data = text.encode("utf-8") if isinstance(text, str) else text
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client went away (a killed worker)
                    pass

            def log_message(self, *args):
                pass

        return Handler


_EVENT_TIMES = itertools.count(int(time.time()))  # each event its own CreateTime: WeChat de-duplicates by it


def _event(openid: str, event: str, extra: str, account: str = "gh_assistant") -> str:
    return (f"<xml><ToUserName><![CDATA[{account}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{next(_EVENT_TIMES)}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event>{extra}</xml>")


def subscribe_popup_xml(openid: str, choices: dict[str, str], event: str = "subscribe_msg_popup_event",
                        tag: str = "SubscribeMsgPopupEvent") -> str:
    """The member's choice in the 订阅通知 popup (or, with subscribe_msg_change_event, in their settings)."""
    items = "".join(f"<List><TemplateId><![CDATA[{template}]]></TemplateId><SubscribeStatusString><![CDATA[{choice}]]>"
                    f"</SubscribeStatusString><PopupScene>2</PopupScene></List>" for template, choice in choices.items())
    return _event(openid, event, f"<{tag}>{items}</{tag}>")


def _selfmenu(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """get_current_selfmenu_info's shape: sub-menus wrapped as {"list": […]}."""
    return [{**{k: v for k, v in b.items() if k != "sub_button"}, "sub_button": {"list": b["sub_button"]}}
            if b.get("sub_button") else b for b in buttons]


def point_at(rt, fake: FakeWeChat, **overrides):
    """Aim the runtime's WeChat client at the fake (and apply extra config overrides)."""
    rt.config = rt.config.with_overrides({"wechat.api_base": fake.base_url, "wechat.appid": APPID,
                                          "wechat.secret": SECRET, **overrides})
    return rt


@pytest.fixture
def fake_wechat():
    fake = FakeWeChat()
    yield fake
    fake.close()
