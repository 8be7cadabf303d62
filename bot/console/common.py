"""Helpers every console page uses: paging, template filters (local time, before/after fields)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request, url_for

from bot.console import console, runtime
from bot.console.wording import W


@dataclass(frozen=True)
class Page:
    """One page of a list: `number` from 1, `size` rows, `total` rows in all; `url(n)` keeps the filters."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def url(self, number: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(number)
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def page_of(total: int, size: int | None = None) -> Page:
    """The page asked for in ?page=, clamped to the pages that exist."""
    size = size or int(runtime().config.console.page_size)
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    pages = max(1, math.ceil(total / size))
    return Page(min(max(1, number), pages), size, total)


@console.app_template_filter("localtime")
def localtime(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return runtime().local(moment).strftime(fmt) if moment else W["none"]


@console.app_template_filter("fields")
def fields(values: dict[str, Any] | None) -> str:
    """'标题：旧标题；分类：其他' from an audit entry's before/after."""
    if not values:
        return W["none"]
    return "；".join(f"{key}：{value}" for key, value in values.items())
