"""staff console (issue 12): console accounts (password hash, admin flag), login attempts, audit log

console_accounts: one login per staff roster entry (`python -m bot console passwd PHONE [--admin]`).
console_logins: every login attempt, counted per phone and per address to throttle guessing.
audit_log: every change made in the console (who, when, what, item, before/after).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:10:02
"""
from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'console_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('is_admin', sa.Boolean(), nullable=False),
        sa.Column('password_set_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('member_id'),
    )
    op.create_table(
        'console_logins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_console_logins_phone_at', 'console_logins', ['phone', 'at'])
    op.create_index('ix_console_logins_address_at', 'console_logins', ['address', 'at'])
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('item_kind', sa.String(length=32), nullable=False),
        sa.Column('item_id', sa.String(length=64), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['members.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_log_item', 'audit_log', ['item_kind', 'item_id'])
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_index('ix_audit_log_item', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index('ix_console_logins_address_at', table_name='console_logins')
    op.drop_index('ix_console_logins_phone_at', table_name='console_logins')
    op.drop_table('console_logins')
    op.drop_table('console_accounts')
