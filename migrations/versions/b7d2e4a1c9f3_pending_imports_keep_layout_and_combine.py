"""pending imports keep the layout chosen and how several files combine

Revision ID: b7d2e4a1c9f3
Revises: 11f95b726989
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4a1c9f3'
down_revision = '11f95b726989'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('layout', sa.String(length=30), server_default='auto', nullable=False))
        batch_op.add_column(sa.Column('combine_as', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.drop_column('combine_as')
        batch_op.drop_column('layout')
