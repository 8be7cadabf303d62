"""`python -m bot chat`: talk to the running webhook from a terminal, exactly as WeChat would."""
from __future__ import annotations

import sys

import requests

from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import CHAT as TEXT
from bot.config import load_config
from bot.wechat_sim import Envelope, next_msg_id, text_xml
from storage import members
from storage.roster import normalize_phone



def register(sub) -> None:
    parser = sub.add_parser("chat", help="在终端里以委员身份和助手对话（需先启动 webhook）")
    parser.add_argument("--as", dest="phone", help="以名册中这个手机号的人员身份对话（自动绑定）")
    parser.add_argument("--url", help="webhook 地址，默认 http://127.0.0.1:PORT/wechat")
    parser.add_argument("--openid", help="模拟的微信 openid（默认由手机号生成）")
    parser.set_defaults(handler=cmd_chat)


def cmd_chat(args) -> int:
    cfg = load_config()
    url = args.url or f"http://127.0.0.1:{cfg.server.port}/wechat"
    envelope = Envelope(cfg.wechat.token, cfg.wechat.aes_key, cfg.wechat.appid)
    phone = _phone(args.phone) if args.phone else None
    openid = args.openid or f"chat-{phone or 'guest'}"
    send = _sender(url, envelope, openid)
    interactive = sys.stdin.isatty()
    if phone:
        name = _roster_name(phone)
        _show(send(f"绑定 {name} {phone}"))
    if interactive:
        print("（输入消息回车发送，Ctrl-D 退出）")
    for line in _lines(interactive):
        if line.strip():
            _show(send(line.strip()))
    return 0


def _sender(url: str, envelope: Envelope, openid: str):
    def send(text: str) -> str:
        req = envelope.wrap(text_xml(openid, text, next_msg_id()), openid)
        try:
            resp = requests.post(f"{url}?{req.query}", data=req.body, timeout=10,
                                 headers={"Content-Type": "text/xml"})
        except requests.RequestException as exc:
            raise CliError(TEXT["no_server"].format(url=url, error=type(exc).__name__)) from None
        return envelope.unwrap(resp.status_code, resp.content) or "（无回复）"
    return send


def _phone(value: str) -> str:
    phone = normalize_phone(value)
    if phone is None:
        raise CliError(TEXT["bad_phone"].format(value=value))
    return phone


def _roster_name(phone: str) -> str:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        member = members.by_phone(session, phone)
        if member is None:
            raise CliError(TEXT["no_member"].format(phone=phone))
        return member.name


def _lines(interactive: bool):
    while True:
        try:
            line = input("我> ") if interactive else sys.stdin.readline()
        except EOFError:
            return
        if not interactive and line == "":
            return
        yield line


def _show(reply: str) -> None:
    print("助手> " + reply.replace("\n", "\n      "))
    sys.stdout.flush()
