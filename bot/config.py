"""Settings: config.yaml and the environment, loaded once into frozen, typed sections.

The file is BOT_CONFIG if set, else config.yaml in the project folder (never the current directory, so
`duty-bot …` works from any folder). Environment variables override single keys: the named ones in ENV_KEYS
(only when set and not empty), and any key as BOT__SECTION__KEY. Code reads attributes only
(`rt.config.reports.daily_cap`); a bad value stops the start with its key and the reason
(`reports.daily_cap: must be a whole number ≥ 1`), and so does a key no section knows (a typo).

Defaults live in ONE place, the models below. config.yaml lists every setting with the same default and
a comment (tests/test_config.py proves the two agree), so a partial BOT_CONFIG file still gets defaults.

Why pydantic v2 models and not frozen dataclasses: we need type coercion of environment strings, limits per
field and error locations (`reports.daily_cap`), which pydantic gives; dataclasses would need all of that
hand-written. Not pydantic-settings: its environment mapping knows neither our named variables (WECHAT_TOKEN →
wechat.token) nor comma lists, and the small overlay below keeps README's rules exactly.
"""
import copy
import os
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Mapping
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, ValidationInfo,
    WrapValidator, field_validator, model_validator,
)
from pydantic_core import PydanticCustomError

from storage.report_privacy import SecondScope
from storage.statuses import OutboxChannel
from storage.scoring import ScoringConfigError, rules_for

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
ENV_PREFIX = "BOT__"
AES_KEY_LENGTH = 43
HIDDEN = ("token", "secret", "aes_key")  # values never repeated in an error message
MAPS = ("scoring", "wechat.templates", "wechat.subscribe")  # settings that are maps: an override changes one entry


class ConfigError(ValueError):
    """The settings cannot be used; the message names each key and the reason. Raised at start."""


class ConfigMissing(ConfigError, FileNotFoundError):
    """No config file where BOT_CONFIG or the project folder says."""


# --- field types: each carries the reason shown when a value does not fit ------------------------------

def _reason(text: str) -> WrapValidator:
    def check(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(value)
        except (ValidationError, ValueError):
            raise PydanticCustomError("setting", "must be " + text) from None
    return WrapValidator(check)


def Whole(minimum: int, maximum: int | None = None) -> Any:
    bound = f"≥ {minimum}" if maximum is None else f"from {minimum} to {maximum}"
    return Annotated[int, Field(ge=minimum, le=maximum), BeforeValidator(_no_bool), _reason(f"a whole number {bound}")]


def Number(minimum: float = 0, above: bool = False, maximum: float | None = None) -> Any:
    bound = (f"> {minimum:g}" if above else f"≥ {minimum:g}") + (f" and ≤ {maximum:g}" if maximum is not None else "")
    limits = Field(gt=minimum, le=maximum) if above else Field(ge=minimum, le=maximum)
    return Annotated[float, limits, BeforeValidator(_no_bool), _reason(f"a number {bound}")]


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a flag is not a number")
    return value


def _time_of_day(value: Any) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str):  # YAML reads an unquoted 9:15 as a number
        raise ValueError("not text")
    return time.fromisoformat(value.strip())


def _names(value: Any) -> Any:
    """A list, or (from the environment) comma-separated text."""
    return [item.strip() for item in value.split(",") if item.strip()] if isinstance(value, str) else value


def _in_project(path: Path) -> Path:
    return path if path.is_absolute() else ROOT / path


Positive = Number(above=True)
Seconds = Number()
Fraction = Number(maximum=1)
Flag = Annotated[bool, _reason("true or false")]
TimeOfDay = Annotated[time, BeforeValidator(_time_of_day), _reason("a time of day, HH:MM in quotes")]
Names = Annotated[tuple[str, ...], BeforeValidator(_names), Field(min_length=1), _reason("a list of at least one name")]
ProjectPath = Annotated[Path, AfterValidator(_in_project)]  # a relative path is taken from the project folder
TextMap = Annotated[dict[str, str], _reason("a map of names to texts")]  # a plain dict: read it, never change it


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True, validate_default=True)


# --- the sections, in config.yaml's order ---------------------------------------------------------------

class TemplateFields(Section):
    """The keyword names of a template (模板消息 or 订阅通知) for each short value we fill in; "" = leave out.
    Since May 2023 WeChat shows each keyword on one line, cut at 20 characters (first/remark are not shown)."""

    subject: str = "thing1"            # 事项: what the message is about (≤ 20)
    number: str = "character_string2"  # 编号: receipt number or activity code
    state: str = "phrase3"             # 状态: 已采用, 已取消 … (≤ 5)
    time: str = "time4"                # 时间: the date or time the message is about
    detail: str = "thing5"             # 说明: a short line more (≤ 20)


class SubscribeTemplate(Section):
    """A 订阅通知 template: its id and whether one accept allows one message or many (public services)."""

    template_id: str = ""
    mode: Literal["one_time", "long_term"] = "one_time"


MENU_NAME_BYTES, SUB_NAME_BYTES, MENU_KEY_BYTES = 16, 60, 128  # WeChat's limits (UTF-8 bytes)


class MenuButton(Section):
    """One custom-menu button: a CLICK (key + the text it stands for), a VIEW (url), or a sub-menu."""

    name: str
    key: str = ""          # CLICK key, pushed to us as the event's EventKey
    text: str = ""         # what a click means: the text the member would have typed
    url: str = ""          # VIEW: a web page
    sub_button: tuple["MenuButton", ...] = ()

    @model_validator(mode="after")
    def _one_kind(self) -> "MenuButton":
        kinds = [bool(self.key), bool(self.url), bool(self.sub_button)]
        if sum(kinds) != 1:
            raise PydanticCustomError("setting", "each menu button needs exactly one of key, url or sub_button "
                                                 "({name})", {"name": self.name})
        if self.key and (not self.text or len(self.key.encode()) > MENU_KEY_BYTES):
            raise PydanticCustomError("setting", "a CLICK button needs a text and a key of at most 128 bytes "
                                                 "({name})", {"name": self.name})
        if len(self.sub_button) > 5 or any(b.sub_button for b in self.sub_button):
            raise PydanticCustomError("setting", "a sub-menu holds at most 5 buttons, none with its own sub-menu "
                                                 "({name})", {"name": self.name})
        if any(len(b.name.encode()) > SUB_NAME_BYTES for b in self.sub_button):
            raise PydanticCustomError("setting", "a sub-menu button name is at most 60 bytes ({name})",
                                      {"name": self.name})
        return self


def _top_menu(buttons: tuple[MenuButton, ...]) -> tuple[MenuButton, ...]:
    if len(buttons) > 3 or any(len(b.name.encode()) > MENU_NAME_BYTES for b in buttons):
        raise PydanticCustomError("setting", "must be at most 3 buttons, each name at most 16 bytes (5 汉字)")
    return buttons


DEFAULT_MENU = (
    {"name": "学习打卡", "key": "CHECKIN", "text": "学习打卡"},
    {"name": "社情民意", "sub_button": [{"name": "反映社情民意", "key": "REPORT", "text": "反映社情民意"},
                                    {"name": "我的社情民意", "key": "MY_REPORTS", "text": "我的社情民意"}]},
    {"name": "我的", "sub_button": [{"name": "近期活动", "key": "ACTIVITIES", "text": "近期活动"},
                                  {"name": "我的履职", "key": "RECORD", "text": "我的履职"},
                                  {"name": "帮助", "key": "HELP", "text": "帮助"}]},
)


class WechatSettings(Section):
    token: str = ""
    appid: str = ""
    secret: str = ""
    aes_key: str = ""
    mode: Literal["plain", "compatible", "safe"] = ""  # "": safe when aes_key is set, else plain
    api_base: str = "https://api.weixin.qq.com"
    replay_window_seconds: Positive = 300
    max_body_bytes: Whole(1) = 65536
    reply_max_bytes: Whole(1) = 2048
    dedup_ttl_seconds: Positive = 600
    pending_lease_seconds: Positive = 4.0
    retry_wait_seconds: Seconds = 2.0
    handler_budget_seconds: Positive = 3.0
    templates: TextMap = {"notice": "", "digest": "", "reminder": ""}
    template_fields: TemplateFields = TemplateFields()
    subscribe: dict[str, SubscribeTemplate] = {"notice": SubscribeTemplate(), "digest": SubscribeTemplate(),
                                               "reminder": SubscribeTemplate()}
    subscribe_fields: TemplateFields = TemplateFields()
    menu: Annotated[tuple[MenuButton, ...], AfterValidator(_top_menu)] = DEFAULT_MENU

    def click_texts(self) -> dict[str, str]:
        """CLICK key -> the text the member would have typed (bot/dialogs/events.py)."""
        buttons = [b for top in self.menu for b in (top, *top.sub_button)]
        return {b.key: b.text for b in buttons if b.key}

    @property
    def has_credentials(self) -> bool:
        """AppID and AppSecret are set: the API (outbox, QR codes, menu) can be called."""
        return bool(self.appid and self.secret)

    @field_validator("mode", mode="before")
    @classmethod
    def _resolve_mode(cls, value: Any, info: ValidationInfo) -> str:
        """The 公众号's 消息加解密方式; empty = safe when the AES key is set, else plain."""
        aes_key = info.data.get("aes_key", "")
        mode = str(value or "").strip().lower() or ("safe" if aes_key else "plain")
        if mode not in ("plain", "compatible", "safe"):
            raise PydanticCustomError("setting", "must be one of plain, compatible, safe (or empty)")
        if mode != "plain" and len(aes_key) != AES_KEY_LENGTH:
            raise PydanticCustomError(
                "setting", "{mode} needs wechat.aes_key (WECHAT_AES_KEY), the {length}-char EncodingAESKey of the "
                           "official account", {"mode": mode, "length": AES_KEY_LENGTH})
        return mode


class OutboundSettings(Section):
    token_endpoint: Literal["token", "stable_token"] = "token"
    token_refresh_margin_seconds: Seconds = 300
    connect_timeout_seconds: Positive = 3.0
    read_timeout_seconds: Positive = 10.0
    kefu_window_hours: Positive = 48
    poll_seconds: Positive = 2.0
    batch_size: Whole(1) = 50
    max_attempts: Whole(1) = 6
    backoff_seconds: Seconds = 30.0
    backoff_max_seconds: Seconds = 3600.0
    rate_limit_pause_seconds: Seconds = 60.0
    lease_seconds: Positive = 120.0
    resend_after_timeout: Flag = False
    channels: Annotated[tuple[OutboxChannel, ...], BeforeValidator(_names), Field(min_length=1),
                        _reason("a list of kefu, subscribe, template")] = (
        OutboxChannel.KEFU, OutboxChannel.SUBSCRIBE, OutboxChannel.TEMPLATE)
    kefu_message_quota: Whole(0) = 5
    kefu_event_quota: Whole(0) = 3
    kefu_event_window_seconds: Positive = 60
    notice_link_ttl_hours: Positive = 720
    daily_job_lock_seconds: Positive = 900


class DatabaseSettings(Section):
    url: str = ""
    connect_timeout_seconds: Whole(2) = 2
    statement_timeout_ms: Whole(0) = 2500
    pool_timeout_seconds: Positive = 1.0
    sqlite_busy_timeout_seconds: Seconds = 30
    pool_size: Whole(1) = 3
    max_overflow: Whole(0) = 5


class SpoolSettings(Section):
    dir: ProjectPath = "data/spool"
    check_seconds: Positive = 1.0
    replay_poll_seconds: Positive = 5.0


class RedisSettings(Section):
    url: str = ""
    prefix: str = "cppcc:"
    socket_timeout_seconds: Positive = 0.5
    connect_timeout_seconds: Positive = 0.5
    down_for_seconds: Seconds = 2.0


class ServerSettings(Section):
    port: Whole(1, 65535) = 8080
    host: str = "0.0.0.0"
    threads: Whole(1) = 8
    healthz_timeout_seconds: Positive = 0.8


class OrgSettings(Section):
    name: str = "鄂尔多斯市政协"
    timezone: str = "Asia/Shanghai"
    districts: Names = ("东胜区", "康巴什区", "达拉特旗", "准格尔旗", "鄂托克前旗", "鄂托克旗", "杭锦旗", "乌审旗",
                        "伊金霍洛旗")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception:
            raise PydanticCustomError("setting", "must be a time zone name such as Asia/Shanghai") from None
        return value


class BindingSettings(Section):
    attempts: Whole(1) = 5
    window_minutes: Positive = 60
    require_code: Flag = False
    code_hours: Positive = 24
    flag_failures: Whole(1) = 3


class DialogSettings(Section):
    idle_timeout_seconds: Positive = 900


class IntentsSettings(Section):
    confidence_threshold: Fraction = 0.55
    margin: Fraction = 0.12


class CheckinSettings(Section):
    max_backdate_days: Whole(0) = 7
    max_minutes: Whole(1) = 720
    daily_max_checkins: Whole(1) = 3
    daily_max_minutes: Whole(1) = 480


class ReportsSettings(Section):
    receipt_prefix: Annotated[str, Field(min_length=1), _reason("a non-empty text")] = "SQ"
    min_chars: Whole(0) = 30
    max_chars: Whole(1) = 1500
    daily_cap: Whole(1) = 10
    similar_days: Whole(1) = 90
    similarity_threshold: Fraction = 0.3
    similar_max_candidates: Whole(1) = 200
    second_scope: Annotated[SecondScope, _reason(f"one of {', '.join(SecondScope)}")] = SecondScope.PROMPT_ONLY
    max_attachments: Whole(0) = 9
    categories: Names = ("经济发展", "民生保障", "社会治理", "生态环保", "教育科技", "医疗卫生", "农村牧区", "城乡建设",
                         "交通出行", "民族宗教", "其他")


class MediaSettings(Section):
    dir: ProjectPath = "data/media"
    max_bytes: Whole(1) = 10485760
    poll_seconds: Positive = 60


class ActivitiesSettings(Section):
    list_limit: Whole(1) = 8
    default_duration_minutes: Whole(1) = 180
    checkin_opens_minutes_before: Whole(0) = 30
    reminder_time: TimeOfDay = time(9, 0)
    reminder_poll_seconds: Positive = 300
    record_suggestions: Whole(0) = 3
    qr_valid_after_end_hours: Positive = 24


class DigestSettings(Section):
    time: TimeOfDay = time(8, 30)
    overdue_days: Whole(1) = 7
    secret: str = ""
    link_ttl_hours: Positive = 72
    base_url: str = ""


class ConsoleSettings(Section):
    """The staff web console (bot/console/)."""

    secret: str = ""
    idle_minutes: Positive = 30
    login_attempts: Whole(1) = 5
    login_attempts_per_address: Whole(1) = 30
    login_window_minutes: Positive = 15
    password_min_length: Whole(1) = 10
    behind_https_proxy: Flag = False
    page_size: Whole(1) = 30


def _receipt_format(value: str) -> str:
    """A receipt format must number the proposals and use only the known placeholders."""
    try:
        sample = value.format(prefix="TA", year=2026, session="八届三次", number=1)
    except (KeyError, IndexError, ValueError):
        raise PydanticCustomError("setting", "must use only {{prefix}} {{year}} {{session}} {{number:04d}}") from None
    if "{number" not in value or len(sample) > 32:
        raise PydanticCustomError("setting", "must contain {{number}} (e.g. {{number:04d}}) and stay within 32 characters")
    return value


class ProposalsSettings(Section):
    """提案 (storage/proposal_flow.py, bot/dialogs/proposal.py)."""

    receipt_prefix: Annotated[str, Field(min_length=1), _reason("a non-empty text")] = "TA"
    receipt_format: Annotated[str, AfterValidator(_receipt_format)] = "{prefix}{year}-{number:04d}"
    session: str = ""
    deadline_days: Whole(1) = 90
    title_max_chars: Whole(10, 100) = 40
    min_chars: Whole(0) = 20
    max_chars: Whole(1) = 3000
    max_cosigners: Whole(1) = 20
    units: Names = ("市发展和改革委员会", "市教育局", "市公安局", "市民政局", "市财政局", "市人力资源和社会保障局",
                    "市自然资源局", "市生态环境局", "市住房和城乡建设局", "市交通运输局", "市农牧局", "市水利局",
                    "市商务局", "市文化旅游体育局", "市卫生健康委员会", "市市场监督管理局", "市应急管理局",
                    "市能源局", "市医疗保障局", "市城市管理综合执法局")
    categories: Names = ("经济建设", "科教文卫", "社会民生", "城乡建设", "生态环保", "农村牧区", "政治法治", "其他")


DEFAULT_SCORING = {  # 履职积分 rules; config.yaml explains every key (storage/scoring.py reads them)
    "default": {
        "base": 0, "floor": 0,
        "reports": {"submitted": 2, "adopted": 3, "instructed": 5, "cap": 0},
        "seconds": {"each": 1, "cap": 5},
        "study": {"each": 1, "cap": 24},
        "activities": {
            "attended": {"全体会议": 5, "常委会议": 3, "专题协商会": 3, "视察": 3, "调研": 3, "考察": 3, "default": 2},
            "excused": {"default": 0},
            "absent": {"全体会议": 10, "常委会议": 4, "default": 2},
            "cap": 0},
        "proposals": {"submitted": 5, "cosigned": 2, "registered": 3, "key": 3, "excellent": 5, "cap": 0},
        "requirements": {"reports": 1, "checkins": 12, "attended": 2},
    },
}


def _scoring(value: Any) -> Mapping:
    """Per-year rule sets stay a mapping (storage/scoring.py reads it); a `scoring:` in the file replaces
    DEFAULT_SCORING as a whole (a rule set is policy: no entry comes from elsewhere). Every year is checked now."""
    if not isinstance(value, Mapping):
        raise PydanticCustomError("setting", "must be a map with a `default` rule set")
    value = _whole_numbers(value)
    try:
        for year in [0] + [int(key) for key in value if str(key).isdigit()]:
            rules_for(value, year)
    except ScoringConfigError as exc:
        raise PydanticCustomError("setting", "{problem}", {"problem": str(exc)}) from None
    return value


def _whole_numbers(value: Any) -> Any:
    """Digits from the environment (BOT__SCORING__DEFAULT__BASE=60) become numbers."""
    if isinstance(value, Mapping):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


class Settings(Section):
    """Every setting, by section: rt.config.reports.daily_cap."""

    wechat: WechatSettings = WechatSettings()
    outbound: OutboundSettings = OutboundSettings()
    database: DatabaseSettings = DatabaseSettings()
    spool: SpoolSettings = SpoolSettings()
    redis: RedisSettings = RedisSettings()
    server: ServerSettings = ServerSettings()
    org: OrgSettings = OrgSettings()
    binding: BindingSettings = BindingSettings()
    dialog: DialogSettings = DialogSettings()
    intents: IntentsSettings = IntentsSettings()
    checkin: CheckinSettings = CheckinSettings()
    reports: ReportsSettings = ReportsSettings()
    media: MediaSettings = MediaSettings()
    activities: ActivitiesSettings = ActivitiesSettings()
    scoring: Annotated[dict, AfterValidator(_scoring)] = DEFAULT_SCORING
    digest: DigestSettings = DigestSettings()
    console: ConsoleSettings = ConsoleSettings()
    proposals: ProposalsSettings = ProposalsSettings()

    _source: dict = PrivateAttr(default_factory=dict)  # the raw keys it was made from (for with_overrides)

    def model_post_init(self, context: Any) -> None:
        self._source = _keeping_maps({}, self)

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Settings":
        """A copy with dotted keys replaced, checked like the file (tests and the CLI use it)."""
        data = copy.deepcopy(self._source)
        for dotted, value in overrides.items():
            _set(data, dotted, value)
        return settings_from(data, "overrides")


def settings_from(data: Mapping[str, Any], source: str) -> Settings:
    """Validate raw keys (from YAML, the environment, overrides) into Settings, or raise ConfigError."""
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(f"  {_describe(error)}" for error in exc.errors())
        raise ConfigError(f"invalid settings in {source}:\n{problems}") from None
    settings._source = _keeping_maps(copy.deepcopy(dict(data)), settings)
    return settings


def _keeping_maps(source: dict, settings: "Settings") -> dict:
    """The raw keys plus the maps in effect, so that with_overrides({"scoring.default.base": 60}) changes one
    entry of the rules in effect rather than replacing them."""
    for dotted in MAPS:
        *path, name = dotted.split(".")
        section = settings
        for part in path:
            section = getattr(section, part)
        value = getattr(section, name)
        _set(source, dotted, {key: item.model_dump() if isinstance(item, BaseModel) else copy.deepcopy(item)
                              for key, item in value.items()})
    return source


def load_config(path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = Path(path or env.get("BOT_CONFIG") or DEFAULT_PATH)
    if not path.is_file():  # e.g. a non-editable install, whose package folder holds no config.yaml
        raise ConfigMissing(f"config file {path} not found: set BOT_CONFIG to the config.yaml to use")
    with open(path, encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold sections of settings (wechat:, reports: …)")
    for dotted, value in env_overrides(env).items():
        _set(data, dotted, value)
    return settings_from(data, str(path))


def env_overrides(env: Mapping[str, str]) -> dict[str, str]:
    """dotted key -> raw text: the named variables when set and not empty, then every BOT__SECTION__KEY."""
    found = {dotted: env[name] for name, dotted in ENV_KEYS.items() if env.get(name) not in (None, "")}
    for name, value in env.items():
        if name.startswith(ENV_PREFIX):
            found[".".join(part.lower() for part in name[len(ENV_PREFIX):].split("__"))] = value
    return found


def _describe(error: Mapping[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown setting (config.yaml lists every setting)"
    if error["type"] == "model_type":
        return f"{key}: must be a section of settings"
    reason = error["msg"] if error["type"] == "setting" else error["msg"][0].lower() + error["msg"][1:]
    value = error.get("input")
    shown = "" if any(word in key for word in HIDDEN) or isinstance(value, Mapping) else f" (is {value!r})"
    return f"{key}: {reason}{shown}"


def _set(data: dict, dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = data.get(part)
        if not isinstance(node, dict):
            node = data[part] = dict(node) if isinstance(node, Mapping) else {}
        data = node
    data[parts[-1]] = value
