"""Messages that go out later through the outbox, and the notes staff read about them (`outbox list`).

Keep every {placeholder}. See bot/wording/__init__.py for the other wording files.
"""

# Notes recorded in an outbox row's last_error, read by staff in `python -m bot outbox list`.
OUTBOX_NOTES = {
    "lease": "发送过程中断（进程退出或卡住），无法确认是否送达，为避免重复未自动重发；确认对方未收到后可执行 "
             "python -m bot outbox retry {id}",
    "timeout": "等待微信应答超时，可能已送达，为避免重复未自动重发；确认对方未收到后可执行 "
               "python -m bot outbox retry {id}：{error}",
    "crash": "发送时程序出错，无法确认是否送达：{error}",
    "no_template": "成员不在48小时客服消息窗口内，且未配置“{kind}”模板消息（wechat.templates）",
    "no_channel": "没有可用的发送渠道：成员不在客服消息窗口内（或已达条数上限）、未订阅通知，且未配置“{kind}”模板消息"
                  "（wechat.templates）",
    "no_credentials": "未配置公众号 AppID/AppSecret（WECHAT_APPID、WECHAT_SECRET）：消息保留在队列中，配置后由工作进程发送",
    "receipt": "微信回执：{status}",
    "retried": "工作人员要求重发（此前：{status} {error}）",
}
# One delivery run, as the worker logs and prints it.
DELIVERY_SUMMARY = "已发送 {sent} 条，稍后重试 {retry} 条，失败 {failed} 条，状态不明 {unknown} 条"

# --- activities: to members holding a place or waiting -------------------------------------------
NOTICE_PROMOTED = ("候补成功！您已获得 {code} {title} 的名额。\n时间：{when}\n地点：{place}\n"
                   "如不能参加，请发「取消报名 {code}」或「请假 {code} 事由」。")
NOTICE_CHANGED = ("活动变更通知：{code} {title}\n时间：{when}{old_when}\n地点：{place}{old_place}\n"
                  "如不能参加，请发「请假 {code} 事由」。")
NOTICE_WAS = "（原{old}）"
NOTICE_CANCELLED = "活动取消通知：{code} {title}（原定{when}）已取消。{note}给您带来不便，敬请谅解。"
NOTICE_CANCELLED_REASON = "原因：{reason}。"
REMINDER = ("活动提醒：您报名的 {code} {title} 明天举行。\n时间：{when}\n地点：{place}\n"
            "到场后请发「签到 签到码」或扫码签到；如不能参加，请发「请假 {code} 事由」。")
PLACE_UNDECIDED = "待定"  # an activity without a place yet

# --- 社情民意 ------------------------------------------------------------------------------------
# notices to the member (outbox), one per state change
REPORT_NOTICES = {
    "adopt": "您的社情民意 {receipt}《{title}》已被采用。{note_line}",
    "return": "您的社情民意 {receipt}《{title}》已退回，理由：{note}\n可发「修改 {receipt}」修改后重新提交。",
    "reject": "您的社情民意 {receipt}《{title}》未被采用。{note_line}感谢您的关注。",
    "forward": "您的社情民意 {receipt}《{title}》已报送{to}。{note_line}",
    "instruct": "您的社情民意 {receipt}《{title}》已获{leader}批示：{note}",
    "close": "您的社情民意 {receipt}《{title}》已办结。办理结果：{note}",
    "merge": "您的社情民意 {receipt}《{title}》与 {into} 反映的问题相同，已合并办理。",
}
# the same changes, told to members who seconded (附议) the report
REPORT_SECOND_NOTICES = {
    "adopt": "您附议的社情民意 {receipt}《{title}》已被采用。",
    "reject": "您附议的社情民意 {receipt}《{title}》未被采用。感谢您的关注。",
    "forward": "您附议的社情民意 {receipt}《{title}》已报送{to}。",
    "instruct": "您附议的社情民意 {receipt}《{title}》已获{leader}批示：{note}",
    "close": "您附议的社情民意 {receipt}《{title}》已办结。办理结果：{note}",
    "merge": "您附议的社情民意 {receipt}《{title}》已并入 {into} 合并办理。",
}
REPORT_NOTICE_NOTE = "说明：{note}\n"

# Why a queued reminder was withdrawn (outbox last_error, read by staff in `outbox list`).
REMINDER_VOID = {
    "rescheduled": "活动时间已变更，原提醒作废（已按新时间另行提醒）",
    "withdrawn": "委员已取消报名或请假，提醒作废",
    "activity_cancelled": "活动已取消，提醒作废",
}

# --- 提案 (issue 14) -----------------------------------------------------------------------------------
# to the author ({whose} = 您的) and the agreeing co-signers ({whose} = 您联名的), one per state change
PROPOSAL_NOTICES = {
    "register": "{whose}提案 {receipt}《{title}》已立案。{note_line}",
    "reject": "{whose}提案 {receipt}《{title}》经审查不予立案，理由：{note}{report_line}",
    "return": "{whose}提案 {receipt}《{title}》已退回修改，意见：{note}",
    "merge": "{whose}提案 {receipt}《{title}》已与 {into} 并案办理。{note_line}",
    "resubmit": "{whose}提案 {receipt}《{title}》已修改并重新提交审查。",
    "assign": "{whose}提案 {receipt}《{title}》已交办：{units}，办理期限 {deadline}。",
    "reply": ("{whose}提案 {receipt}《{title}》已办复。\n承办单位：{unit}\n沟通方式：{channel}\n办理结果：{outcome}\n"
              "答复摘要：{reply}"),
    "accept": "{whose}提案 {receipt}《{title}》已办结（提案人评价：{verdict}）。",
    "reopen": "{whose}提案 {receipt}《{title}》办理评价为不满意，已转入再办理（第{round}轮）。",
    "close": "{whose}提案 {receipt}《{title}》已办结。{note_line}",
    "mark_key": "{whose}提案 {receipt}《{title}》已列为重点提案。",
    "mark_excellent": "{whose}提案 {receipt}《{title}》被评为优秀提案，祝贺！",
}
PROPOSAL_WHOSE_AUTHOR = "您的"
PROPOSAL_WHOSE_COSIGNER = "您联名的"
PROPOSAL_NOTICE_NOTE = "说明：{note}"
PROPOSAL_NOTICE_REPORT = "\n已转为社情民意 {report} 继续处理。"
PROPOSAL_NOTICE_REVISE = "\n可发「修改 {receipt}」修改后重新提交。"
PROPOSAL_VERDICT_ASK = ("\n请对办理情况作出评价，回复「满意 {receipt}」「基本满意 {receipt}」"
                        "或「不满意 {receipt} 理由」。")
PROPOSAL_REPLY_EXCERPT = 120   # characters of the unit's reply quoted in the notice
PROPOSAL_COSIGN_INVITE = ("{author}委员邀请您联名提案 {receipt}《{title}》。\n"
                          "同意请回复「同意联名 {receipt}」，不同意请回复「不同意联名 {receipt}」。")
PROPOSAL_COSIGN_AGREED = "{name}已同意联名您的提案 {receipt}《{title}》。"
PROPOSAL_COSIGN_DECLINED = "{name}不同意联名您的提案 {receipt}《{title}》。"
# to staff
PROPOSAL_STAFF_REOPENED = ("提案 {receipt}《{title}》（{author}）办理评价为不满意，理由：{note}\n"
                           "已转入再办理（第{round}轮），请重新交办：「交办 {receipt} 主办 单位」。")

# --- short keyword values of template messages / 订阅通知 (bot/template_data.py: ≤ 20 characters each, state ≤ 5;
# WeChat no longer shows first/remark: the full text above is behind the message's link) -------------------------
BRIEF_REPORT_SUBJECT = "社情民意"           # shown as 社情民意《title》
BRIEF_REPORT_SECOND_SUBJECT = "附议社情民意"
BRIEF_REPORT_STATES = {"adopt": "已采用", "return": "已退回", "reject": "未采用", "forward": "已报送",
                       "instruct": "已批示", "close": "已办结", "merge": "已合并"}
BRIEF_REPORT_DETAIL = {"return": "请修改后重新提交", "merge": "并入 {into}", "forward": "报送{to}",
                       "instruct": "{leader}批示"}
BRIEF_ACTIVITY_STATES = {"reminder": "明日举行", "promoted": "候补成功", "changed": "有变更", "cancelled": "已取消"}
BRIEF_PLACE = "地点：{place}"
BRIEF_CANCEL_REASON = "原因：{reason}"

# The page behind a template message's / 订阅通知's link: /notice/<token> (bot/web.py)
NOTICE_PAGE = {
    "title": "{org}通知",
    "sent": "发送时间：{time}",
    "denied_title": "链接无效",
    "denied_invalid": "抱歉，这个通知链接无效或已被修改。请从公众号消息中重新打开。",
    "denied_expired": "抱歉，这个通知链接已过期。如需查看，请在公众号中发送相关查询（如「我的社情民意」）。",
    "denied_unconfigured": "抱歉，通知页面尚未配置完成，请联系管理员。",
}
