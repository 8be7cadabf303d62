"""WeChat today: subscription opt-ins, kefu quota, delivery receipts, scene QR tickets (issue 13)

members: kefu_used / last_event_at / kefu_event_used count customer-service messages against WeChat's quotas
(5 within 48 h of a message, 3 within a minute of a menu click, follow or scan).
activities: qr_ticket / qr_url / qr_expires_at keep the WeChat-issued scene QR code (qrcode/create).
outbox: msgid (WeChat's id of a sent template or 订阅通知, matched by the delivery receipt) and receipt_at.
subscriptions: each WeChat user's opt-in per 订阅通知 template, with one-time credits.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('members') as batch:
        batch.add_column(sa.Column('kefu_used', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('last_event_at', storage.types.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('kefu_event_used', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('activities') as batch:
        batch.add_column(sa.Column('qr_ticket', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('qr_url', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('qr_expires_at', storage.types.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('msgid', sa.String(length=32), nullable=False, server_default=''))
        batch.add_column(sa.Column('receipt_at', storage.types.UtcDateTime(timezone=True), nullable=True))
    op.create_index('ix_outbox_msgid', 'outbox', ['msgid'])
    op.create_table(
        'subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('openid', sa.String(length=64), nullable=False),
        sa.Column('template_id', sa.String(length=128), nullable=False),
        sa.Column('accepted', sa.Boolean(), nullable=False),
        sa.Column('credits', sa.Integer(), nullable=False),
        sa.Column('updated_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('openid', 'template_id'),
    )


def downgrade() -> None:
    op.drop_table('subscriptions')
    op.drop_index('ix_outbox_msgid', table_name='outbox')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('receipt_at')
        batch.drop_column('msgid')
    with op.batch_alter_table('activities') as batch:
        batch.drop_column('qr_expires_at')
        batch.drop_column('qr_url')
        batch.drop_column('qr_ticket')
    with op.batch_alter_table('members') as batch:
        batch.drop_column('kefu_event_used')
        batch.drop_column('last_event_at')
        batch.drop_column('kefu_used')
