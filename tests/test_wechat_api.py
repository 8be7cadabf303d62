"""The WeChat API client against the fake server: shared token, refresh under a lock, error classes."""
from __future__ import annotations

import socket
import threading

import pytest

from bot.wechat_api import (
    AmbiguousError, KefuRefused, PermanentError, RateLimited, TransientError, WeChatAPI, redact,
)
from fake_wechat import fake_wechat, point_at  # noqa: F401 - the fixture
from storage.kv import RedisStore


@pytest.fixture
def rt(runtime, fake_wechat):  # noqa: F811
    return point_at(runtime, fake_wechat)


def second_process_store(rt):
    """What another worker process would open: its own connection to the same store."""
    if isinstance(rt.kv, RedisStore):
        kwargs = rt.kv.client.connection_pool.connection_kwargs
        return RedisStore(f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}", rt.kv.prefix)
    return rt.kv  # the embedded store lives in one process only


def run_threads(count: int, target) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


# -- the shared access token ---------------------------------------------------------------------
def test_concurrent_workers_fetch_the_token_once(rt, fake_wechat):
    fake_wechat.fail("token", delay=0.3)  # a slow token endpoint widens the race
    stores = [rt.kv, second_process_store(rt)]

    def worker(i: int) -> str:
        rt_i = type(rt)(config=rt.config, db=rt.db, kv=stores[i % 2], clock=rt.clock)
        return WeChatAPI(rt_i).access_token()

    tokens = run_threads(8, worker)
    assert fake_wechat.token_fetches == 1
    assert len(fake_wechat.calls_to("token")) == 1
    assert set(tokens) == {fake_wechat.current}


def test_token_is_reused_until_it_nears_expiry(rt, fake_wechat):
    api = WeChatAPI(rt)
    api.send_text("o_a", "一")
    WeChatAPI(rt).send_text("o_b", "二")
    assert fake_wechat.token_fetches == 1
    assert api._ttl(7200) == 6900            # refreshed 5 minutes early
    assert api._ttl(120) == 60               # short-lived tokens: halfway


@pytest.mark.parametrize("code", [42001, 40001])
def test_rejected_token_is_refreshed_once_and_the_send_retried(rt, fake_wechat, code):
    api = WeChatAPI(rt)
    first = api.access_token()
    if code == 42001:
        fake_wechat.expire_tokens()
    else:  # someone else fetched a token, which invalidates ours
        fake_wechat._issue(rotate=True)
    answer = api.send_text("o_a", "你好")
    assert answer["errcode"] == 0
    assert [c.answer.get("errcode") for c in fake_wechat.calls_to("custom")] == [code, 0]
    assert api.access_token() != first
    assert len(fake_wechat.sent) == 1


def test_refresh_happens_once_for_many_workers_holding_the_same_stale_token(rt, fake_wechat):
    WeChatAPI(rt).access_token()
    fake_wechat.expire_tokens()
    fetches_before = fake_wechat.token_fetches
    results = run_threads(6, lambda i: WeChatAPI(rt).send_text(f"o_{i}", "通知"))
    assert all(isinstance(r, dict) and r["errcode"] == 0 for r in results), results
    assert fake_wechat.token_fetches == fetches_before + 1
    assert len(fake_wechat.sent) == 6


def test_token_still_rejected_after_one_refresh_is_transient(rt, fake_wechat):
    fake_wechat.fail("custom", errcode=40001, times=2)
    with pytest.raises(TransientError) as info:
        WeChatAPI(rt).send_text("o_a", "你好")
    assert info.value.code == 40001
    assert len(fake_wechat.calls_to("custom")) == 2  # refreshed once, retried once, then gave up
    assert fake_wechat.token_fetches == 2


def test_stable_token_endpoint(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"outbound.token_endpoint": "stable_token"})
    api = WeChatAPI(rt)
    api.send_text("o_a", "一")
    fake_wechat.fail("custom", errcode=40001)  # rejected, yet stable_token hands the same one back
    api.send_text("o_a", "二")
    bodies = [c.body for c in fake_wechat.calls_to("stable_token")]
    assert [b["force_refresh"] for b in bodies] == [False, False, True]  # so the refresh forces a new one
    assert not fake_wechat.calls_to("token")
    assert len(fake_wechat.sent) == 2


def test_token_endpoint_errors_are_transient_and_keep_the_secret_out(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"wechat.secret": "wrong-secret"})
    with pytest.raises(TransientError) as info:
        WeChatAPI(rt).send_text("o_a", "你好")
    assert "40125" in str(info.value)
    assert "wrong-secret" not in str(info.value)
    assert not fake_wechat.calls_to("custom")


def test_slow_token_endpoint_is_transient(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"outbound.read_timeout_seconds": 0.2})
    fake_wechat.fail("token", delay=1.0)
    with pytest.raises(TransientError):
        WeChatAPI(rt).access_token()


# -- error classes of a send ----------------------------------------------------------------------
@pytest.mark.parametrize("code,error", [
    (-1, TransientError), (40164, TransientError),
    (45009, RateLimited), (45011, RateLimited),
    (40003, PermanentError), (43004, PermanentError), (48001, PermanentError), (99999, PermanentError),
    (45015, KefuRefused), (45047, KefuRefused),
])
def test_errcodes_map_to_error_classes(rt, fake_wechat, code, error):
    fake_wechat.fail("custom", errcode=code)
    with pytest.raises(error) as info:
        WeChatAPI(rt).send_text("o_a", "你好")
    assert info.value.code == code
    assert str(code) in str(info.value)
    assert len(fake_wechat.calls_to("custom")) == 1  # the client itself never retries these


def test_permanent_errors_carry_a_readable_reason(rt, fake_wechat):
    fake_wechat.refuse("o_gone", 43004)
    with pytest.raises(PermanentError, match="43004 用户未关注公众号"):
        WeChatAPI(rt).send_template("o_gone", "T1", {"first": "x"})


def test_http_5xx_is_transient(rt, fake_wechat):
    fake_wechat.fail("template", status=502)
    with pytest.raises(TransientError, match="502"):
        WeChatAPI(rt).send_template("o_a", "T1", {"first": "x"})


def test_no_answer_to_a_send_is_ambiguous(rt, fake_wechat):
    point_at(rt, fake_wechat, **{"outbound.read_timeout_seconds": 0.2})
    WeChatAPI(rt).access_token()
    fake_wechat.fail("custom", delay=1.0)
    with pytest.raises(AmbiguousError):
        WeChatAPI(rt).send_text("o_a", "你好")


def test_garbage_answer_to_a_send_is_ambiguous(rt, fake_wechat):
    fake_wechat.fail("custom", body="<html>gateway</html>")
    with pytest.raises(AmbiguousError):
        WeChatAPI(rt).send_text("o_a", "你好")


def test_connection_refused_is_transient_not_ambiguous(rt, fake_wechat):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rt.kv.set("wechat:access_token:" + rt.config.wechat.appid, "CACHED", ttl=60)
    rt.config = rt.config.with_overrides({"wechat.api_base": f"http://127.0.0.1:{port}"})
    with pytest.raises(TransientError) as info:
        WeChatAPI(rt).send_text("o_a", "你好")
    assert not isinstance(info.value, AmbiguousError)
    assert "CACHED" not in str(info.value)


def test_template_payload(rt, fake_wechat):
    answer = WeChatAPI(rt).send_template("o_a", "T1", {"first": "标题", "keyword1": {"value": "内容",
                                                                                  "color": "#173177"}},
                                         url="https://example.cn/x")
    assert answer["msgid"]
    body = fake_wechat.sent[0].body
    assert body == {"touser": "o_a", "template_id": "T1", "url": "https://example.cn/x",
                    "data": {"first": {"value": "标题"}, "keyword1": {"value": "内容", "color": "#173177"}}}


def test_redact():
    assert redact("url: /x?access_token=ABC&y=1 secret=s3") == "url: /x?access_token=***&y=1 secret=***"
