"""reports: the sent-log of digests and alerts (deliveries), the health of the report jobs
(job_state), and what collecting each source did per local day (source_days)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('recipient', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'key', 'recipient', name='uq_deliveries_kind_key_recipient'),
    )
    op.create_index('ix_deliveries_topic', 'deliveries', ['kind', 'topic', 'sent_at'])
    op.create_table(
        'job_state',
        sa.Column('job', sa.String(length=100), nullable=False),
        sa.Column('last_run_at', sa.DateTime(), nullable=True),
        sa.Column('last_success_at', sa.DateTime(), nullable=True),
        sa.Column('last_error_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('consecutive_failures', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('job'),
    )
    op.create_table(
        'source_days',
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('disabled_runs', sa.Integer(), nullable=False),
        sa.Column('new_items', sa.Integer(), nullable=False),
        sa.Column('last_error_kind', sa.String(length=40), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('source_id', 'day'),
    )


def downgrade() -> None:
    op.drop_table('source_days')
    op.drop_table('job_state')
    op.drop_index('ix_deliveries_topic', table_name='deliveries')
    op.drop_table('deliveries')
