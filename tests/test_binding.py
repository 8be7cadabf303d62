"""Issue 10, finding 2: binding cannot be brute-forced, staff entries need a one-time code, every attempt is kept."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

import intents
from bot import replies
from bot.digest import build_digest, render_text
from conftest import FIXED_NOW, add_member, make_config
from storage import binding
from storage.models import BindingAttempt, BindingCode, Member

NAME, PHONE = "张三", "13912345658"


@pytest.fixture(autouse=True, scope="module")
def warm_intents():
    intents.warm_up()


@pytest.fixture
def entry(runtime):
    return add_member(runtime, NAME, PHONE)


def bound_openid(rt, phone: str) -> str | None:
    with rt.db.session() as session:
        return session.query(Member).filter_by(phone=phone).one().openid


def outcomes(rt) -> list[str]:
    with rt.db.session() as session:
        return [a.outcome for a in session.query(BindingAttempt).order_by(BindingAttempt.id)]


def at(rt, moment):
    rt.clock = lambda: moment


# --- reproduction of finding 2 ------------------------------------------------------------------------

def test_hundred_phone_guesses_do_not_bind(runtime, wechat, entry):
    """Finding 2: 100 phone guesses for a known name took 0.3 s and guess #58 bound the entry."""
    guesses = [f"139123456{n:02d}" for n in range(100)]
    assert guesses[58] == PHONE
    answers = {wechat.say("o_attacker", f"绑定 {NAME} {phone}") for phone in guesses}
    assert answers == {replies.BIND_FAILED}
    assert bound_openid(runtime, PHONE) is None
    assert len(outcomes(runtime)) == 100 and outcomes(runtime)[58] == "throttled"


def test_guesses_from_many_accounts_hit_the_entry_throttle(runtime, wechat, entry):
    for n in range(100):
        wechat.say(f"o_attacker{n}", f"绑定 {NAME} 139123456{n:02d}")
    assert bound_openid(runtime, PHONE) is None
    assert outcomes(runtime).count("throttled") >= 90


def test_stranger_cannot_take_a_staff_entry_without_a_code(runtime, wechat):
    """Finding 2: a stranger bound an unbound staff entry, then read full reports and got the digest."""
    add_member(runtime, "王秘书", "13800000001", role="staff", sector="")
    assert wechat.say("o_stranger", "绑定 王秘书 13800000001") == replies.BIND_FAILED
    assert bound_openid(runtime, "13800000001") is None
    assert wechat.say("o_stranger", "待审") == replies.BIND_HOW


def test_every_failure_gets_the_same_neutral_reply(runtime, wechat, entry):
    add_member(runtime, "李四", "13800001111", openid="o_li")
    for text in (f"绑定 {NAME} 13912345600", f"绑定 王五 {PHONE}", "绑定 李四 13800001111",
                 "绑定 无此人 13700000000"):
        assert wechat.say("o_someone", text) == replies.BIND_FAILED
    assert replies.BIND_FAILED == "信息不符或无法绑定，请核对或联系工作人员"
    assert outcomes(runtime) == ["no_match", "no_match", "taken", "no_match"]


# --- the rightful member ----------------------------------------------------------------------------

def test_member_binds_after_a_typo(runtime, wechat, entry):
    assert wechat.say("o_zhang", f"绑定 {NAME} 13912345659") == replies.BIND_FAILED
    assert wechat.say("o_zhang", f"绑定 {NAME} {PHONE}").startswith("绑定成功")
    assert bound_openid(runtime, PHONE) == "o_zhang"
    assert outcomes(runtime) == ["no_match", "bound"]


def test_throttle_ends_after_the_window(runtime, wechat, entry):
    for n in range(5):
        wechat.say("o_zhang", f"绑定 {NAME} 1391234560{n}")
    assert wechat.say("o_zhang", f"绑定 {NAME} {PHONE}") == replies.BIND_FAILED  # throttled, though right
    assert bound_openid(runtime, PHONE) is None
    at(runtime, FIXED_NOW + timedelta(minutes=61))
    assert wechat.say("o_zhang", f"绑定 {NAME} {PHONE}").startswith("绑定成功")


def test_throttle_settings(runtime, wechat, entry):
    runtime.config = make_config(**{"binding.attempts": 2, "binding.window_minutes": 5})
    for n in range(2):
        wechat.say("o_zhang", f"绑定 {NAME} 1391234560{n}")
    assert wechat.say("o_zhang", f"绑定 {NAME} {PHONE}") == replies.BIND_FAILED
    at(runtime, FIXED_NOW + timedelta(minutes=6))
    assert wechat.say("o_zhang", f"绑定 {NAME} {PHONE}").startswith("绑定成功")


# --- one-time codes -------------------------------------------------------------------------------------

def test_staff_bind_with_a_code_from_the_cli(runtime, wechat, cli):
    add_member(runtime, "王秘书", "13800000001", role="staff", sector="")
    code, out, _err = cli("members", "code", "13800000001")
    assert code == 0
    issued = re.search(r"\b(\d{6})\b", out).group(1)
    with runtime.db.session() as session:
        stored = session.query(BindingCode).one()
        assert issued not in stored.code_hash  # only a hash is kept
    assert wechat.say("o_wang", f"绑定 王秘书 13800000001 {issued}").startswith("绑定成功")
    assert bound_openid(runtime, "13800000001") == "o_wang"
    cli("members", "unbind", "13800000001")
    assert wechat.say("o_wang", f"绑定 王秘书 13800000001 {issued}") == replies.BIND_FAILED  # works once


def test_code_cli_refuses_unknown_phone_and_bad_hours(runtime, cli):
    assert cli("members", "code", "13700000000")[0] == 2
    add_member(runtime, "王秘书", "13800000001", role="staff", sector="")
    assert cli("members", "code", "13800000001", "--hours", "0")[0] == 2
    assert cli("members", "code", "13800000001", "--hours", "2")[0] == 0


def test_code_expires_and_a_new_code_replaces_the_old(runtime, wechat):
    staff = add_member(runtime, "王秘书", "13800000001", role="staff", sector="")
    with runtime.db.session() as session:
        old = binding.issue_code(session, session.get(Member, staff.id), FIXED_NOW, hours=1)
        new = binding.issue_code(session, session.get(Member, staff.id), FIXED_NOW, hours=1)
    assert wechat.say("o_wang", f"绑定 王秘书 13800000001 {old}") == replies.BIND_FAILED
    at(runtime, FIXED_NOW + timedelta(hours=1, seconds=1))
    assert wechat.say("o_wang", f"绑定 王秘书 13800000001 {new}") == replies.BIND_FAILED
    assert outcomes(runtime) == ["bad_code", "bad_code"]
    assert bound_openid(runtime, "13800000001") is None


def test_staff_without_code_or_with_a_wrong_code(runtime, wechat):
    add_member(runtime, "王秘书", "13800000001", role="staff", sector="")
    assert wechat.say("o_wang", "绑定 王秘书 13800000001") == replies.BIND_FAILED
    assert wechat.say("o_wang", "绑定 王秘书 13800000001 000000") == replies.BIND_FAILED
    assert outcomes(runtime) == ["code_required", "bad_code"]


def test_require_code_applies_to_every_entry(runtime, wechat, entry):
    runtime.config = make_config(**{"binding.require_code": True})
    assert wechat.say("o_zhang", f"绑定 {NAME} {PHONE}") == replies.BIND_FAILED
    with runtime.db.session() as session:
        issued = binding.issue_code(session, session.get(Member, entry.id), FIXED_NOW, hours=24)
    assert wechat.say("o_zhang", f"绑定 {NAME} {PHONE} 验证码{issued}").startswith("绑定成功")


def test_a_code_is_no_use_for_another_entry(runtime, wechat, entry):
    add_member(runtime, "王秘书", "13800000001", role="staff", sector="")
    with runtime.db.session() as session:
        issued = binding.issue_code(session, session.get(Member, entry.id), FIXED_NOW, hours=24)
    assert wechat.say("o_wang", f"绑定 王秘书 13800000001 {issued}") == replies.BIND_FAILED


def test_code_hashing():
    stored = binding.hash_code("123456")
    assert "123456" not in stored and binding.code_matches("123456", stored)
    assert not binding.code_matches("123457", stored) and not binding.code_matches("", stored)


# --- attempts kept and flagged -------------------------------------------------------------------------

def test_attempts_listed_and_repeated_failures_flagged(runtime, wechat, entry, cli, staff):
    for n in range(4):
        wechat.say("o_attacker", f"绑定 {NAME} 1391234560{n}")
    code, out, _err = cli("members", "attempts", "--since", "2026-11-01")
    assert code == 0
    assert out.count("o_attacker") == 4 and NAME in out and "no_match" not in out  # outcomes in words
    assert binding.OUTCOME_WORDS["no_match"] in out
    assert binding_flag_line(out)
    digest = render_text(build_digest(runtime, FIXED_NOW.date()))
    assert NAME in digest and "4" in binding_flag_line(digest)


def binding_flag_line(text: str) -> str:
    return next((line for line in text.splitlines() if "绑定失败" in line), "")


def test_attempts_since_filters(runtime, wechat, entry, cli):
    wechat.say("o_attacker", f"绑定 {NAME} 13912345600")
    code, out, _err = cli("members", "attempts", "--since", "2026-11-27")
    assert code == 0 and "o_attacker" not in out
    assert cli("members", "attempts", "--since", "yesterday-ish")[0] == 2


def test_no_flag_for_a_single_typo(runtime, wechat, entry):
    wechat.say("o_zhang", f"绑定 {NAME} 13912345600")
    assert not binding_flag_line(render_text(build_digest(runtime, FIXED_NOW.date())))


def test_a_burst_of_parallel_guesses_cannot_outrun_the_count(runtime, entry):
    """Concurrent attempts on one entry are serialised: at most `attempts` are ever compared."""
    import threading

    policy = binding.Policy(attempts=5, window=timedelta(hours=1))
    start = threading.Barrier(20)

    def guess(n: int) -> None:
        start.wait()
        with runtime.db.session() as session:
            binding.attempt(session, f"o_burst{n}", NAME, f"139123456{n:02d}", None, FIXED_NOW, policy)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40, 60)]  # 58 is the right phone
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seen = outcomes(runtime)
    failures_compared = [o for o in seen if o not in ("throttled", "bound")]
    assert len(seen) == 20 and len(failures_compared) == 5  # then the throttle held for every later guess
    assert "bound" not in seen or seen.index("bound") < seen.index("throttled")
