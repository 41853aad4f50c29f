"""source warnings: what was wrong with a source's last answer without failing the run (broken
XML whose entries were read, a wrong charset label …), shown with its health

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('fetch_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_warning', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_warning_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('fetch_state', schema=None) as batch_op:
        batch_op.drop_column('last_warning_at')
        batch_op.drop_column('last_warning')
