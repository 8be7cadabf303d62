"""Typed settings (bot/config.py): config.yaml mirrors the model's defaults, bad values stop the start with
the key and the reason, environment overrides work as README documents, and settings are read-only."""
from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from bot import cli
from bot.config import DEFAULT_PATH, ROOT, ConfigError, Settings, load_config


def leaf_keys(node, prefix=""):
    """Dotted keys of a nested mapping, down to sections' settings (scoring and text maps count as one key)."""
    keys = set()
    for key, value in node.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in ("scoring", "wechat.templates"):
            keys |= leaf_keys(value, dotted + ".")
        else:
            keys.add(dotted)
    return keys


def test_config_yaml_lists_every_setting_with_the_models_default():
    from_file = load_config(env={})
    assert from_file.model_dump() == Settings().model_dump()
    with open(DEFAULT_PATH, encoding="utf-8") as fh:
        in_file = leaf_keys(yaml.safe_load(fh))
    assert in_file == leaf_keys(Settings().model_dump())


def test_settings_are_typed_and_read_only():
    cfg = Settings()
    assert cfg.digest.time == time(8, 30) and cfg.activities.reminder_time == time(9, 0)
    assert cfg.spool.dir == ROOT / "data/spool" and cfg.media.dir == ROOT / "data/media"
    assert isinstance(cfg.org.districts, tuple) and cfg.reports.second_scope == "prompt_only"
    assert cfg.wechat.template_fields.subject == "thing1" and cfg.wechat.click_texts()["REPORT"] == "反映社情民意"
    with pytest.raises(ValidationError):
        cfg.reports.daily_cap = 3  # type: ignore[misc]


def test_with_overrides_is_a_checked_copy():
    cfg = Settings()
    changed = cfg.with_overrides({"reports.daily_cap": 2, "scoring.default.requirements.attended": 5,
                                  "spool.dir": "/tmp/spool"})
    assert (changed.reports.daily_cap, cfg.reports.daily_cap) == (2, 10)
    assert changed.scoring["default"]["requirements"] == {"reports": 1, "checkins": 12, "attended": 5}
    assert changed.spool.dir == Path("/tmp/spool")
    assert changed.with_overrides({}).reports.daily_cap == 2  # overrides build on the copy's own keys


@pytest.mark.parametrize("key, value, reason", [
    ("reports.daily_cap", 0, "reports.daily_cap: must be a whole number ≥ 1 (is 0)"),
    ("reports.daily_cap", "ten", "reports.daily_cap: must be a whole number ≥ 1 (is 'ten')"),
    ("reports.daily_cap", 2.5, "reports.daily_cap: must be a whole number ≥ 1"),
    ("server.port", 70000, "server.port: must be a whole number from 1 to 65535"),
    ("outbound.poll_seconds", 0, "outbound.poll_seconds: must be a number > 0"),
    ("outbound.resend_after_timeout", "maybe", "outbound.resend_after_timeout: must be true or false"),
    ("intents.margin", 1.5, "intents.margin: must be a number ≥ 0 and ≤ 1"),
    ("digest.time", 555, "digest.time: must be a time of day"),  # YAML reads an unquoted 9:15 as 555
    ("digest.time", "25:00", "digest.time: must be a time of day"),
    ("org.districts", [], "org.districts: must be a list of at least one name"),
    ("org.timezone", "Mars/Base", "org.timezone: must be a time zone name"),
    ("reports.second_scope", "everyone", "reports.second_scope: must be one of prompt_only, same_district"),
    ("reports.dailycap", 3, "reports.dailycap: unknown setting"),
    ("wechat.mode", "secure", "wechat.mode: must be one of plain, compatible, safe"),
    ("wechat.mode", "safe", "wechat.mode: safe needs wechat.aes_key"),
    ("scoring.default.base", -1, "scoring: scoring.base"),
])
def test_a_bad_value_names_its_key_and_the_reason(key, value, reason):
    with pytest.raises(ConfigError) as failed:
        Settings().with_overrides({key: value})
    assert reason in str(failed.value)


def test_secrets_are_never_repeated_in_errors():
    with pytest.raises(ConfigError) as failed:
        Settings().with_overrides({"wechat.aes_key": "s3cret-but-short", "wechat.mode": "safe"})
    assert "s3cret" not in str(failed.value)


def test_environment_overrides_as_readme_documents(tmp_path):
    env = {"WECHAT_TOKEN": "tok", "WECHAT_APPID": "", "PORT": "9000", "DATABASE_URL": "postgresql://x@h/db",
           "BOT__DIGEST__TIME": "07:45", "BOT__REPORTS__DAILY_CAP": "4", "BOT__ORG__DISTRICTS": "东胜区, 康巴什区",
           "BOT__OUTBOUND__RESEND_AFTER_TIMEOUT": "yes", "BOT__WECHAT__TEMPLATES__DIGEST": "tpl-1",
           "BOT__SCORING__DEFAULT__BASE": "60"}
    cfg = load_config(env=env)
    assert (cfg.wechat.token, cfg.wechat.appid, cfg.server.port, cfg.database.url) == ("tok", "", 9000,
                                                                                        "postgresql://x@h/db")
    assert cfg.digest.time == time(7, 45) and cfg.reports.daily_cap == 4
    assert cfg.org.districts == ("东胜区", "康巴什区") and cfg.outbound.resend_after_timeout is True
    assert cfg.wechat.templates["digest"] == "tpl-1" and cfg.wechat.templates["notice"] == ""
    assert cfg.scoring["default"]["base"] == 60
    with pytest.raises(ConfigError, match="server.port: must be a whole number"):
        load_config(env={"PORT": "eighty"})


def test_another_file_and_a_partial_file(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text("reports:\n  daily_cap: 3\n", encoding="utf-8")
    cfg = load_config(env={"BOT_CONFIG": str(path)})
    assert cfg.reports.daily_cap == 3 and cfg.reports.max_chars == 1500  # the rest: the defaults
    path.write_text("digest:\n  time: 9:15\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"invalid settings in {path}:\n  digest.time: must be a time of day"):
        load_config(env={"BOT_CONFIG": str(path)})


def test_the_cli_stops_with_the_key_and_the_reason(tmp_path, monkeypatch, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("reports:\n  daily_cap: 0\n", encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(path))
    assert cli.main(["members", "list"]) == 2
    assert "reports.daily_cap: must be a whole number ≥ 1" in capsys.readouterr().err
