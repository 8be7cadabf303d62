"""What the activity-management code (bot/activity_admin.py) says to staff, in the CLI and the console."""
from storage.statuses import SignupStatus

FIELD_NAMES = {"title": "名称", "kind": "类别", "start_at": "开始", "end_at": "结束", "place": "地点",
               "capacity": "名额", "deadline": "报名截止", "audience": "参加范围"}
TEXT = {
    "past": "{field}（{when}）已经过去。",
    "deadline_after_start": "报名截止时间（{deadline}）晚于活动开始时间（{start}）。",
    "cancelled": "{code} 已取消，不能修改",
    "already_cancelled": "{code} 已经取消过了",
    "started": "{code} 已开始或已结束，不能取消",
    "ended_timing": "活动已结束，不能修改时间（以免改变已记录的出席情况）",
    "unknown_kind": "未知类别「{kind}」，可选：{kinds}",
    "negative_capacity": "名额不能为负数",
    "end_before_start": "结束时间必须晚于开始时间",
    "no_title": "请填写活动名称",
    "unknown_audience": "名册中没有界别或旗区为「{token}」的委员，请核对参加范围。",
    "not_yet_open": "签到尚未开始（{opens} 起），不能登记出席",
    "none": "（无）",
    "total": "合计：{parts}",
    "total_part": "{label} {count}",
    "nobody": "合计：无人报名",
}
ROSTER_STATUS = {SignupStatus.SIGNED: "已报名", SignupStatus.WAITLIST: "候补", SignupStatus.LEAVE: "请假",
                 SignupStatus.CANCELLED: "已取消", SignupStatus.WALKIN: "现场签到"}
SIGNED_IN, ABSENT = "已签到", "缺席"
