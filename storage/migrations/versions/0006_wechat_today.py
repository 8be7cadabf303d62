"""WeChat today: subscription opt-ins, kefu quota, delivery receipts, scene QR tickets (issue 13)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the work on this issue


def downgrade() -> None:
    pass
