"""report attachment storage: where a photo was saved off WeChat's temporary media (bot/media.py)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:30:02.782344
"""
from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # server_default fills the NOT NULL columns of existing rows (SQLite and PostgreSQL alike)
    with op.batch_alter_table('report_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_path', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('stored_at', storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fetch_error', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('report_attachments', schema=None) as batch_op:
        batch_op.drop_column('fetch_error')
        batch_op.drop_column('stored_at')
        batch_op.drop_column('stored_path')
