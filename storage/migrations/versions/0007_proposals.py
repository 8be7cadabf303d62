"""提案: proposals, co-signers, handling units, replies and verdicts (issue 14)

proposals: 案由/情况分析/具体建议, category, author or collective author (集体提案), receipt, state, 重点/优秀,
  handling round, 并案 target, the 社情民意 report a 不立案 proposal became.
proposal_cosigners: 联名 invitations (invited/agreed/declined). proposal_assignments: 交办 (unit, 主办/协办/会办,
  deadline, round). proposal_replies: 办复 (text, file, 面谈/座谈/电话/书面, outcome A/B/C).
proposal_verdicts: 评价 per round. proposal_events: the history.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'proposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('receipt_no', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('session_label', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('analysis', sa.Text(), nullable=False),
        sa.Column('suggestions', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('collective_author', sa.String(length=64), nullable=False),
        sa.Column('collective_kind', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('is_key', sa.Boolean(), nullable=False),
        sa.Column('is_excellent', sa.Boolean(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=128), nullable=True),
        sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['members.id'], ),
        sa.ForeignKeyConstraint(['merged_into_id'], ['proposals.id'], ),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('receipt_no'),
        sa.UniqueConstraint('source')
    )
    op.create_index(op.f('ix_proposals_author_id'), 'proposals', ['author_id'])
    op.create_index(op.f('ix_proposals_created_at'), 'proposals', ['created_at'])
    op.create_index(op.f('ix_proposals_state'), 'proposals', ['state'])
    op.create_index('ix_proposals_year_state', 'proposals', ['year', 'state'])
    op.create_table(
        'proposal_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('assigned_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('replied_at', storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_proposal_assignments_proposal_id'), 'proposal_assignments', ['proposal_id'])
    op.create_table(
        'proposal_cosigners',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('invited_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column('answered_at', storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('proposal_id', 'member_id')
    )
    op.create_index(op.f('ix_proposal_cosigners_member_id'), 'proposal_cosigners', ['member_id'])
    op.create_index(op.f('ix_proposal_cosigners_proposal_id'), 'proposal_cosigners', ['proposal_id'])
    op.create_table(
        'proposal_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=True),
        sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_proposal_events_proposal_id'), 'proposal_events', ['proposal_id'])
    op.create_table(
        'proposal_verdicts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.Column('verdict', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('proposal_id', 'round')
    )
    op.create_index(op.f('ix_proposal_verdicts_proposal_id'), 'proposal_verdicts', ['proposal_id'])
    op.create_table(
        'proposal_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=True),
        sa.Column('unit', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('file_path', sa.String(length=300), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('outcome', sa.String(length=1), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['proposal_assignments.id'], ),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_proposal_replies_proposal_id'), 'proposal_replies', ['proposal_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_proposal_replies_proposal_id'), table_name='proposal_replies')
    op.drop_table('proposal_replies')
    op.drop_index(op.f('ix_proposal_verdicts_proposal_id'), table_name='proposal_verdicts')
    op.drop_table('proposal_verdicts')
    op.drop_index(op.f('ix_proposal_events_proposal_id'), table_name='proposal_events')
    op.drop_table('proposal_events')
    op.drop_index(op.f('ix_proposal_cosigners_proposal_id'), table_name='proposal_cosigners')
    op.drop_index(op.f('ix_proposal_cosigners_member_id'), table_name='proposal_cosigners')
    op.drop_table('proposal_cosigners')
    op.drop_index(op.f('ix_proposal_assignments_proposal_id'), table_name='proposal_assignments')
    op.drop_table('proposal_assignments')
    op.drop_index('ix_proposals_year_state', table_name='proposals')
    op.drop_index(op.f('ix_proposals_state'), table_name='proposals')
    op.drop_index(op.f('ix_proposals_created_at'), table_name='proposals')
    op.drop_index(op.f('ix_proposals_author_id'), table_name='proposals')
    op.drop_table('proposals')
