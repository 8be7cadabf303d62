"""What the ops command line (`duty-bot …`, `python -m bot …`) prints to staff: help texts, results, errors.

One dictionary per command group; keep the keys and every {placeholder}. See bot/wording/__init__.py for the
other wording files.
"""


# `activities`
ACTIVITIES = {
    "force_help": "确认发布/修改：允许开始时间或报名截止已过、报名截止晚于开始时间",
    "use_force": "确需如此请加 --force",
    "hint": "提示：{warning}",
}

# `chat`
CHAT = {
    "no_server": "连不上 {url}：助手服务没有运行。请在项目目录另开一个终端运行  make run  启动服务，再试一次。（{error}）",
    "bad_phone": "手机号格式不对：{value}（例如 13900000001、139-0000-0001 或 +86 139 0000 0001）",
    "no_member": "名册中没有手机号 {phone}（可先运行 python -m bot demo 载入演示数据）",
}

# `demo`
DEMO = {
    "help": "载入演示名册和活动（已有真实委员时拒绝，除非 --force）；--remove 删除全部演示数据",
    "force_help": "即使已有真实委员也载入演示数据",
    "remove_help": "删除全部演示人员和演示活动，连同他们的打卡、报名、社情民意和待发消息",
    "removed": "已删除演示数据：人员 {members} 位，活动 {activities} 个（真实数据未受影响）",
    "nothing": "没有演示数据，无需删除",
    "real_data": "数据库中已有 {real} 位真实人员，为避免混淆未载入演示数据。确需载入请加 --force",
    "loaded": "已载入演示数据（仅供试用）：",
    "person": "  {name}\t{phone}\t{district}\t{role}",
    "roles": {"member": "委员", "staff": "工作人员"},
    "try": "试用：另开终端运行  python -m bot chat --as 13900000001",
    "remove_later": "用完后可运行  python -m bot demo --remove  删除全部演示数据",
}

# `digest`
DIGEST_HELP = {
    "group": "工作人员每日履职日报：查看、发送、生成页面链接",
    "show": "打印某一天的完整日报文本",
    "send": "立即生成并推送某一天的日报给所有已绑定的工作人员（同一天不会重复发送，失败的会重试）",
    "link": "打印某一天日报页面的签名链接（有效期见 digest.link_ttl_hours）",
    "date": "日报所统计的日期 YYYY-MM-DD，默认昨天",
    "hours": "链接有效小时数，默认取配置 digest.link_ttl_hours",
}
DIGEST_ERRORS = {
    "format": "日期格式应为 YYYY-MM-DD，例如 2026-11-25",
    "future": "{date} 还没有到，无法生成日报",
    "unfinished": "{date} 还没有结束，只能发送已结束日期的日报（可先用 digest show 查看）",
    "secret": "无法签发链接：请设置 digest.secret（环境变量 BOT__DIGEST__SECRET）或 wechat.token",
}

# `export`
EXPORT = {
    "headers_help": "表头：zh 中文（默认，如 姓名,手机号,界别,旗区,社情民意…）或 en 英文字段名（便于程序处理）",
    "no_member": "名册中没有手机号为 {phone} 的委员",
    "bad_year": "年份不正确",
}

# `members`
MEMBERS = {
    "help": "委员名单：导入、查看、解除微信绑定",
    "import_help": "从 CSV（UTF-8）或 XLSX 导入/更新名单（按手机号更新，不会重复）",
    "file_help": "名单文件，第 1 行为表头：姓名,手机号,界别,旗区,角色（或 name,phone,sector,district,role）",
    "skip_help": "跳过有误的行，只导入正确的行（默认：有误则全部不导入）",
    "dry_help": "只检查并统计，不写入数据库",
    "list_help": "列出名单（含完整手机号与绑定状态；演示人员标有“（演示）”）",
    "role_help": "只看某一角色：委员/member 或 工作人员/staff",
    "district_help": "只看某一旗区（可用简称，如 准旗）",
    "unbound_help": "只看尚未绑定微信的人员",
    "unbind_help": "解除某人的微信绑定（换手机号/换微信号后可重新绑定）",
    "phone_help": "该人员的手机号",
    "read": "读取 {file}：有效 {valid} 行，有误 {bad} 行",
    "bad_row": "  第 {line} 行：{reason}",
    "not_imported": "有 {bad} 行有误，未导入任何数据。请改正后重新导入，或加 --skip-bad 跳过这些行",
    "summary": "{prefix}新增 {created}，更新 {updated}，未变 {unchanged}，跳过 {skipped}",
    "dry_prefix": "试运行（未写入）：",
    "done_prefix": "导入完成：",
    "bad_role": "角色无法识别：{value}（可用 委员/member 或 工作人员/staff）",
    "bad_district": "旗区无法识别：{value}",
    "bad_phone": "手机号格式不对：{value}",
    "no_member": "没有手机号为 {phone} 的人员",
    "not_bound": "{name}（{phone}）尚未绑定微信，无需解除",
    "unbound": "已解除 {name}（{phone}）的微信绑定，对方可用新的微信重新绑定",
    "columns": ("姓名", "手机号", "界别", "旗区", "角色", "绑定"),
    "roles": {"member": "委员", "staff": "工作人员"},
    "yes": "是", "no": "否",
    "total": "共 {total} 人，已绑定 {bound}，未绑定 {unbound}",
    "demo_mark": "（演示）",
    "demo_total": "，其中演示人员 {demo} 人（不计入统计，可用 demo --remove 删除）",
    "empty": "没有符合条件的人员",
}

# `members`
MEMBER_BINDING = {
    "code_help": "为某人生成一次性绑定验证码（6 位，只能用一次；工作人员绑定必须使用）",
    "hours_help": "有效小时数（默认取 binding.code_hours，24）",
    "bad_hours": "有效时长必须大于 0 小时",
    "code": "{name}（{phone}）的绑定验证码：{code}\n有效至 {until}，只能使用一次；新生成的验证码会使旧的失效。\n"
            "请告知本人发送：绑定 {name} {phone} {code}",
    "attempts_help": "列出绑定尝试（含失败原因），并标出多次失败的人员",
    "since_help": "起始日期 YYYY-MM-DD（默认 7 天前）",
    "bad_since": "日期格式应为 YYYY-MM-DD：{value}",
    "columns": ("时间", "微信 openid", "目标人员", "结果"),
    "none": "{since} 以来没有绑定尝试",
    "total": "共 {n} 次尝试，失败 {failed} 次",
    "flagged": "注意：{name}（{phone}）绑定失败 {count} 次，请核实是否有人冒用",
    "unknown_entry": "（名册中无此人）",
}

# `reports review`: errors in command-line terms (bot/replies.py shows the WeChat syntax)
REPORT_REVIEW_ERRORS = {
    "unknown_action": "未知操作「{action}」，--action 可用：{actions}",
    "need_note_return": "退回须写明理由：reports review {receipt} --action return --note \"请补充具体地点和建议\"",
    "need_note_instruct": "请写明批示内容：reports review {receipt} --action instruct --to 市长 --note \"请市住建局牵头解决\"",
    "need_note_close": "请写明办理结果：reports review {receipt} --action close --note \"已完成供热管网改造\"",
    "need_to_forward": "请写明报送单位：reports review {receipt} --action forward --to 市委办公室",
    "need_to_instruct": "请写明批示领导：reports review {receipt} --action instruct --to 市长 --note \"批示内容\"",
    "need_into": "请写明合并到哪一条：reports review {receipt} --action merge --into SQ2026-0001",
}

# `worker`, `outbox`
WORKER = {
    "worker_help": "发送待发消息并运行定时任务（提醒、照片保存、每日简报）；可在多台机器上同时运行，每条消息只发一次",
    "once_help": "只发送当前到期的消息，然后退出",
    "jobs_help": "只运行这些定时任务，逗号分隔（outbox,reminders,media,digest），默认全部",
    "bad_job": "未知的任务：{names}（可用 {known}）",
    "outbox_help": "查看待发消息，重发失败或状态不明的消息",
    "list_help": "列出最近的消息（最新的在前）",
    "status_help": "只看某一状态（代码或中文均可）：{statuses}",
    "limit_help": "最多列出多少条（默认 20）",
    "retry_help": "把一条失败或状态不明的消息重新放入待发（状态不明的消息对方可能已收到，请先确认）",
    "id_help": "消息编号（outbox list 第一列）",
    "columns": "编号  状态      类型        渠道      收件人                次数  下次/发送时间     说明",
    "empty": "没有符合条件的消息",
    "no_row": "没有编号为 {id} 的消息",
    "not_retryable": "消息 {id} 当前状态为“{status}”，只有失败或状态不明的消息可以重发",
    "retried": "消息 {id} 已重新放入待发，工作进程会尽快发送",
    "channels": {"kefu": "客服消息", "subscribe": "订阅通知", "template": "模板消息"},
    "unconfigured": "注意：未配置公众号 AppID/AppSecret（WECHAT_APPID、WECHAT_SECRET），待发消息保留在队列中，配置后由工作进程发送。",
}

# `messages failed`
MESSAGES = {
    "group_help": "查看处理失败、已保存待跟进的委员消息",
    "failed_help": "列出处理失败的消息（委员已被告知消息已保存）",
    "limit_help": "最多列出多少条（最新的在前）",
    "none": "没有处理失败的消息",
    "line": "{when}\t{who}\t{kind}\t{text}",
    "no_text": "（无文字）",
}

# `activities qr`, and the console's QR page: why a code is only a preview (bot/activity_qr.py)
QR = {
    "qr_help": "生成活动的微信带参数二维码（扫码签到），保存为 PNG 图片；有效期到活动结束后",
    "out_help": "保存到的 PNG 文件（默认 qr-活动编号.png）",
    "preview_help": "没有真正的二维码时（如未配置 AppID）也输出一张预览图，图上的码微信不能识别为签到码",
    "saved": "{code} {title}：二维码已保存到 {path}（有效至 {expires}）",
    "saved_preview": "{code} {title}：已保存预览图 {path}。注意：{reason}",
    "no_credentials": "这只是预览：未配置公众号 AppID/AppSecret（WECHAT_APPID、WECHAT_SECRET），无法向微信申请带参数二维码，"
                      "扫描此码不会签到。",
    "too_early": "这只是预览：微信临时二维码最长有效30天，活动结束后仍需可用，请于 {date} 起再生成，扫描此码不会签到。",
    "api_error": "这只是预览：向微信申请二维码失败（{error}），扫描此码不会签到。",
    "cancelled": "这只是预览：活动已取消，不再生成签到二维码。",
}


def qr_notice(rt, found) -> str:
    """Why an activity's QR code is only a preview ('' for a real one)."""
    if found.real:
        return ""
    date = rt.local(found.available_from).strftime("%Y-%m-%d") if found.available_from else ""
    return QR[found.reason].format(date=date, error=found.error)

# `menu`
MENU = {
    "group_help": "公众号自定义菜单：按配置 wechat.menu 创建（sync），查看微信上的当前菜单（show）",
    "sync_help": "按 config.yaml 的 wechat.menu 创建菜单（替换当前菜单，约5分钟内对用户生效）",
    "show_help": "显示微信上当前的菜单（含在公众号后台设置的菜单）",
    "no_credentials": "未配置公众号 AppID/AppSecret（WECHAT_APPID、WECHAT_SECRET），无法读取或设置菜单",
    "failed": "微信拒绝了请求：{error}",
    "synced": "菜单已创建：",
    "none": "公众号当前没有开启自定义菜单",
    "differs": "注意：与 config.yaml 的 wechat.menu 不一致，可运行 python -m bot menu sync 同步",
}
