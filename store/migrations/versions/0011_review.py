"""review queue: the tagger's confidence on its tags, and analysts' confirmations

`tags.confidence` is the calibrated probability of a sentiment or intent tag; rows written
before this revision keep NULL (unknown) until they are tagged again. `confirmations` records
that an analyst found the machine's labels right (who, when, which labels), undoable.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column without a default: SQLite and PostgreSQL add it in place, without
    # rewriting the (large) tags table.
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
    op.create_table(
        'confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mention_id', sa.Integer(), nullable=False),
        sa.Column('tagger_version', sa.String(length=40), nullable=False),
        sa.Column('labels', sa.JSON(), nullable=False),
        sa.Column('author', sa.String(length=200), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.Column('undone_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_confirmations_mention', 'confirmations', ['mention_id'])


def downgrade() -> None:
    op.drop_index('ix_confirmations_mention', table_name='confirmations')
    op.drop_table('confirmations')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_column('confidence')
