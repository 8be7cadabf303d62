"""binding security: binding attempts and one-time binding codes (issue 10)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:10:00
"""
from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'binding_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('openid', sa.String(length=64), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_binding_attempts_openid_at', 'binding_attempts', ['openid', 'at'])
    op.create_index('ix_binding_attempts_member_at', 'binding_attempts', ['member_id', 'at'])
    op.create_table(
        'binding_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=160), nullable=False),
        sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('used_at', storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_binding_codes_member_id'), 'binding_codes', ['member_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_binding_codes_member_id'), table_name='binding_codes')
    op.drop_table('binding_codes')
    op.drop_index('ix_binding_attempts_member_at', table_name='binding_attempts')
    op.drop_index('ix_binding_attempts_openid_at', table_name='binding_attempts')
    op.drop_table('binding_attempts')
