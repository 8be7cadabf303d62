"""A small client for the WeChat API endpoints we use, with one access token shared by all workers.

Why not wechatpy's WeChatClient: it hard-codes the API URLs, keeps the token expiry in process
memory and refreshes without a lock, so several workers overwrite each other's token (fetching a
new token invalidates the old one). Here the token lives in the key-value store (Redis when
configured) and is refreshed under a store lock, so N workers fetching at once make one request.

Every failure is raised as one of four classes that tell the outbox what to do next:
  TransientError  -> not delivered; retry later with backoff (-1, HTTP 5xx, network, token trouble)
  RateLimited     -> not delivered; keep the message and back off (45009 daily, 45011 per minute)
  PermanentError  -> not delivered; record the reason, never retry (40003, 43004, 48001, …)
  AmbiguousError  -> the request reached WeChat but no answer came back: it may have been delivered
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Callable, TypeVar

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from bot.runtime import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")

TOKEN_KEY = "wechat:access_token:"     # + appid; value = the token, store TTL = its remaining life
TOKEN_LOCK = "wechat:token-refresh:"   # + appid

TOKEN_CODES = {40001, 40014, 42001}    # bad or expired token: refresh once and retry
RETRY_CODES = {-1, 40164}              # system busy; caller IP not whitelisted yet (an ops fix)
RATE_CODES = {45009, 45011}            # daily quota; per-minute limit
KEFU_REFUSED = {45015, 45047}          # outside the 48-hour window; too many kefu messages
SUBSCRIBE_REFUSED = {43101}            # 订阅通知: the member has not opted in (or the one-time opt-in is used)
QR_MAX_SECONDS = 30 * 24 * 3600        # a temporary scene QR code lives at most 30 days
REASONS = {                            # recorded with a failure so staff can read it
    -1: "微信系统繁忙",
    40001: "access_token 无效", 40014: "access_token 不合法", 42001: "access_token 已过期",
    40003: "openid 无效", 43004: "用户未关注公众号", 48001: "接口未授权",
    40164: "服务器 IP 不在公众号白名单", 40037: "模板 id 无效",
    45009: "接口调用超过每日限额", 45011: "接口调用太频繁",
    45015: "已超过48小时客服消息窗口", 45047: "客服消息超过下发条数上限",
    40007: "media_id 无效或已过期", 43101: "用户未订阅该通知（或一次性订阅已用完）",
    47003: "模板参数不准确（字段或长度不符）", 65302: "菜单没有对应的 key",
}


class WeChatAPIError(Exception):
    def __init__(self, message: str, code: int | None = None):
        super().__init__(redact(message))
        self.code = code


class TransientError(WeChatAPIError):
    """Not delivered; safe to retry later."""


class RateLimited(WeChatAPIError):
    """Not delivered; WeChat asks us to slow down. Keep the message."""


class PermanentError(WeChatAPIError):
    """Not delivered and never will be as is (bad openid, unfollowed, not authorised …)."""


class KefuRefused(PermanentError):
    """The customer-service channel is closed for this member now; a template message may still go."""


class SubscribeRefused(PermanentError):
    """43101: the member's 订阅通知 opt-in for this template is gone; another channel may still go."""


class AmbiguousError(WeChatAPIError):
    """No answer after the request was sent: WeChat may or may not have delivered it."""


def redact(text: str) -> str:
    """Never let a token or the app secret reach a log or the database."""
    return re.sub(r"(access_token|secret)=[^&\s'\"]+", r"\1=***", text)


def reason(code: int | None, errmsg: str = "") -> str:
    words = REASONS.get(code, "") if code is not None else ""
    return f"{code} {words or errmsg}".strip() if code is not None else errmsg


def classify(code: int, errmsg: str = "") -> WeChatAPIError:
    """The exception for a non-zero errcode (token codes are handled before this)."""
    text = reason(code, errmsg)
    if code in RATE_CODES:
        return RateLimited(text, code)
    if code in RETRY_CODES or code in TOKEN_CODES:
        return TransientError(text, code)
    if code in KEFU_REFUSED:
        return KefuRefused(text, code)
    if code in SUBSCRIBE_REFUSED:
        return SubscribeRefused(text, code)
    return PermanentError(text, code)  # 40003, 43004, 48001 and anything unknown: do not hammer


class WeChatAPI:
    """Token management, the send endpoints (kefu, template, 订阅通知), scene QR codes, the menu and the temporary-media
    download. Thread-safe; one per runtime is enough."""

    def __init__(self, rt: Runtime, session: requests.Session | None = None):
        cfg = rt.config
        self.kv = rt.kv
        self.base = cfg.wechat.api_base.rstrip("/")
        self.appid = cfg.wechat.appid
        self.secret = cfg.wechat.secret
        self.stable = cfg.outbound.token_endpoint == "stable_token"
        self.margin = cfg.outbound.token_refresh_margin_seconds
        self.timeout = (cfg.outbound.connect_timeout_seconds, cfg.outbound.read_timeout_seconds)
        self.config = cfg
        self.http = session or requests.Session()

    # -- access token ---------------------------------------------------------------------------
    def access_token(self) -> str:
        """The shared token; fetched once for all workers when missing or about to expire."""
        return self.kv.get(TOKEN_KEY + self.appid) or self.refresh_token(stale=None)

    def refresh_token(self, stale: str | None) -> str:
        """Fetch a new token unless another worker already replaced `stale` while we waited."""
        lock_seconds = sum(self.timeout) + 5
        try:
            with self.kv.lock(TOKEN_LOCK + self.appid, timeout=lock_seconds, wait=lock_seconds):
                current = self.kv.get(TOKEN_KEY + self.appid)
                if current and current != stale:
                    return current
                token, expires_in = self._fetch_token(force=False)
                if token == stale:  # stable_token hands back the rejected one: force a new one
                    token, expires_in = self._fetch_token(force=True)
                self.kv.set(TOKEN_KEY + self.appid, token, ttl=self._ttl(expires_in))
                return token
        except TimeoutError as exc:
            raise TransientError(f"token refresh lock busy: {exc}") from None

    def forget_token(self) -> None:
        self.kv.delete(TOKEN_KEY + self.appid)

    def _ttl(self, expires_in: float) -> float:
        """Refresh `margin` seconds early (or halfway for short-lived tokens)."""
        return expires_in - self.margin if expires_in > 2 * self.margin else max(expires_in / 2, 1.0)

    def _fetch_token(self, force: bool) -> tuple[str, float]:
        if self.stable:
            body = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                    "force_refresh": force}
            answer = self._http("POST", "/cgi-bin/stable_token", json_body=body, send=False)
        else:
            params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
            answer = self._http("GET", "/cgi-bin/token", params=params, send=False)
        if answer.get("access_token"):
            log.info("fetched a new WeChat access token (expires in %ss)", answer.get("expires_in"))
            return str(answer["access_token"]), float(answer.get("expires_in") or 7200)
        code = int(answer.get("errcode", -1))
        error = classify(code, str(answer.get("errmsg", "")))
        # Trouble getting a token (bad secret, IP whitelist …) never means a message was refused.
        raise error if isinstance(error, RateLimited) else TransientError(f"token: {error}", code)

    # -- messages -------------------------------------------------------------------------------
    def send_text(self, openid: str, content: str) -> dict[str, Any]:
        """Customer-service text message (only within the member's 48-hour window)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        return self.call("/cgi-bin/message/custom/send", body)

    def send_template(self, openid: str, template_id: str, data: dict[str, Any], url: str = "") -> dict[str, Any]:
        """Template message: data is {field: value or {"value": …, "color": …}}."""
        fields = {key: value if isinstance(value, dict) else {"value": str(value)} for key, value in data.items()}
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": fields}
        if url:
            body["url"] = url
        return self.call("/cgi-bin/message/template/send", body)

    def send_subscribe(self, openid: str, template_id: str, data: dict[str, Any], page: str = "") -> dict[str, Any]:
        """订阅通知 (bizsend): only where the member opted in to the template."""
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if page:
            body["page"] = page
        return self.call("/cgi-bin/message/subscribe/bizsend", body)

    # -- scene QR codes and the custom menu -----------------------------------------------------------
    def create_qrcode(self, scene: str, expire_seconds: int) -> dict[str, Any]:
        """A temporary QR code whose scan pushes SCAN (or subscribe) with `scene`: {ticket, expire_seconds, url}."""
        body = {"expire_seconds": max(60, min(int(expire_seconds), QR_MAX_SECONDS)), "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene}}}
        return self._with_token(lambda token: self._http("POST", "/cgi-bin/qrcode/create",
                                                         params={"access_token": token}, json_body=body, send=False))

    def create_menu(self, buttons: list[dict[str, Any]]) -> dict[str, Any]:
        return self._with_token(lambda token: self._http("POST", "/cgi-bin/menu/create", params={"access_token": token},
                                                         json_body={"button": buttons}, send=False))

    def current_menu(self) -> dict[str, Any]:
        """The menu members see now, set by API or on the admin site (get_current_selfmenu_info)."""
        return self._with_token(lambda token: self._http("GET", "/cgi-bin/get_current_selfmenu_info",
                                                         params={"access_token": token}, send=False))

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the shared token; a rejected token is refreshed once and the call retried once."""
        return self._with_token(
            lambda token: self._http("POST", path, params={"access_token": token}, json_body=body, send=True))

    # -- media ----------------------------------------------------------------------------------
    def download_media(self, media_id: str, max_bytes: int = 0) -> tuple[bytes, str]:
        """A temporary media file (WeChat keeps it ~3 days): its bytes and content type.

        A file over `max_bytes` (0 = no limit) raises PermanentError; errors answer JSON, as elsewhere."""
        path = "/cgi-bin/media/get"

        def get(token: str) -> dict[str, Any] | tuple[bytes, str]:
            resp = self._request("GET", path, params={"access_token": token, "media_id": media_id}, send=False,
                                 stream=True)
            content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if not resp.ok or not content_type or "json" in content_type or content_type.startswith("text/"):
                return self._json(resp, path, send=False)
            return _read_capped(resp, path, max_bytes), content_type

        answer = self._with_token(get)
        if isinstance(answer, dict):  # errcode 0 but no file (a video answers with a URL): nothing we can store
            raise PermanentError(f"{path}: not a file: {str(answer)[:100]}")
        return answer

    def _with_token(self, request: Callable[[str], T]) -> T:
        """Run request(token); a rejected token is refreshed once and the request repeated once.

        A JSON answer (dict) with a non-zero errcode raises the matching error class."""
        token = self.access_token()
        answer = request(token)
        if _errcode(answer) in TOKEN_CODES:
            log.info("WeChat rejected the access token (%s); refreshing once", _errcode(answer))
            token = self.refresh_token(stale=token)
            answer = request(token)
        code = _errcode(answer)
        if code != 0:
            raise classify(code, str(answer.get("errmsg", "")))  # type: ignore[union-attr]
        return answer

    # -- transport ------------------------------------------------------------------------------
    def _http(self, method: str, path: str, *, params: dict | None = None, json_body: dict | None = None,
              send: bool) -> dict[str, Any]:
        """One JSON exchange. `send` marks a message send, where a lost answer is ambiguous."""
        return self._json(self._request(method, path, params=params, json_body=json_body, send=send), path, send)

    def _request(self, method: str, path: str, *, params: dict | None = None, json_body: dict | None = None,
                 send: bool, stream: bool = False) -> requests.Response:
        """Send one request; network trouble and HTTP 5xx become the error classes above."""
        data = json.dumps(json_body, ensure_ascii=False).encode("utf-8") if json_body is not None else None
        try:
            resp = self.http.request(method, self.base + path, params=params, data=data, timeout=self.timeout,
                                     headers={"Content-Type": "application/json; charset=utf-8"} if data else None,
                                     stream=stream)
        except requests.RequestException as exc:
            if not send or _never_sent(exc):
                raise TransientError(f"{path}: {type(exc).__name__}: {exc}") from None
            raise AmbiguousError(f"{path}: no answer ({type(exc).__name__}): {exc}") from None
        if resp.status_code >= 500:
            resp.close()
            raise TransientError(f"{path}: HTTP {resp.status_code}")
        return resp

    @staticmethod
    def _json(resp: requests.Response, path: str, send: bool) -> dict[str, Any]:
        """The answer's JSON object; anything else is an error."""
        try:
            answer = resp.json()
        except ValueError:
            error = f"{path}: HTTP {resp.status_code}, not JSON: {resp.text[:100]!r}"
            raise (AmbiguousError(error) if send and resp.ok else TransientError(error)) from None
        if not resp.ok or not isinstance(answer, dict):
            raise TransientError(f"{path}: HTTP {resp.status_code} {str(answer)[:100]}")
        return answer


def client_for(rt: Runtime) -> WeChatAPI:
    """The runtime's one client: every delivery reuses its HTTP connections (a new client only when the
    runtime's config object was replaced, as tests do)."""
    api = rt.__dict__.get("_wechat_api")
    if api is None or api.config is not rt.config:
        api = rt.__dict__["_wechat_api"] = WeChatAPI(rt)
    return api


def _errcode(answer: object) -> int:
    return int(answer.get("errcode", 0)) if isinstance(answer, dict) else 0


def _read_capped(resp: requests.Response, path: str, max_bytes: int) -> bytes:
    """The body of a streamed response, refusing one over max_bytes (0 = no limit)."""
    chunks, size = [], 0
    try:
        with resp:
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if max_bytes and size > max_bytes:
                    raise PermanentError(f"{path}: file larger than {max_bytes} bytes")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise TransientError(f"{path}: {type(exc).__name__}: {exc}") from None
    return b"".join(chunks)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached WeChat (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, MaxRetryError):
            return isinstance(cause.reason, (NewConnectionError, ConnectTimeoutError))
    return False
