"""conversations, engagement, stories, source health

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fetch_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failure_score', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('relation', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('engagement', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('story_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_mentions_conversation', ['conversation_id'], unique=False)
        batch_op.create_index('ix_mentions_story', ['story_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_story')
        batch_op.drop_index('ix_mentions_conversation')
        batch_op.drop_column('story_id')
        batch_op.drop_column('engagement')
        batch_op.drop_column('relation')
        batch_op.drop_column('conversation_id')

    with op.batch_alter_table('fetch_state', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('failure_score')

