"""Each person's last filter on a rubric; ladders may offer "no opportunity yet"

Revision ID: 1816c005b0ee
Revises: 479b543afbbb
Create Date: 2026-12-03 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1816c005b0ee'
down_revision = '479b543afbbb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rubric_filters',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('show', sa.String(length=200), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubrics.id'], name=op.f('fk_rubric_filters_rubric_id_rubrics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rubric_filters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'rubric_id', name=op.f('pk_rubric_filters'))
    )
    # Ladders may offer "no opportunity yet"; those already stored do not. A plain ADD COLUMN:
    # a batch on SQLite would copy the table, and dropping the old one cascades to its tracks.
    op.add_column('ladders', sa.Column('no_opportunity', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('ladders', 'no_opportunity')  # not a batch, for the same reason
    op.drop_table('rubric_filters')
