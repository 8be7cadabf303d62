"""conversation layer: report titles/categories edited by staff, check-in fairness (issue 9)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:10:02
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
