"""corrections that can be undone: machine tags are kept (inactive) under a correction instead
of deleted, correction-made tags are marked as such, and an "undo" correction points at the one
it takes back

Tags made by corrections before this revision are recognised by their evidence ("correction by
…"); the machine tags those corrections deleted come back with the next `pulse retag`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_TAGS_CURRENT = ['mention_id', 'kind', 'tagger_version', 'value', 'sentiment']
TAGS_CURRENT = ['mention_id', 'kind', 'tagger_version', 'active', 'value', 'sentiment']


def upgrade() -> None:
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('origin', sa.String(length=12), nullable=False,
                                      server_default='machine'))
        batch_op.drop_index('ix_tags_current')
        batch_op.create_index('ix_tags_current', TAGS_CURRENT, unique=False)
    op.execute("UPDATE tags SET origin = 'correction' WHERE id IN ("
               "SELECT t.id FROM tags t JOIN corrections c ON c.mention_id = t.mention_id "
               "AND c.kind = t.kind AND c.value = t.value)")
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undoes', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_corrections_undoes', 'corrections', ['undoes'], ['id'],
                                    ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_constraint('fk_corrections_undoes', type_='foreignkey')
        batch_op.drop_column('undoes')
    op.execute("DELETE FROM tags WHERE active = false")
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index('ix_tags_current')
        batch_op.create_index('ix_tags_current', OLD_TAGS_CURRENT, unique=False)
        batch_op.drop_column('origin')
        batch_op.drop_column('active')
