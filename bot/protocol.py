"""WeChat official-account inbound protocol: signatures, AES safe mode, XML in and out.

Nothing here knows about members or services: it turns HTTP bodies into
`Inbound` messages and reply text back into XML.
"""
from __future__ import annotations

import hashlib
import json
import hmac
import re
import time
from dataclasses import dataclass, field

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException


class ProtocolError(Exception):
    """The request is not a valid WeChat message (XML, encryption)."""


class AuthError(ProtocolError):
    """The message is not provably from WeChat (msg_signature, appid, safe mode's plaintext)."""


def sign(*parts: str) -> str:
    """WeChat's signature: SHA1 of the sorted parts concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def check_signature(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    return hmac.compare_digest(sign(token, timestamp, nonce), signature or "")


def timestamp_fresh(timestamp: str, window_seconds: float, now: float | None = None) -> bool:
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    return abs(now - sent) <= window_seconds


def parse_xml(body: bytes | str) -> dict[str, str]:
    """Flat <xml> document -> dict. DTDs, entities and external references are refused."""
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise ProtocolError(f"bad xml: {exc}") from None
    if root.tag != "xml":
        raise ProtocolError("root element is not <xml>")
    return {child.tag: _value(child) for child in root}


MAX_LIST_ITEMS = 20  # nested lists (订阅通知 events): more items than WeChat ever sends are dropped


def _value(element) -> str:
    """A leaf's text; a nested list (<SubscribeMsgPopupEvent><List>…</List>…) as JSON: [{tag: text}, …]."""
    if len(element) == 0:
        return element.text or ""
    items = [element] if all(len(child) == 0 for child in element) else list(element)[:MAX_LIST_ITEMS]
    return json.dumps([{leaf.tag: leaf.text or "" for leaf in item} for item in items], ensure_ascii=False)


def list_items(fields: dict[str, str], *names: str) -> list[dict[str, str]]:
    """The items of the first nested list present under one of `names` (see _value)."""
    for name in names:
        if fields.get(name, "").startswith("["):
            try:
                return [item for item in json.loads(fields[name]) if isinstance(item, dict)]
            except ValueError:
                return []
    return []


class SafeMode:
    """AES safe mode (and the encrypted half of compatible mode)."""

    def __init__(self, token: str, aes_key: str, appid: str):
        self.crypto = WeChatCrypto(token, aes_key, appid)

    def decrypt(self, encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        try:
            plain = self.crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce)
        except InvalidSignatureException:
            raise AuthError("bad msg_signature") from None
        except InvalidAppIdException:
            raise AuthError("message for another appid") from None
        except Exception as exc:  # corrupt base64 / padding
            raise ProtocolError(f"cannot decrypt: {exc}") from None
        return plain.decode("utf-8") if isinstance(plain, bytes) else plain

    def encrypt(self, xml: str, nonce: str, timestamp: str) -> str:
        return self.crypto.encrypt_message(xml, nonce, timestamp)


@dataclass(frozen=True)
class Inbound:
    """One message or event from a WeChat user, protocol details stripped."""

    openid: str
    account: str          # our official account id (the inbound ToUserName)
    msg_type: str         # text | voice | image | location | link | video | shortvideo | event
    create_time: int
    msg_id: str = ""
    text: str = ""        # text Content, or a voice message's Recognition
    event: str = ""       # subscribe | unsubscribe | SCAN | CLICK | VIEW | LOCATION | TEMPLATESENDJOBFINISH
    event_key: str = ""
    media_id: str = ""
    pic_url: str = ""
    fields: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def dedup_key(self) -> str:
        """WeChat retries carry the same MsgId (messages) or CreateTime+Event (events).
        Readable when short; a longer key (long event keys) is hashed, so it always fits a 128-char column."""
        if self.msg_id:
            key = f"{self.openid}:{self.msg_id}"
        else:
            key = f"{self.openid}:{self.create_time}:{self.event}:{self.event_key}"
        if len(key) <= DEDUP_KEY_MAX:
            return key
        return "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()  # '#' never starts an openid


DEDUP_KEY_MAX = 96
# What WeChat sends, with room to spare; anything outside these bounds never came from WeChat (400).
OPENID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")   # FromUserName (openids are 28 chars) and ToUserName
MSG_ID_RE = re.compile(r"\d{1,20}")              # a 64-bit unsigned integer
CREATE_TIME_RE = re.compile(r"\d{1,10}")
FIELD_LIMITS = {"MsgType": 32, "Event": 64}


def _check_bounds(fields: dict[str, str]) -> None:
    for name in ("FromUserName", "ToUserName"):
        value = fields.get(name, "")
        if (value or name == "FromUserName") and not OPENID_RE.fullmatch(value):
            raise ProtocolError(f"{name} is not an openid")
    msg_id = fields.get("MsgId", "") or fields.get("MsgID", "")
    if msg_id and not MSG_ID_RE.fullmatch(msg_id):
        raise ProtocolError("MsgId is not a 64-bit number")
    if fields.get("CreateTime") and not CREATE_TIME_RE.fullmatch(fields["CreateTime"]):
        raise ProtocolError("CreateTime is not a timestamp")
    for name, limit in FIELD_LIMITS.items():
        if len(fields.get(name, "")) > limit:
            raise ProtocolError(f"{name} longer than {limit}")


def to_inbound(fields: dict[str, str]) -> Inbound:
    msg_type = fields.get("MsgType", "").strip().lower()
    if not fields.get("FromUserName") or not msg_type:
        raise ProtocolError("missing FromUserName or MsgType")
    _check_bounds(fields)
    text = fields.get("Content", "") if msg_type == "text" else fields.get("Recognition", "")
    create_time = int(fields.get("CreateTime") or 0)
    return Inbound(
        openid=fields["FromUserName"],
        account=fields.get("ToUserName", ""),
        msg_type=msg_type,
        create_time=create_time,
        msg_id=fields.get("MsgId", "") or fields.get("MsgID", ""),
        text=(text or "").strip(),
        event=fields.get("Event", ""),
        event_key=fields.get("EventKey", ""),
        media_id=fields.get("MediaId", ""),
        pic_url=fields.get("PicUrl", ""),
        fields=fields,
    )


def shorten_utf8(text: str, max_bytes: int) -> str:
    """Cut text to fit WeChat's byte limit, marking the cut."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    mark = "……"
    budget = max_bytes - len(mark.encode("utf-8"))
    cut = text.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return cut + mark


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(inbound: Inbound, content: str, now: int | None = None) -> str:
    now = int(time.time()) if now is None else now
    return (
        "<xml>"
        f"<ToUserName>{cdata(inbound.openid)}</ToUserName>"
        f"<FromUserName>{cdata(inbound.account)}</FromUserName>"
        f"<CreateTime>{now}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    )


__all__ = [
    "AuthError", "Inbound", "ProtocolError", "SafeMode", "check_signature", "parse_xml",
    "shorten_utf8", "sign", "text_reply_xml", "timestamp_fresh", "to_inbound",
]
