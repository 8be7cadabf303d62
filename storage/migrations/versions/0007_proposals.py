"""提案: proposals, co-signers, handling units, replies and verdicts (issue 14)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the work on this issue


def downgrade() -> None:
    pass
