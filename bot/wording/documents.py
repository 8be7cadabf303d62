"""The files staff export: the member's 履职档案 (Word, bot/archive.py) and the 社情民意信息汇编 (Word/Excel,
bot/report_export.py). Keep every {placeholder} and key. See bot/wording/__init__.py for the other wording files.
"""

# --- 履职档案 ---------------------------------------------------------------------------------------
ARCHIVE = {
    "title": "委员履职档案（{year}年度）",
    "org": "{org}",
    "as_of": "统计截至：{when}",
    "member": "委员信息",
    "member_rows": (("姓名", "name"), ("界别", "sector"), ("旗区", "district"), ("手机号", "phone")),
    "summary": "履职情况汇总",
    "summary_header": ("项目", "数量", "积分"),
    "requirements": "年度履职要求",
    "requirement_met": "已完成",
    "requirement_missing": "还差{missing}{unit}",
    "no_requirements": "本年度未设履职要求。",
    "reports": "一、社情民意",
    "reports_header": ("日期", "编号", "标题", "状态"),
    "instructed_mark": "（获领导批示）",
    "outcome_reason": "{outcome}：{reason}",
    "seconds": "二、附议",
    "seconds_header": ("日期", "编号", "标题"),
    "checkins": "三、学习打卡",
    "checkins_header": ("日期", "学习内容", "时长（分钟）"),
    "activities": "四、参加活动",
    "activities_header": ("日期", "编号", "活动名称", "类别", "情况"),
    "deductions": "扣分（缺席、请假）",
    "base": "基础分",
    "total": "履职积分合计",
    "requirement_line": "{label}：{done}/{required}{unit}，{state}",
    "date": "%Y-%m-%d",
    "as_of_time": "%Y年%m月%d日 %H:%M",
    "none": "（无）",
    "empty": "—",
}
ARCHIVE_SUMMARY_ROWS = (  # label, count (from RecordCounts), points (from Score)
    ("社情民意（提交）", "reports", "reports"),
    ("　其中被采用", "reports_adopted", None),
    ("　其中获领导批示", "reports_instructed", None),
    ("附议", "seconds", "seconds"),
    ("学习打卡（次）", "checkins", "study"),
    ("学习时长（分钟）", "study_minutes", None),
    ("活动报名（确认名额）", "signups", None),
    ("活动出席", "attended", "activities"),
    ("请假", "leaves", None),
    ("缺席（未请假）", "absences", None),
    ("候补未获名额", "waitlisted", None),
)
ARCHIVE_OUTCOMES = {  # how a sign-up ended (storage.statuses.AttendanceResult)
    "attended": "出席", "absent": "缺席", "leave": "请假",
    "signed": "已报名（尚未结束）", "waitlist": "候补（未获名额）",
}
ARCHIVE_WALK_IN = "出席（现场签到）"

# --- 社情民意信息汇编 -------------------------------------------------------------------------------
COMPILATION = {
    "columns": ("序号", "分类", "编号", "标题", "旗区", "反映人", "界别", "提交日期", "状态", "内容", "建议"),
    "sheet": "社情民意汇编",
    "title_one_day": "社情民意信息汇编（{first}）",
    "title_span": "社情民意信息汇编（{first}—{last}）",
    "day": "{year}年{month}月{day}日",
    "month_day": "{month}月{day}日",
    "year": "{year}年",
    "byline": "{org}　编　　{date}　　共{n}条",
    "empty": "本期无符合条件的社情民意信息。",
    "category": "{number}、{category}（{n}条）",
    "entry": "{number}. {title}",
    "meta": "编号：{receipt}　旗区：{district}　反映人：{member}（{sector}）　提交日期：{date}　状态：{status}",
    "no_district": "未填",
    "no_sector": "未填界别",
    "suggestion": "建议：",
}
NUMERALS = "零一二三四五六七八九十"  # category headings 一、二、… 九十九
