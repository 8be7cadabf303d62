"""Every sentence the assistant says to members and staff, kept together so staff can edit the wording.

Placeholders in {braces} are filled by the handlers; keep them when rewording.
Replies stay short: what happened, then what to do next.
"""

# --- general ---------------------------------------------------------------
WELCOME = ("欢迎关注{org}委员履职助手！\n"
           "请先绑定身份：发送「绑定 姓名 手机号」，例如：绑定 张三 13912345678")
HELP = ("您可以直接发文字或语音，例如：\n"
        "1. 学习打卡：今天学习了《政协章程》30分钟\n"
        "2. 活动：发「近期活动」查看，「报名 A3」报名，「取消报名 A3」取消\n"
        "3. 社情民意：直接写下问题、地点和建议；「我的社情民意」查进度\n"
        "4. 我的履职：查看今年的履职情况")
STAFF_HELP_SUFFIX = "\n\n工作人员：发送「待审」查看待审核的社情民意。"
NOT_UNDERSTOOD = "抱歉，没太明白您的意思。\n" + HELP
THANKS = "不客气！有需要随时发消息给我。"
PROCESSING = "收到，正在处理，结果稍后发给您。"
INTERNAL_ERROR = "抱歉，系统出了点问题，您的消息已保存，我们会尽快处理。请稍后再试。"
HTTP_TOO_LARGE = "消息过长"
CANCELLED = "好的，已取消{what}。"
NOTHING_TO_CANCEL = "好的。有需要随时发消息给我。"
DIALOG_EXPIRED = "（上次未完成的{what}已超时取消）\n"
CLARIFY = "请问您是想：\n{options}\n请回复数字，或发「取消」。"
CLARIFY_AGAIN = "请回复 {numbers} 中的一个数字，或发「取消」。"

# --- message types -----------------------------------------------------------
VOICE_NOT_RECOGNISED = "抱歉，没能识别这条语音，请发送文字。"
MEDIA_NOT_SUPPORTED = "已收到。目前只能处理文字和语音，请用文字说明您要办的事。"
LOCATION_RECEIVED = "已收到位置（{label}）。如要反映问题，请直接用文字写下情况和建议。"

# --- binding -----------------------------------------------------------------
BIND_HOW = ("您还没有绑定身份，暂时只能办理绑定。\n"
            "请发送「绑定 姓名 手机号」，例如：绑定 张三 13912345678")
BIND_NEED_BOTH = "请同时发送姓名和手机号，例如：绑定 张三 13912345678"
BIND_OK = "绑定成功！{name}委员，您好。\n" + HELP
BIND_OK_STAFF = "绑定成功！{name}，您已作为工作人员绑定。\n" + HELP + STAFF_HELP_SUFFIX
BIND_NOT_FOUND = "没有找到「{name} {phone}」的登记信息，请核对姓名和手机号，或联系政协办公室。"
BIND_TAKEN = "该委员已绑定其他微信号。如需更换，请联系政协办公室解除原绑定。"
BIND_ACCOUNT_IN_USE = "您的微信已绑定为{name}，无需重复绑定。"
ALREADY_BOUND = "您已绑定为{name}，可以直接使用各项服务。发「帮助」查看用法。"

# --- study check-in ----------------------------------------------------------
CHECKIN_ASK_MINUTES = "请问学习了多长时间？例如：30分钟、1小时"
CHECKIN_ASK_MATERIAL = "请问学习了什么内容？例如：《政协章程》"
CHECKIN_BAD_MINUTES = "没看懂时长，请回复例如：30分钟、1小时、一个半小时"
CHECKIN_TOO_LONG = "单次学习时长不能超过{max}分钟，请核对后重新发送。"
CHECKIN_FUTURE = "不能为将来的日期打卡，请核对日期。"
CHECKIN_TOO_OLD = "只能补最近{days}天的卡，请联系政协办公室补登。"
CHECKIN_OK = "学习打卡成功！\n{day}　{material}　{minutes}分钟\n本月已打卡{month_count}次。"

# --- activities ----------------------------------------------------------------
ACTIVITIES_NONE = "近期暂无可报名的活动，有新活动会通知您。"
ACTIVITIES_HEADER = "近期活动（回复「报名 编号」报名）："
ACTIVITY_LINE = "{code} {when} {title}（{place}）{places}"
PLACES_LEFT = "余{left}席"
PLACES_FULL = "已满"
ACTIVITY_WHICH = "请问要{action}哪个活动？请回复活动编号：\n{lines}"
ACTIVITY_NOT_FOUND = "没有找到「{ref}」这个活动。发「近期活动」查看可报名的活动。"
SIGNUP_OK = "报名成功！\n{code} {title}\n时间：{when}\n地点：{place}\n如需取消，发「取消报名 {code}」。"
SIGNUP_ALREADY = "您已报名 {code} {title}，无需重复报名。"
SIGNUP_FULL = "很抱歉，{code} {title} 名额已满。"
SIGNUP_DEADLINE = "很抱歉，{code} {title} 报名已截止。"
SIGNUP_STARTED = "{code} {title} 已经开始或结束，不能再报名。"
SIGNUP_ACTIVITY_CANCELLED = "{code} {title} 已取消。"
MY_SIGNUPS_NONE = "您目前没有已报名的活动。"
CANCEL_OK = "已取消报名：{code} {title}。"
CANCEL_NOT_SIGNED = "您没有报名 {code} {title}。"
CANCEL_STARTED = "{code} {title} 已经开始，不能取消报名。如不能参加，请联系政协办公室。"

# --- 社情民意 ------------------------------------------------------------------
REPORT_ASK_DETAILS = "请把情况写具体一些：发生了什么、在哪里、您有什么建议？（发「取消」放弃）"
REPORT_TOO_LONG = "内容超过{max}字，请精简后分条发送。"
REPORT_DAILY_CAP = "您今天已提交{cap}条社情民意，已达上限，请明天再提交。"
REPORT_OK = ("社情民意已收到，编号 {receipt}。\n标题：{title}\n分类：{category}{district}\n"
             "工作人员审核后会通知您，发「我的社情民意」可查进度。")
REPORT_DISTRICT = "　旗区：{district}"
MY_REPORTS_NONE = "您还没有提交过社情民意。直接写下问题和建议发给我即可。"
MY_REPORTS_HEADER = "您的社情民意（最近{n}条）："
MY_REPORT_LINE = "{receipt} {title}【{status}】"
REPORT_NOT_FOUND = "没有找到编号为 {receipt} 的社情民意，请核对编号。"
REPORT_HISTORY_HEADER = "{receipt} {title}\n当前状态：{status}"
REPORT_HISTORY_LINE = "{when} {status}{note}"

# --- duty record ---------------------------------------------------------------
RECORD = ("{name}委员 {year}年履职情况：\n"
          "社情民意：{reports}条（采用{reports_adopted}条）\n"
          "学习打卡：{checkins}次，共{study_minutes}分钟\n"
          "活动报名：{signups}次，出席{attended}次\n"
          "履职积分：{points}分")

# --- service names used in prompts (e.g. "已取消{what}") ------------------------
SERVICE_NAMES = {
    "checkin": "学习打卡", "signup": "活动报名", "cancel_signup": "取消报名", "report": "社情民意",
    "report_status": "查询社情民意进度", "query_record": "查询我的履职", "list_activities": "查看近期活动",
    "bind": "绑定身份", "help": "查看帮助", "leave": "请假", "attend": "活动签到", "clarify": "操作",
}
ACTION_NAMES = {"signup": "报名", "cancel_signup": "取消报名", "leave": "请假"}
