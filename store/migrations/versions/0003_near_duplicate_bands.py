"""near-duplicate bands and the story stage

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mention_bands',
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mention_id', 'band')
    )
    with op.batch_alter_table('mention_bands', schema=None) as batch_op:
        batch_op.create_index('ix_mention_bands_band', ['band'], unique=False)
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('story_checked', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_mentions_story_checked', ['story_checked'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_story_checked')
        batch_op.drop_column('story_checked')
    with op.batch_alter_table('mention_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_bands_band')

    op.drop_table('mention_bands')
