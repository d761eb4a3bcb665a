"""users choose a time zone for the times they read

Revision ID: f141e50437f2
Revises: b7d2e4a1c9f3
Create Date: 2026-12-02 07:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f141e50437f2'
down_revision = 'b7d2e4a1c9f3'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch rebuild of users would cascade-delete on SQLite.
    op.add_column('users', sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column('users', 'time_zone')
