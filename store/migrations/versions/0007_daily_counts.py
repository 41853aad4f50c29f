"""daily_counts: stories per day and dimension, kept with tagging and corrections, for period
figures at millions of mentions (store.rollups); filled from the current tags here

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEX_COLUMNS = ['kind', 'day', 'voice', 'value', 'aspect', 'sentiment', 'source_id', 'lang',
                 'week', 'n']


def upgrade() -> None:
    op.create_table(
        'daily_counts',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('voice', sa.String(length=20), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('sentiment', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=130), nullable=False),
        sa.Column('aspect', sa.String(length=10), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'voice', 'source_id', 'lang', 'sentiment', 'kind',
                                'value', 'aspect'),
    )
    op.create_index('ix_daily_counts_kind_day', 'daily_counts', INDEX_COLUMNS, unique=False)
    from sqlalchemy.orm import Session

    from store.rollups import rebuild

    rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_index('ix_daily_counts_kind_day', table_name='daily_counts')
    op.drop_table('daily_counts')
