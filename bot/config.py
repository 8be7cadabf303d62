"""Load config.yaml and apply environment overrides.

The file is BOT_CONFIG if set, else config.yaml in the project folder (never the current directory, so
`duty-bot …` works from any folder). It holds every default; environment variables override single keys:
the named ones in ENV_KEYS, and any key as BOT__SECTION__KEY.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "config.yaml"

ENV_KEYS = {
    "WECHAT_TOKEN": "wechat.token",
    "WECHAT_APPID": "wechat.appid",
    "WECHAT_SECRET": "wechat.secret",
    "WECHAT_AES_KEY": "wechat.aes_key",
    "WECHAT_API_BASE": "wechat.api_base",
    "DATABASE_URL": "database.url",
    "REDIS_URL": "redis.url",
    "PORT": "server.port",
}


class ConfigMissing(FileNotFoundError):
    """No config file where BOT_CONFIG or the project folder says."""


class Config:
    """Read-only nested settings: cfg.wechat.token or cfg.get("wechat.token")."""

    def __init__(self, data: Mapping[str, Any]):
        self._data = dict(data)

    def __getattr__(self, name: str) -> Any:
        try:
            value = self._data[name]
        except KeyError:
            raise AttributeError(name) from None
        return Config(value) if isinstance(value, Mapping) else value

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self._data
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Config":
        """A copy with dotted keys replaced (used by tests and the CLI)."""
        data = _deep_copy(self._data)
        for dotted, value in overrides.items():
            _set(data, dotted, value)
        return Config(data)

    def as_dict(self) -> dict:
        return _deep_copy(self._data)


def load_config(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    path = Path(path or env.get("BOT_CONFIG") or DEFAULT_PATH)
    if not path.is_file():  # e.g. a non-editable install, whose package folder holds no config.yaml
        raise ConfigMissing(f"config file {path} not found: set BOT_CONFIG to the config.yaml to use")
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    for name, dotted in ENV_KEYS.items():
        if env.get(name) not in (None, ""):
            _set(data, dotted, _coerce(_lookup(data, dotted), env[name]))
    for name, value in env.items():
        if name.startswith("BOT__"):
            dotted = ".".join(part.lower() for part in name[5:].split("__"))
            _set(data, dotted, _coerce(_lookup(data, dotted), value))
    return Config(data)


def _lookup(data: Mapping, dotted: str) -> Any:
    return Config(data).get(dotted)


def _coerce(current: Any, raw: str) -> Any:
    """Give an environment string the type of the default it replaces."""
    if isinstance(current, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def _set(data: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def _deep_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
