"""binding security: binding attempts and one-time binding codes (issue 10)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:10:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the binding-security work


def downgrade() -> None:
    pass
