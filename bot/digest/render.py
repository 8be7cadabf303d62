"""The digest as people read it: plain text (WeChat, `digest show`), the template message, the printable page."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template
from markupsafe import Markup

from bot import replies, template_data
from bot.digest.build import Digest, build_digest
from bot.protocol import shorten_utf8
from bot.runtime import Runtime
from bot.svgchart import bar_chart
from bot.wording.digest import BRIEF, PAGE, TEXT
from storage.binding import mask_phone
from storage.digest_figures import ActivityLine


def format_day(day: date) -> str:
    return TEXT["day"].format(year=day.year, month=day.month, day=day.day)


def format_share(share: float) -> str:
    return f"{share * 100:.1f}%"


def _items(pairs: list[tuple[str, int]]) -> str:
    return TEXT["item_sep"].join(TEXT["item"].format(name=name, count=count) for name, count in pairs)


def render_text(digest: Digest) -> str:
    """The full digest as plain text (CLI, customer-service message)."""
    lines = [TEXT["title"].format(org=digest.org, date=format_day(digest.day),
                                  weekday=replies.WEEKDAY_NAMES[digest.day.weekday()])]
    if digest.is_quiet:
        lines.append(TEXT["quiet"])
    lines += ["", *_report_section(digest), ""]
    lines.append(TEXT["study"].format(members=digest.checkin_members, count=digest.checkin_count,
                                      minutes=digest.checkin_minutes, share=format_share(digest.study_share),
                                      total=digest.member_total))
    lines += ["", TEXT["activities"], *(_activity_line(a) for a in digest.activities)]
    if not digest.activities:
        lines.append(TEXT["activities_none"])
    lines += ["", TEXT["inactive"].format(count=digest.inactive_members)]
    lines += _proposal_section(digest)
    lines += [TEXT["binding_alert"].format(name=a.name, phone=mask_phone(a.phone), count=a.failures)
              for a in digest.binding_alerts]
    return "\n".join(lines)


def _report_section(digest: Digest) -> list[str]:
    lines = [TEXT["reports"].format(count=len(digest.new_reports))]
    if digest.new_reports:
        lines.append(TEXT["by_district"].format(items=_items(digest.by_district)))
        lines.append(TEXT["by_category"].format(items=_items(digest.by_category)))
        lines += [TEXT["report_line"].format(**vars(r)) for r in digest.new_reports]
    else:
        lines.append(TEXT["reports_none"])
    lines.append(TEXT["overdue"].format(days=digest.overdue_days, count=digest.overdue_total))
    lines += [TEXT["overdue_line"].format(**vars(r)) for r in digest.overdue_reports]
    more = digest.overdue_total - len(digest.overdue_reports)
    if more > 0:
        lines.append(TEXT["overdue_more"].format(more=more))
    return lines


def _proposal_section(digest: Digest) -> list[str]:
    """五、提案督办: proposals whose units are past their deadline (the list staff urge from)."""
    if not digest.overdue_proposals:
        return []
    return ["", TEXT["proposals_overdue"].format(count=len(digest.overdue_proposals)),
            *(TEXT["proposal_line"].format(**vars(p)) for p in digest.overdue_proposals)]


def _activity_line(a: ActivityLine) -> str:
    capacity = TEXT["capacity"].format(capacity=a.capacity) if a.capacity else TEXT["capacity_unlimited"]
    start = TEXT["activity_start"].format(month=a.start_at.month, day=a.start_at.day, time=f"{a.start_at:%H:%M}")
    return TEXT["activity_line"].format(code=a.code, title=a.title, start=start, signed=a.signed,
                                        capacity=capacity, waitlist=a.waitlist, leave=a.leave, new=a.new_signups)


def message_text(digest: Digest, url: str, max_bytes: int) -> str:
    """Customer-service text: the full digest and the link, cut to fit but always keeping the link."""
    footer = "\n\n" + TEXT["link"].format(url=url) if url.startswith("http") else ""
    budget = max(max_bytes - len(footer.encode("utf-8")), 0)
    return shorten_utf8(render_text(digest), budget) + footer


def template_message(rt: Runtime, digest: Digest, url: str) -> dict[str, Any]:
    """The outbox row's template spec: the page link and the short keyword values (bot/template_data.py) of a
    template message or 订阅通知 (wechat.templates.digest / wechat.subscribe.digest, else `notice`)."""
    figures = {"org": digest.org, "reports": len(digest.new_reports), "overdue": digest.overdue_total}
    state = BRIEF["state_quiet"] if digest.is_quiet else BRIEF["state"] if digest.overdue_total else BRIEF["state_ok"]
    detail = BRIEF["detail_quiet" if digest.is_quiet else "detail"].format(**figures)
    values = template_data.brief(BRIEF["subject"].format(**figures), state=state, time=format_day(digest.day),
                                 detail=detail)
    return {"url": url if url.startswith("http") else "", "brief": values}


def render_page(rt: Runtime, covered: date, back_url: str = "", back_label: str = "") -> str:
    """The printable digest page for one day (also shown in the staff console, with a link back)."""
    digest = build_digest(rt, covered)
    return render_template("digest.html", d=digest, t=PAGE, charts=digest_charts(digest),
                           day_text=format_day(covered), weekday=replies.WEEKDAY_NAMES[covered.weekday()],
                           quiet=TEXT["quiet"], share=format_share(digest.study_share), back_url=back_url,
                           back_label=back_label)


def digest_charts(digest: Digest) -> dict[str, Markup]:
    """The digest's two 30-day bar charts (SVG): new reports and check-ins per day."""
    return {
        "reports": bar_chart([(p.day, p.reports) for p in digest.series], label=PAGE["chart_reports"]),
        "checkins": bar_chart([(p.day, p.checkins) for p in digest.series], color="#3c9d6d",
                              label=PAGE["chart_checkins"]),
    }
