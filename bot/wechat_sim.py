"""Play WeChat's side of the callback protocol: signed (and encrypted) XML messages.

Used by `python -m bot chat`, the tests and the benchmark, so all three talk to
the webhook exactly as WeChat's servers would.
"""
from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bot.protocol import SafeMode, cdata, parse_xml, sign

_msg_ids = itertools.count(int(time.time() * 1000) % 10**12 * 1000)


def text_xml(openid: str, content: str, msg_id: int | str, account: str = "gh_assistant",
             create_time: int | None = None) -> str:
    return _xml(openid, account, create_time, "text",
                f"<Content>{cdata(content)}</Content><MsgId>{msg_id}</MsgId>")


def voice_xml(openid: str, recognition: str | None, msg_id: int | str, account: str = "gh_assistant") -> str:
    extra = f"<MediaId>{cdata('media1')}</MediaId><Format>{cdata('amr')}</Format>"
    if recognition is not None:
        extra += f"<Recognition>{cdata(recognition)}</Recognition>"
    return _xml(openid, account, None, "voice", extra + f"<MsgId>{msg_id}</MsgId>")


def image_xml(openid: str, msg_id: int | str, account: str = "gh_assistant") -> str:
    return _xml(openid, account, None, "image",
                f"<PicUrl>{cdata('http://img.example/1.jpg')}</PicUrl><MediaId>{cdata('img1')}</MediaId>"
                f"<MsgId>{msg_id}</MsgId>")


def event_xml(openid: str, event: str, key: str = "", account: str = "gh_assistant",
              create_time: int | None = None) -> str:
    return _xml(openid, account, create_time, "event",
                f"<Event>{cdata(event)}</Event><EventKey>{cdata(key)}</EventKey>")


def _xml(openid: str, account: str, create_time: int | None, msg_type: str, extra: str) -> str:
    create_time = int(time.time()) if create_time is None else create_time
    return (f"<xml><ToUserName>{cdata(account)}</ToUserName><FromUserName>{cdata(openid)}</FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>{extra}</xml>")


@dataclass
class SignedRequest:
    query: str
    body: bytes


@dataclass
class Envelope:
    """Signs and (in safe mode) encrypts a message the way WeChat does."""

    token: str
    aes_key: str = ""
    appid: str = ""
    _safe: SafeMode | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.aes_key:
            self._safe = SafeMode(self.token, self.aes_key, self.appid)

    def wrap(self, xml: str, openid: str = "", timestamp: int | None = None) -> SignedRequest:
        timestamp_s = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(5)
        params = {"signature": sign(self.token, timestamp_s, nonce), "timestamp": timestamp_s,
                  "nonce": nonce, "openid": openid}
        body = xml
        if self._safe is not None:
            encrypted = parse_xml(self._safe.encrypt(xml, nonce, timestamp_s).encode())["Encrypt"]
            params.update(encrypt_type="aes", msg_signature=sign(self.token, timestamp_s, nonce, encrypted))
            body = f"<xml><ToUserName>{cdata('gh_assistant')}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
        return SignedRequest(urlencode(params), body.encode("utf-8"))

    def unwrap(self, status: int, body: bytes) -> str:
        """The reply text ('' for `success`/empty), decrypting safe-mode replies."""
        if status != 200:
            raise RuntimeError(f"webhook answered HTTP {status}: {body[:200]!r}")
        text = body.decode("utf-8")
        if text in ("", "success"):
            return ""
        fields = parse_xml(body)
        if "Encrypt" in fields:
            if self._safe is None:
                raise RuntimeError("encrypted reply but no AES key")
            if sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"]) != fields["MsgSignature"]:
                raise RuntimeError("reply signature does not verify")
            plain = self._safe.decrypt(fields["Encrypt"], fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
            fields = parse_xml(plain.encode("utf-8"))
        return fields.get("Content", "")


def next_msg_id() -> int:
    return next(_msg_ids)
