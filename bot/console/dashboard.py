"""工作台: today's and this month's figures, the digest's charts, links into each queue."""
from __future__ import annotations

from flask import render_template

from bot.console import console
from bot.console.auth import login_required


@console.get("/")
@login_required
def dashboard():
    return render_template("console/dashboard.html")
