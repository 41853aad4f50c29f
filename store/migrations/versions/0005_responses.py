"""responses: analysts' follow-up status per mention (needs answer / answered); covering
indexes for the dashboard's reads (ix_mentions_day, ix_mentions_source_day, ix_tags_current)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The dashboard's reads from the index alone: a period's mentions (also of some sources), and a
# mention's current tags of one kind (see store/models.py).
MENTIONS_DAY_COLUMNS = ['local_day', 'published_at', 'voice', 'local_week', 'sentiment',
                        'tagger_version', 'story_id', 'source_id', 'lang', 'response_status']
MENTIONS_SOURCE_DAY_COLUMNS = ['source_id', 'local_day', 'voice', 'local_week', 'sentiment',
                               'tagger_version', 'story_id', 'lang', 'response_status']
TAGS_CURRENT_COLUMNS = ['mention_id', 'kind', 'tagger_version', 'value', 'sentiment']


def upgrade() -> None:
    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_mention', ['mention_id'], unique=False)
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_status', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_mentions_response_status', ['response_status'], unique=False)
        batch_op.drop_index('ix_mentions_voice_day')
        batch_op.create_index('ix_mentions_day', MENTIONS_DAY_COLUMNS, unique=False)
        batch_op.create_index('ix_mentions_source_day', MENTIONS_SOURCE_DAY_COLUMNS,
                              unique=False)
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index('ix_tags_kind_value')
        batch_op.drop_index('ix_tags_mention')
        batch_op.create_index('ix_tags_current', TAGS_CURRENT_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index('ix_tags_current')
        batch_op.create_index('ix_tags_mention', ['mention_id'], unique=False)
        batch_op.create_index('ix_tags_kind_value', ['kind', 'value'], unique=False)
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_source_day')
        batch_op.drop_index('ix_mentions_day')
        batch_op.create_index('ix_mentions_voice_day', ['voice', 'local_day'], unique=False)
        batch_op.drop_index('ix_mentions_response_status')
        batch_op.drop_column('response_status')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_mention')
    op.drop_table('responses')
