"""Every sentence the assistant says to members and staff in the chat, kept together so staff can edit the wording.
Messages sent later (notices, reminders), the digest, documents and the command line: bot/wording/.

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
        "4. 我的履职：查看今年的履职情况\n"
        "5. 我的活动、我的打卡：查看报名和打卡记录\n"
        "回复数字也可以直接办理。")
HELP_CHOICES = ("checkin", "list_activities", "report", "query_record", "my_activities")  # the numbers above
STAFF_HELP_SUFFIX = ("\n\n工作人员：「待审」列出待审核的社情民意，「查看 编号」看全文；"
                     "「采用/不采用 编号」「退回 编号 理由」「报送 编号 单位」「批示 编号 领导 内容」"
                     "「办结 编号 结果」「合并 编号 到 编号」；「改标题 编号 新标题」「改分类 编号 新分类」。")
NOT_UNDERSTOOD = "抱歉，没太明白您的意思。\n" + HELP
THANKS = "不客气！有需要随时发消息给我。"
PROCESSING = "收到，正在处理，结果稍后发给您。"
INTERNAL_ERROR = "抱歉，系统出了点问题，您的消息已保存，我们会尽快处理。请稍后再试。"
RECEIVED_WILL_PROCESS = "您的消息已收到。系统暂时繁忙，恢复后会自动处理，并把结果发给您，无需重发。"
HTTP_TOO_LARGE = "消息过长"
CANCELLED = "好的，已取消{what}。"
NOTHING_TO_CANCEL = "好的。有需要随时发消息给我。"
DIALOG_EXPIRED = "（上次未完成的{what}已超时取消）\n"
DRAFT_KEPT = "\n\n（您的{what}草稿已保留，可接着回答上面的问题，或发「取消」放弃）"
DRAFT_DROPPED = "\n\n（之前未完成的{what}草稿已放弃）"
CLARIFY = "请问您是想：\n{options}\n请回复数字，或发「取消」。"
CLARIFY_AGAIN = "请回复 {numbers} 中的一个数字，或发「取消」。"
DIALOG_GAVE_UP = "还是没能明白，{what}先到这里，未保存任何内容。需要时请重新发起，发「帮助」可查看用法。"
DIALOG_LEFT = "（已退出刚才的{what}）\n"
EMOJI = "收到您的表情啦😊 有事请直接发文字或语音，发「帮助」查看我能做什么。"
WELCOME_BACK = "欢迎回来，{name}！您的身份仍已绑定，可以直接使用各项服务。\n"
STAFF_NO_RECORD = ("您的账号是工作人员账号，没有委员履职记录。\n"
                   "工作人员可发「待审」查看待审核的社情民意，或用管理后台导出全体委员的履职记录。")

WEEKDAY_NAMES = "一二三四五六日"  # 周一 … 周日, indexed by date.weekday()

# --- message types -----------------------------------------------------------
VOICE_NOT_RECOGNISED = "抱歉，没能识别这条语音，请发送文字。"
MEDIA_NOT_SUPPORTED = "已收到。目前只能处理文字和语音，请用文字说明您要办的事。"
LOCATION_RECEIVED = "已收到位置（{label}）。如要反映问题，请直接用文字写下情况和建议。"

# --- binding -----------------------------------------------------------------
BIND_HOW = ("您还没有绑定身份，暂时只能办理绑定。\n"
            "请发送「绑定 姓名 手机号」，例如：绑定 张三 13912345678\n"
            "收到工作人员发给您的验证码时，请发送「绑定 姓名 手机号 验证码」")
BIND_ASK_PHONE = "好的，{name}。请再发送您在政协登记的手机号。"
BIND_ASK_NAME = "请再发送您的姓名。"
BIND_NEED_BOTH = "请同时发送姓名和手机号，例如：绑定 张三 13912345678"
BIND_OK = "绑定成功！{name}委员，您好。\n" + HELP
BIND_OK_STAFF = "绑定成功！{name}，您已作为工作人员绑定。\n" + HELP + STAFF_HELP_SUFFIX
# every binding failure (no such entry, wrong phone or code, bound elsewhere, too many tries): one reply that
# tells a guesser nothing (issue 10)
BIND_FAILED = "信息不符或无法绑定，请核对或联系工作人员"
ALREADY_BOUND = "您已绑定为{name}，可以直接使用各项服务。发「帮助」查看用法。"

# --- study check-in ----------------------------------------------------------
CHECKIN_ASK_MINUTES = "请问学习了多长时间？例如：30分钟、1小时"
CHECKIN_ASK_MATERIAL = "请问学习了什么内容？例如：《政协章程》"
CHECKIN_ASK_DATE = "「{expr}」是哪一天？请回复具体日期，例如：昨天、11月24日"
CHECKIN_BAD_DATE = "没看懂是哪一天。"
CHECKIN_BAD_MINUTES = "没看懂时长。"
CHECKIN_TOO_LONG = "单次学习时长不能超过{max}分钟，请核对后重新发送。"
CHECKIN_FUTURE = "{day}还没到，不能提前打卡，请核对日期。"
CHECKIN_TOO_OLD = "{day}超出了补卡期限：只能补最近{days}天（{first}以后）的卡。更早的请联系政协办公室补登。"
CHECKIN_OK = "学习打卡成功！"
CHECKIN_OK_MANY = "学习打卡成功，共记录{n}条："
CHECKIN_LINE = "{day}　{material}　{minutes}分钟"
CHECKIN_MONTH = "本月已打卡{month_count}次。发「我的打卡」查看明细。"
CHECKIN_NOT_COUNTED = {
    "duplicate": "{day}　{material}　{minutes}分钟 已经记录过，不重复计入。",
    "over_count": "{day}已打卡{max_count}次，达到每天上限，「{material} {minutes}分钟」未计入。",
    "over_minutes": "{day}的学习时长每天最多计{max_minutes}分钟，「{material} {minutes}分钟」未计入。",
}
MY_CHECKINS_NONE = "您本月还没有学习打卡。发「学习打卡 今天学习了《政协章程》30分钟」即可打卡。"
MY_CHECKINS_HEADER = "您{month}月的学习打卡（{n}次，共{minutes}分钟）："
MY_CHECKINS_MORE = "……另有{more}条未列出。"

# --- activities ----------------------------------------------------------------
ACTIVITIES_NONE = "近期暂无可报名的活动，有新活动会通知您。"
ACTIVITIES_HEADER = "近期活动（回复「报名 编号」报名）："
ACTIVITY_LINE = "{code} {when} {title}（{place}）{places}{mine}"
PLACES_LEFT = "余{left}席"
PLACES_FULL = "已满，可候补"
MINE_SIGNED = "【已报名】"
MINE_WAITLIST = "【候补第{position}位】"
ACTIVITY_WHICH = "请问要{action}哪个活动？请回复活动编号：\n{lines}"
ACTIVITY_NOT_FOUND = "没有找到「{ref}」这个活动。发「近期活动」查看可报名的活动。"
SIGNUP_OK = "报名成功！\n{code} {title}\n时间：{when}\n地点：{place}\n如需取消，发「取消报名 {code}」。"
SIGNUP_ALREADY = "您已报名 {code} {title}，无需重复报名。"
SIGNUP_WAITLISTED = ("{code} {title} 名额已满，已为您登记候补，目前排第{position}位。\n"
                     "有人取消时按登记先后递补，递补成功会通知您。不需要了请发「取消报名 {code}」。")
SIGNUP_ALREADY_WAITLISTED = "您已在 {code} {title} 的候补名单中，目前排第{position}位，递补成功会通知您。"
SIGNUP_DEADLINE = "很抱歉，{code} {title} 报名已截止。"
SIGNUP_STARTED = "{code} {title} 已经开始或结束，不能再报名。"
SIGNUP_ACTIVITY_CANCELLED = "{code} {title} 已取消。"
SIGNUP_NOT_IN_AUDIENCE = "{code} {title} 是面向{audience}委员的活动，您暂不在参加范围内。如有疑问，请联系政协办公室。"
MY_SIGNUPS_NONE = "您目前没有已报名的活动。"
ACTIVITY_ALSO_NAMED = "\n您还提到了 {codes}：一次只办一件，需要的话请再发一条，例如「报名 {first}」。"
ACTIVITY_INFO = "{line}\n想参加请回复「报名」，或发「报名 {code}」。"
MY_ACTIVITIES_NONE = "您今年还没有报名活动。发「近期活动」查看可报名的活动。"
MY_ACTIVITIES_HEADER = "您今年的活动（{n}项）："
MY_ACTIVITY_LINE = "{code} {when} {title}【{status}】"
MY_ACTIVITY_STATUS = {"signed": "已报名", "leave": "请假", "attended": "已签到", "absent": "缺席", "walkin": "已签到"}
CANCEL_OK = "已取消报名：{code} {title}。"
CANCEL_LEFT_WAITLIST = "已为您退出 {code} {title} 的候补名单。"
CANCEL_NOT_SIGNED = "您没有报名 {code} {title}。"
CANCEL_STARTED = "{code} {title} 已经开始，不能取消报名。如不能参加，请联系政协办公室。"
LEAVE_ASK_REASON = "请问 {code} {title} 的请假事由是什么？例如：出差、身体不适"
LEAVE_OK = ("已为您登记请假：{code} {title}\n事由：{reason}\n"
            "请假不计缺席。如情况有变仍能参加，请发「报名 {code}」重新报名。")
LEAVE_ALREADY = "您已请假：{code} {title}（事由：{reason}），无需重复请假。"
LEAVE_LEFT_WAITLIST = "您在 {code} {title} 的候补名单中，尚未获得名额，无需请假，已为您退出候补。"
LEAVE_NOT_SIGNED = "您没有报名 {code} {title}，无需请假。"
LEAVE_STARTED = "{code} {title} 已经开始，不能在线请假，请直接联系政协办公室说明情况。"
ATTEND_ASK_CODE = "请发送活动现场公布的4位签到码，例如：签到 4821；也可以扫描现场的签到二维码。"
ATTEND_OK = "签到成功！\n{code} {title}\n签到时间：{time}"
ATTEND_OK_WALK_IN = "签到成功！\n{code} {title}\n签到时间：{time}\n（您未报名本活动，已按现场参加登记。）"
ATTEND_ALREADY = "您已签到：{code} {title}，无需重复签到。"
ATTEND_WRONG_CODE = "签到码「{given}」不正确，请核对活动现场公布的签到码。"
ATTEND_NOT_YET = "{code} {title} 还未开始签到，{opens}起可以签到。"
ATTEND_CLOSED = "{code} {title} 已经结束，签到已关闭。如确实到场，请联系政协办公室补登。"
ATTEND_CANCELLED = "{code} {title} 已取消。"
ATTEND_BIND_FIRST = "扫码签到需要先绑定身份：请发送「绑定 姓名 手机号」，绑定后再扫一次即可。"
ATTEND_SCAN_AGAIN = "绑定成功后，请再扫一次活动签到二维码完成签到。"

# --- 社情民意 ------------------------------------------------------------------
# drafting (the draft stays open until 提交; 取消 drops it)
REPORT_ASK_DETAILS = "请说说具体情况：发生了什么事？可以发文字、语音或照片。（发「取消」放弃）"
REPORT_ASK_MORE = "能再具体一些吗？比如持续多久、影响到哪些人。（说完了可发「直接提交」）"
REPORT_ASK_PLACE = "请问发生在哪里？请写明旗区和具体地点，例如：东胜区富兴街道。"
REPORT_ASK_SUGGESTION = "您有什么建议？（没有可回复「没有」）"
REPORT_SUMMARY = ("请核对您的社情民意：\n标题：{title}\n分类：{category}\n旗区：{district}\n{extras}"
                  "内容：{excerpt}\n回复「提交」确认，「修改」重写，「取消」放弃")
REPORT_SUMMARY_ATTACHMENTS = "附件：{items}\n"
REPORT_SUMMARY_REVISION = "修改重报：原编号 {receipt}\n"
REPORT_NO_DISTRICT = "未填"
REPORT_CONFIRM_AGAIN = "请回复「提交」确认，「修改」重写，「取消」放弃。"
REPORT_CONFIRM_SIMILAR = "请回复「附议」支持已有的那条，或回复「提交」单独提交，「取消」放弃。"
REPORT_SUMMARY_SIMILAR = ("\n\n近{days}天已有相似的社情民意：{receipt}《{title}》（{status}）。"
                          "回复「附议」支持该条（计入您的履职记录），或回复「提交」单独提交。")
REPORT_SUMMARY_SIMILAR_OWN = "\n\n您近{days}天已提交过相似的社情民意：{receipt}《{title}》（{status}），如仍要单独提交请回复「提交」。"
REPORT_QUESTION_HINT = "工作人员会认真审核每一条社情民意，采用后报送有关部门办理，进展会通知您。"
REPORT_CONFIRM_HINT = ("这句话要加进内容吗？要加请发「补充：……」；改标题发「标题改成……」，"
                       "改分类发「分类改成……」，改旗区发「旗区改成……」。")
REPORT_EDIT_DONE = "已修改{what}。\n"
REPORT_EDIT_EMPTY = "请写明修改后的内容，例如：标题改成富兴街道路灯不亮"
REPORT_EDIT_BAD_CATEGORY = "分类只能是：{categories}。请发「分类改成 其中一项」。"
REPORT_EDIT_BAD_DISTRICT = "没认出是哪个旗区，请发例如「旗区改成准格尔旗」。"
REPORT_FIELD_NAMES = {"title": "标题", "category": "分类", "district": "旗区"}
REPORT_ADDED = "已补充。\n"
REPORT_REWRITE = "好的，请重新发送完整内容：发生了什么、在哪里、您有什么建议。（已收到的图片保留）"
REPORT_EMPTY = "还没有写内容，请先说说具体情况。"
REPORT_TOO_LONG = "内容超过{max}字，请精简后分条发送。"
REPORT_TOO_LONG_DRAFT = "加上这段内容将超过{max}字，未加入，请精简后再发。"
REPORT_DAILY_CAP = "您今天已提交{cap}条社情民意，已达上限，请明天再提交。"
REPORT_MEDIA_ADDED = "已收到{kind}，将随本条社情民意一并提交（共{n}个附件）。\n{prompt}"
REPORT_MEDIA_LIMIT = "每条社情民意最多{max}个附件，这个没有加入。\n{prompt}"
REPORT_MEDIA_UNSUPPORTED = "社情民意只能附图片和语音。\n{prompt}"
REPORT_LOCATION_ADDED = "已记下位置：{label}。\n"
REPORT_MEDIA_KINDS = {"image": "图片", "voice": "语音"}
REPORT_ATTACHMENT_ITEM = "{kind}{n}{unit}"
REPORT_ATTACHMENT_UNITS = {"image": "张", "voice": "条"}
REPORT_OK = ("社情民意已收到，编号 {receipt}。\n标题：{title}\n分类：{category}{district}\n"
             "工作人员审核后会通知您，发「我的社情民意」可查进度。")
REPORT_DISTRICT = "　旗区：{district}"
# duplicates (similar reports of the last days)
REPORT_DUPLICATE = ("近{days}天已有相似的社情民意：\n{receipt}《{title}》（{status}）\n"
                    "回复「附议」支持该条（计入您的履职记录），回复「仍然提交」单独提交，发「取消」放弃。")
REPORT_DUPLICATE_OWN = ("您近{days}天已提交过相似的社情民意：\n{receipt}《{title}》（{status}）\n"
                        "回复「仍然提交」单独提交，发「取消」放弃。")
REPORT_DUPLICATE_AGAIN = "请回复「附议」或「仍然提交」，发「取消」放弃。"
REPORT_DUPLICATE_NEXT = "\n回复「仍然提交」单独提交，或发「取消」放弃。"
REPORT_SECONDED = "已附议 {receipt}《{title}》，计入您的履职记录。"
REPORT_SECONDED_DRAFT = "您的这条草稿未单独提交。"
REPORT_SECOND_ALREADY = "您已附议过 {receipt}《{title}》，无需重复。"
REPORT_SECOND_OWN = "不能附议自己的社情民意。"
REPORT_SECOND_GONE = "{receipt} 当前为「{status}」，不能附议。"
# revising a returned report
REPORT_REVISE_START = ("{receipt}《{title}》退回理由：{reason}\n请发送修改后的完整内容，将作为新的一条提交（原件保留）；"
                       "只需补图片的，发图片后回复「提交」。发「取消」放弃。")
REPORT_REVISE_AGAIN = "请发送修改后的完整内容，或回复「提交」按原内容重报，发「取消」放弃。"
REPORT_REVISE_NOT_RETURNED = "{receipt} 当前状态为「{status}」，只有被退回的社情民意可以修改重报。"
REPORT_REVISE_DONE = "{receipt} 已修改重报，新编号 {new}。"
# the member's own reports
MY_REPORTS_NONE = "您还没有提交过社情民意。直接写下问题和建议发给我即可。"
MY_REPORTS_HEADER = "您的社情民意（最近{n}条）："
MY_REPORT_LINE = "{receipt} {title}【{status}】"
MY_REPORTS_SECONDS = "今年您已附议{n}条社情民意。"
MY_REPORTS_FOOTER = "发「编号 进度」查看详情，例如：{receipt} 进度"
REPORT_NOT_FOUND = "没有找到编号为 {receipt} 的社情民意，请核对编号。"
REPORT_HISTORY_HEADER = "{receipt} {title}\n当前状态：{status}"
REPORT_HISTORY_LINE = "{when} {status}{note}"
REPORT_HISTORY_RETURNED = "如需修改后重新提交，请发「修改 {receipt}」。"
REPORT_HISTORY_SECONDED = "（您附议的社情民意）"
REPORT_STAFF_ONLY = "「{verb}」是工作人员审核用的指令，委员不能使用。发「我的社情民意」可查看您的社情民意。"
# what each history entry says, by action (staff see who did it)
REPORT_EVENT_NOTES = {
    "submit": "", "adopt": "{note}", "return": "{note}", "reject": "{note}", "forward": "{to}{note_tail}",
    "instruct": "{leader}（{level}）：{note}", "close": "{note}", "merge": "并入 {into}",
    "merged_in": "{from_report} 并入本件", "revised": "已修改重报，新编号 {revision}",
    "edit_title": "标题改为《{to}》（原：{from_value}）", "edit_category": "分类改为{to}（原：{from_value}）",
}
REPORT_EVENT_REVISION_OF = "修改重报，原编号 {revision_of}"
# staff over WeChat: 待审 / 查看 / 采用 退回 不采用 报送 批示 办结 合并
STAFF_PENDING_NONE = "目前没有待审核的社情民意。"
STAFF_PENDING_HEADER = "待审核社情民意{n}条（最早的在前）："
STAFF_PENDING_LINE = "{receipt} {date} {member}《{title}》{district}"
STAFF_PENDING_MORE = "……另有{more}条，完整列表：python -m bot reports list --status 已提交"
STAFF_PENDING_FOOTER = "发「查看 编号」看全文；「采用 编号」「退回 编号 理由」「不采用 编号」「合并 编号 到 编号」。"
STAFF_VIEW = ("{receipt}《{title}》【{status}】\n反映人：{member}（{sector}）\n分类：{category}　旗区：{district}\n"
              "提交：{when}{extras}\n内容：{text}\n建议：{suggestion}\n历史：\n{history}")
STAFF_VIEW_SECONDS = "　附议：{n}人"
STAFF_VIEW_ATTACHMENTS = "　附件：{items}"
STAFF_VIEW_TEXT_CUT = "……（全文{n}字，见 python -m bot reports show {receipt}）"
STAFF_DONE = "已{verb} {receipt}《{title}》，当前状态：{status}。{notified}"
STAFF_ASK_NOTE = {"return": "请写明退回 {receipt} 的理由（将发给委员）：", "instruct": "请写明批示内容：",
                  "close": "请写明 {receipt} 的办理结果："}
STAFF_ASK_TO = {"forward": "请写明 {receipt} 报送到哪个单位：", "instruct": "请写明批示领导和内容，例如：市长 请市住建局牵头解决"}
STAFF_EDITED = "已修改 {receipt} 的{what}：{old} → {new}（原内容保留在处理历史中）。"
STAFF_EDIT_SAME = "{receipt} 的{what}已经是「{new}」，无需修改。"
STAFF_EDIT_NEED_VALUE = "请写明新的{what}，例如：{example}"
STAFF_EDIT_EXAMPLES = {"title": "改标题 SQ2026-0012 富兴街道路灯不亮", "category": "改分类 SQ2026-0012 城乡建设"}

STAFF_NOTIFIED = "已通知{member}。"
STAFF_NOT_NOTIFIED = "{member}未绑定微信，未发通知。"
REPORT_FLOW_ERRORS = {
    "not_found": "没有找到编号为 {receipt} 的社情民意。",
    "into_not_found": "没有找到要合并到的 {receipt}。",
    "unknown_action": "未知操作「{action}」。可用：采用、退回、不采用、报送、批示、办结、合并。",
    "not_allowed": "{receipt} 当前状态为「{status}」，不能{verb}（只有「{allowed}」的社情民意可以{verb}）。",
    "need_note_return": "退回须写明理由，例如：退回 {receipt} 请补充具体地点和建议",
    "need_note_instruct": "请写明批示内容，例如：批示 {receipt} 市长 请市住建局牵头解决",
    "need_note_close": "请写明办理结果，例如：办结 {receipt} 已完成供热管网改造",
    "need_to_forward": "请写明报送单位，例如：报送 {receipt} 市委办公室",
    "need_to_instruct": "请写明批示领导和内容，例如：批示 {receipt} 市长 请市住建局牵头解决",
    "need_into": "请写明合并到哪一条，例如：合并 {receipt} 到 SQ2026-0001",
    "merge_self": "不能把 {receipt} 合并到它自己。",
    "merge_target": "{receipt} 当前状态为「{status}」，不能作为合并目标。",
    "bad_category": "分类只能是：{categories}。",
}

# --- duty record ---------------------------------------------------------------
RECORD = ("{name}委员 {year}年履职情况：\n"
          "社情民意：{reports}条（采用{reports_adopted}条）{instructed}\n"
          "附议：{seconds}次\n"
          "学习打卡：{checkins}次，共{study_minutes}分钟\n"
          "活动报名：{signups}次，出席{attended}次，请假{leaves}次，缺席{absences}次\n"
          "履职积分：{points}分{breakdown}")
RECORD_INSTRUCTED = "，获领导批示{n}条"
RECORD_BREAKDOWN = "（{parts}）"
RECORD_PARTS = {"base": "基础{n}", "reports": "社情民意{n}", "seconds": "附议{n}", "study": "学习{n}",
                "activities": "活动{n}", "proposals": "提案{n}", "deductions": "扣分{n}"}
RECORD_PROPOSALS = "\n提案：{proposals}件（立案{proposals_registered}件，重点{proposals_key}件，优秀{proposals_excellent}件），联名{proposals_cosigned}件"
RECORD_REQUIREMENTS = "\n年度要求："
RECORD_REQ_MET = "\n· {label} {done}/{required}{unit}，已完成"
RECORD_REQ_MISSING = "\n· {label} {done}/{required}{unit}，还差{missing}{unit}{hint}"
RECORD_ALL_MET = "\n今年的履职要求已全部完成，感谢您的履职！"
REQUIREMENT_LABELS = {  # requirement key -> (label, unit)
    "reports": ("社情民意", "条"), "reports_adopted": ("社情民意采用", "条"), "seconds": ("附议", "次"),
    "checkins": ("学习打卡", "次"), "study_minutes": ("学习时长", "分钟"), "attended": ("活动", "次"),
    "proposals": ("提案", "件"),
}
RECORD_HINTS = {"reports": "，直接发文字反映即可", "checkins": "，发「学习打卡」即可", "proposals": "，发「我要写提案」即可"}
RECORD_HINT_BOOKED = "（已报名{codes}，请按时签到）"
RECORD_HINT_OPEN = "：{lines}"
RECORD_HINT_OPEN_LINE = "{code} {day} {title}"
RECORD_HINT_NONE = "，有新活动会通知您"

# --- service names used in prompts (e.g. "已取消{what}") ------------------------
SERVICE_NAMES = {
    "checkin": "学习打卡", "signup": "活动报名", "cancel_signup": "取消报名", "report": "社情民意",
    "report_status": "查询社情民意进度", "query_record": "查询我的履职", "list_activities": "查看近期活动",
    "bind": "绑定身份", "help": "查看帮助", "leave": "请假", "attend": "活动签到", "clarify": "操作",
    "my_activities": "查看我的活动", "my_checkins": "查看我的打卡", "menu": "操作", "staff": "审核操作",
    "proposal": "提案", "proposal_staff": "提案办理操作",
}
ACTION_NAMES = {"signup": "报名", "cancel_signup": "取消报名", "leave": "请假"}


# --- 提案 (issue 14): labels shared by chat, CLI, console and exports -------------------------------------
PROPOSAL_STATE_LABELS = {"submitted": "待审查", "returned": "退回修改", "rejected": "不立案", "merged": "已并案",
                         "registered": "已立案", "assigned": "办理中", "replied": "已办复", "rehandling": "再办理",
                         "closed": "已办结"}
PROPOSAL_ROLE_LABELS = {"lead": "主办", "assist": "协办", "joint": "会办"}
PROPOSAL_CHANNEL_LABELS = {"meeting": "面谈", "forum": "座谈", "phone": "电话", "written": "书面"}
PROPOSAL_OUTCOME_LABELS = {"A": "A 已解决或采纳", "B": "B 正在解决或列入计划", "C": "C 因条件限制留作参考"}
PROPOSAL_VERDICT_LABELS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
PROPOSAL_COSIGN_LABELS = {"invited": "待答复", "agreed": "同意", "declined": "不同意"}
PROPOSAL_ACTION_LABELS = {"submit": "提交", "register": "立案", "reject": "不立案", "return": "退回修改",
                          "merge": "并案", "merged_in": "并入", "resubmit": "修改后提交", "assign": "交办",
                          "reply": "办复", "accept": "评价", "reopen": "评价不满意，再办理", "close": "办结",
                          "urge": "督办", "mark_key": "列为重点提案", "mark_excellent": "评为优秀提案",
                          "cosign_invite": "邀请联名", "cosign_agree": "同意联名", "cosign_decline": "不同意联名",
                          "to_report": "转为社情民意"}

PROPOSAL_FLAG_KEY = "重点"
PROPOSAL_FLAG_EXCELLENT = "优秀"

# --- 提案: the member's draft -------------------------------------------------------------------------
PROPOSAL_ASK_TITLE = "好的，我们来写提案。先请写案由（题目），例如：关于加强社区居家养老服务的建议。（发「取消」放弃）"
PROPOSAL_TITLE_TOO_LONG = "案由请控制在{max}字以内，一句话说清建议什么，例如：关于加强社区居家养老服务的建议。"
PROPOSAL_ASK_ANALYSIS = "请写情况分析：现状如何、存在什么问题，最好有事实和数据。可以分几条消息发。"
PROPOSAL_ASK_MORE = "情况分析能再具体一些吗？比如涉及多少人、持续多久、有什么数据。（没有可回复「没有了」）"
PROPOSAL_ASK_SUGGESTIONS = "请写具体建议，可以分条写，例如：1. …… 2. ……"
PROPOSAL_SUGGESTIONS_EMPTY = "具体建议是提案的必备部分，请至少写一条，例如：1. 建立……机制"
PROPOSAL_TOO_LONG = "这部分超过了{max}字，请精简后再发。"
PROPOSAL_SUMMARY = ("请核对您的提案：\n案由：{title}\n分类：{category}\n{extras}情况分析：{analysis}\n具体建议：\n{suggestions}")
PROPOSAL_SUMMARY_REVISION = "修改后重新提交：{receipt}（退回意见：{reason}）\n"
PROPOSAL_SUMMARY_SIMILAR = "\n\n今年和去年已有相似的提案：\n{lines}\n如仍要提交，请回复「提交」；也可联系原提案人联名。"
PROPOSAL_SIMILAR_LINE = "{receipt}《{title}》（{state}{handled}）"
PROPOSAL_SIMILAR_HANDLED = "，{outcome}"
PROPOSAL_CONFIRM = "请回复「提交」确认；「标题改成……」「分类改成……」「补充：……」「补充建议：……」修改；「修改」重写，「取消」放弃。"
PROPOSAL_CONFIRM_HINT = "这句话要加进提案吗？加进情况分析请发「补充：……」，加一条建议请发「补充建议：……」。"
PROPOSAL_EDIT_DONE = "已修改{what}。\n"
PROPOSAL_EDIT_EMPTY = "请写明修改后的内容，例如：标题改成关于加强社区居家养老服务的建议"
PROPOSAL_EDIT_BAD_CATEGORY = "分类只能是：{categories}。请发「分类改成 其中一项」。"
PROPOSAL_FIELD_NAMES = {"title": "案由", "category": "分类", "analysis": "情况分析", "suggestions": "具体建议"}
PROPOSAL_REWRITE = "好的，重新写。" + PROPOSAL_ASK_TITLE
PROPOSAL_SAVED = ("提案已提交，编号 {receipt}。\n案由：{title}\n工作人员审查后会通知您。\n"
                  "如需联名，请发「联名 姓名 姓名」，例如：联名 王建国 李秀兰。")
PROPOSAL_RESUBMITTED = "提案 {receipt}《{title}》已修改并重新提交，工作人员审查后会通知您。"
PROPOSAL_AS_REPORT = "（由提案 {receipt} 转为社情民意）\n{analysis}"

# --- 提案: 联名, 我的提案, verdicts, progress -------------------------------------------------------------
PROPOSAL_NOT_FOUND = "没有找到编号为 {receipt} 的提案，请核对编号。"
PROPOSAL_NONE_TO_COSIGN = "您还没有可以邀请联名的提案。先发「我要写提案」写一件吧。"
PROPOSAL_COSIGN_CLOSED = "提案 {receipt} 已{state}，不能再邀请联名。"
PROPOSAL_COSIGN_TOO_MANY = "一件提案最多邀请 {max} 位联名人。"
PROPOSAL_COSIGN_PICK = "名册中有 {n} 位「{name}」，请回复序号选择：\n{lines}"
PROPOSAL_COSIGN_PICK_LINE = "{n}. {name}（{sector}{district}）"
PROPOSAL_COSIGN_INVITED = "已邀请 {names} 联名提案 {receipt}，对方同意后列为联名人，届时会通知您。"
PROPOSAL_COSIGN_NOBODY = "没有邀请到新的联名人。"
PROPOSAL_COSIGN_UNKNOWN = "\n名册中没有找到：{names}，请核对姓名后再发「联名 姓名」。"
PROPOSAL_COSIGN_UNBOUND = "\n{names} 尚未绑定微信，无法征求意见，请线下联系后由工作人员登记。"
PROPOSAL_COSIGN_SELF = "\n提案人本人不用联名。"
PROPOSAL_COSIGN_ALREADY = "\n已邀请过：{names}。"
PROPOSAL_ANSWER_NONE = "您目前没有待答复的联名邀请。"
PROPOSAL_ANSWER_WHICH = "您有多件待答复的联名邀请：{receipts}。请发「同意联名 编号」或「不同意联名 编号」。"
PROPOSAL_AGREED = "已同意联名提案 {receipt}《{title}》，您将列为联名人，办理进展会同时通知您。"
PROPOSAL_DECLINED = "已回复不同意联名提案 {receipt}《{title}》。"
PROPOSAL_ANSWER_SAME = "您已答复过提案 {receipt} 的联名邀请。"
PROPOSAL_VERDICT_NONE = "您目前没有待评价的提案。"
PROPOSAL_VERDICT_WHICH = "您有多件提案待评价：{receipts}。请在评价后写上编号，例如：满意 {first}"
PROPOSAL_VERDICT_NOT_YOURS = "提案 {receipt} 目前不在待评价状态（{state}）。"
PROPOSAL_ASK_REASON = "请说说对 {receipt} 办理情况不满意的理由（将转给承办单位再办理）："
PROPOSAL_JUDGED = {"satisfied": "感谢您的评价！提案 {receipt}《{title}》已办结。",
                   "basic": "感谢您的评价！提案 {receipt}《{title}》已办结。",
                   "unsatisfied": "已记录您的意见，提案 {receipt}《{title}》转入再办理，工作人员会督促承办单位重新办理。"}
MY_PROPOSALS_NONE = "您今年还没有提案。发「我要写提案」开始写。"
MY_PROPOSALS_HEADER = "您的提案（{n}件）："
MY_PROPOSAL_LINE = "{receipt}《{title}》{role}：{state}"
MY_PROPOSAL_ROLE_COSIGNER = "（联名）"
MY_PROPOSALS_INVITES = "待答复的联名邀请：{receipts}"
MY_PROPOSALS_VERDICTS = "待您评价：{receipts}（回复「满意 编号」「基本满意 编号」或「不满意 编号 理由」）"
MY_PROPOSALS_FOOTER = "发编号（如 {receipt}）查看办理进度。"
PROPOSAL_HISTORY_HEADER = "提案 {receipt}《{title}》\n当前状态：{state}{cosigners}"
PROPOSAL_HISTORY_COSIGNERS = "\n联名人：{names}"
PROPOSAL_HISTORY_LINE = "{when} {text}{who}"
PROPOSAL_HISTORY_RETURNED = "可发「修改 {receipt}」修改后重新提交。"
PROPOSAL_REVISE_NOT_RETURNED = "提案 {receipt} 目前{state}，不需要修改。"

# --- 提案: staff over WeChat --------------------------------------------------------------------------
PROPOSAL_STAFF_PENDING_NONE = "目前没有待审查的提案。"
PROPOSAL_STAFF_PENDING_HEADER = "待审查提案 {n} 件："
PROPOSAL_STAFF_PENDING_LINE = "{receipt} {date} {author}《{title}》"
PROPOSAL_STAFF_PENDING_FOOTER = "发「查看 编号」看全文，「立案 编号」「不立案 编号 理由」「退回 编号 理由」「并案 编号 到 编号」。"
PROPOSAL_STAFF_VIEW = ("提案 {receipt}《{title}》\n状态：{state}\n提案人：{author}\n联名人：{cosigners}\n分类：{category}\n"
                       "情况分析：{analysis}\n具体建议：\n{suggestions}\n承办单位：{units}\n处理历史：\n{history}")
PROPOSAL_STAFF_DONE = "已{verb} {receipt}《{title}》，当前状态：{state}。{notified}"
PROPOSAL_STAFF_NOTIFIED = "已通知提案人和联名人 {n} 人。"
PROPOSAL_STAFF_NOT_NOTIFIED = "无人可通知（未绑定微信或集体提案）。"
PROPOSAL_STAFF_TO_REPORT = "已转为社情民意 {report}。"
PROPOSAL_STAFF_URGED = "已督办 {receipt}，已记入处理历史。请把以下内容转给承办单位联系人：\n\n{text}"
PROPOSAL_STAFF_ASK_NOTE = {"reject": "请写明 {receipt} 不予立案的理由（将发给提案人；要转为社情民意请在理由后加「转社情民意」）：",
                           "return": "请写明退回 {receipt} 的修改意见（将发给提案人）：",
                           "urge": "请写明对 {receipt} 的督办说明："}
PROPOSAL_STAFF_ASK_ASSIGN = "请写明承办单位，例如：主办 市民政局 协办 市财政局 期限 2027-03-01"
PROPOSAL_STAFF_ASK_REPLY = "请写明办复内容，例如：市民政局 A 面谈 已将……纳入明年计划"
PROPOSAL_STAFF_ASK_INTO = "请写明并入哪件提案，例如：到 TA2026-0001"
PROPOSAL_OVERDUE_DAYS = "，已逾期{days}天"
PROPOSAL_URGE_FORWARD = "【提案督办】{receipt}《{title}》\n承办单位：{units}\n{note}\n请抓紧办理并按时答复。"
PROPOSAL_EVENT_DETAILS = {"assign": "：{units}，期限{deadline}", "reply": "：{unit}（{outcome}类，{channel}）",
                          "accept": "：{verdict}", "merge": "：并入{into}", "merged_in": "：{from_proposal}",
                          "to_report": "：{report}", "urge": "：{units}"}
PROPOSAL_FLOW_ERRORS = {
    "unknown": "这项操作没有完成，请核对后再试。",
    "not_found": "没有找到编号为 {receipt} 的提案。",
    "into_not_found": "没有找到要并入的提案 {receipt}。",
    "unknown_action": "不认识的提案操作：{action}。",
    "not_allowed": "提案 {receipt} 目前{state}，不能{action}。",
    "already_mark_key": "提案 {receipt} 已是重点提案。",
    "already_mark_excellent": "提案 {receipt} 已是优秀提案。",
    "need_note_reject": "不予立案需要写明理由，例如：不立案 {receipt} 属于部门日常工作",
    "need_note_return": "退回需要写明修改意见，例如：退回 {receipt} 请补充具体数据",
    "need_note_urge": "督办需要写明说明，例如：督办 {receipt} 请于本月底前答复",
    "need_note_reply": "办复需要写明答复内容或附件。",
    "need_into": "请写明并入哪件提案，例如：并案 {receipt} 到 TA2026-0001",
    "merge_self": "不能把提案 {receipt} 并入它自己。",
    "merge_target": "提案 {receipt} 目前{state}，不能作为并案对象。",
    "nothing_to_assign": "这些单位已交办过 {receipt}。",
    "need_one_lead": "交办需要一个主办单位，例如：交办 {receipt} 主办 市民政局 协办 市财政局",
    "two_leads": "一件提案只能有一个主办单位。",
    "bad_channel": "沟通方式只能是：面谈、座谈、电话、书面。",
    "bad_outcome": "办理结果请写 A（已解决或采纳）、B（正在解决或列入计划）或 C（因条件限制留作参考）。",
    "unit_not_assigned": "{unit} 没有承办本轮的提案 {receipt}。",
    "unit_replied": "{unit} 已对提案 {receipt} 办复过了。",
    "need_unit": "请写明是哪个承办单位的答复，例如：办复 {receipt} 市民政局 A 面谈 ……",
    "unknown_unit": "承办单位不在名单中：{units}。可用的单位见 proposals.units（发「提案单位」查看）。",
    "deadline_past": "办理期限 {deadline} 已过，请写今天以后的日期。",
    "bad_date": "期限请写成 2027-03-01 这样的日期。",
    "bad_verdict": "评价只能是：满意、基本满意、不满意。",
    "not_author": "只有提案人可以评价提案 {receipt}。",
    "need_reason_unsatisfied": "请写明不满意的理由，例如：不满意 {receipt} 没有解决实际问题",
    "already_judged": "提案 {receipt} 这一轮已评价过。",
    "not_invited": "没有找到发给您的提案 {receipt} 联名邀请。",
    "cosign_closed": "提案 {receipt} 已过审查，不能再加入联名。",
    "use_own_command": "{action}请用专门的命令。",
    "to_report_collective": "集体提案 {receipt} 没有个人提案人，不能转为社情民意。",
    "bad_collective_kind": "集体提案的提案者类别只能是：{kinds}。",
    "bad_category": "分类只能是：{categories}。",
}
PROPOSAL_UNITS = "承办单位：\n{units}"
PROPOSAL_STAFF_ONLY = "「{verb}」是工作人员办理提案用的指令，委员不能使用。发「我的提案」可查看您的提案。"
