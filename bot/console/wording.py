"""Every Chinese word of the staff console's pages, in one place (the assistant's replies are in bot/replies.py).

Templates read this as `W` (e.g. `{{ W.nav_reports }}`); views use W[...] for flash messages.
"""
from __future__ import annotations

W: dict[str, str] = {
    # frame
    "app_name": "政协委员履职助手 · 工作台",
    "nav_home": "工作台",
    "nav_reports": "社情民意",
    "nav_activities": "活动",
    "nav_roster": "名册",
    "nav_records": "履职",
    "nav_digest": "日报",
    "nav_outbox": "发送队列",
    "nav_accounts": "账号",
    "logout": "退出",
    "admin_mark": "管理员",
    "print": "打印",
    "skip_nav": "跳到正文",
    # login
    "login_title": "工作人员登录",
    "login_phone": "手机号",
    "login_password": "密码",
    "login_submit": "登录",
    "login_hint": "密码由管理员用 console passwd 命令设置。委员请使用微信公众号。",
    "login_bad": "手机号或密码不正确",
    "login_throttled": "尝试次数过多，请 {minutes} 分钟后再试",
    "login_needed": "请先登录",
    "login_idle": "长时间未操作，已自动退出，请重新登录",
    "logged_out": "已退出",
    # errors
    "forbidden_title": "无权访问",
    "forbidden": "此页面仅限管理员使用。",
    "csrf_title": "页面已过期",
    "csrf": "页面已过期或来源无法确认，操作未执行。请返回刷新页面后重试。",
    "not_found_title": "未找到",
    "not_found": "没有找到这一项。",
    "back": "返回",
    # audit log
    "audit_title": "操作记录",
    "audit_when": "时间",
    "audit_who": "操作人",
    "audit_what": "操作",
    "audit_before": "修改前",
    "audit_after": "修改后",
    "audit_empty": "暂无操作记录",
    # common
    "none": "—",
    "search": "查询",
    "reset": "清除",
    "prev": "上一页",
    "next": "下一页",
    "page_of": "第 {page} / {pages} 页，共 {total} 条",
    "all": "全部",
    "save": "保存",
}

# How an audit entry's action reads on a page; an action not listed shows as stored.
AUDIT_ACTIONS: dict[str, str] = {
    "account.password": "设置控制台密码",
}

# The console's CLI (`python -m bot console passwd`).
CLI: dict[str, str] = {
    "help": "工作台（网页控制台）账号",
    "passwd_help": "为工作人员设置工作台登录密码（密码从提示或标准输入读取，不可写在命令行上）",
    "phone_help": "工作人员的手机号（须在名册中，角色为工作人员）",
    "admin_help": "管理员账号（可管理名册、密码）；不加则为普通工作人员账号",
    "prompt": "新密码：",
    "prompt_again": "再输入一次：",
    "mismatch": "两次输入的密码不一致，未修改",
    "empty": "没有读到密码（请在提示后输入，或从标准输入传入）",
    "no_member": "名册中没有手机号为 {phone} 的人员",
    "not_staff": "{phone} 不是工作人员，委员不能登录工作台",
    "too_short": "密码至少 {n} 位",
    "created": "已为 {name}（{phone}）开通工作台账号（{role}），登录地址 /console/login",
    "changed": "已修改 {name}（{phone}）的工作台密码（{role}），此前登录的会话已失效",
    "role_admin": "管理员",
    "role_staff": "工作人员",
    "actor": "命令行",
}
