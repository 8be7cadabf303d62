"""The account's custom menu: `wechat.menu` in config is created on WeChat with /cgi-bin/menu/create, and what
WeChat has now is read back with /cgi-bin/get_current_selfmenu_info (it shows the menu members see, whether set
by API or on the admin site; /cgi-bin/menu/get knows only API-made menus). A CLICK key arrives as the event's
EventKey and becomes the text its button stands for (bot/dialogs/events.py)."""
from __future__ import annotations

from typing import Any

from bot.config import MenuButton
from bot.runtime import Runtime
from bot.wechat_api import WeChatAPI, client_for


def wechat_buttons(buttons: tuple[MenuButton, ...]) -> list[dict[str, Any]]:
    """The menu/create body's `button` list."""
    return [_button(b) for b in buttons]


def _button(button: MenuButton) -> dict[str, Any]:
    if button.sub_button:
        return {"name": button.name, "sub_button": [_button(b) for b in button.sub_button]}
    if button.url:
        return {"type": "view", "name": button.name, "url": button.url}
    return {"type": "click", "name": button.name, "key": button.key}


def sync(rt: Runtime, api: WeChatAPI | None = None) -> list[dict[str, Any]]:
    """Create the configured menu on WeChat (it replaces the current one); returns what was sent."""
    buttons = wechat_buttons(rt.config.wechat.menu)
    (api or client_for(rt)).create_menu(buttons)
    return buttons


def current(rt: Runtime, api: WeChatAPI | None = None) -> list[dict[str, Any]]:
    """The menu WeChat shows now, as buttons with optional sub_button lists ([] when the menu is off)."""
    answer = (api or client_for(rt)).current_menu()
    if "selfmenu_info" in answer:
        if not answer.get("is_menu_open", 1):
            return []
        buttons = answer["selfmenu_info"].get("button", [])
    else:  # menu/get's shape
        buttons = answer.get("menu", {}).get("button", [])
    return [_normal(b) for b in buttons]


def _normal(button: dict[str, Any]) -> dict[str, Any]:
    """get_current_selfmenu_info wraps sub-menus as {"list": […]}; menu/get lists them directly."""
    subs = button.get("sub_button") or []
    if isinstance(subs, dict):
        subs = subs.get("list", [])
    found = {key: button[key] for key in ("type", "name", "key", "url", "value") if button.get(key)}
    if subs:
        found["sub_button"] = [_normal(b) for b in subs]
    return found


def lines(buttons: list[dict[str, Any]], texts: dict[str, str], indent: str = "") -> list[str]:
    """One line per button: name, what it does (CLICK key → the service, or the url)."""
    out = []
    for button in buttons:
        if button.get("sub_button"):
            out.append(f"{indent}{button['name']}")
            out += lines(button["sub_button"], texts, indent + "  ")
        elif button.get("key"):
            service = texts.get(button["key"])
            out.append(f"{indent}{button['name']}\tCLICK {button['key']}" + (f" → {service}" if service else ""))
        else:
            target = button.get("url") or button.get("value") or ""
            out.append(f"{indent}{button['name']}\t{str(button.get('type', '')).upper()} {target}".rstrip())
    return out
