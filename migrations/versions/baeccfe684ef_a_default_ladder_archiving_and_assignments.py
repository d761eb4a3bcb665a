"""a default ladder, archived ladders, and the ladder assigned to each person

Revision ID: baeccfe684ef
Revises: a13b7c0d1e2f
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'baeccfe684ef'
down_revision = 'a13b7c0d1e2f'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs, no batch: on SQLite a batch copies the table, and dropping the old
    # copy would cascade to every track, level and competency of the ladders.
    op.add_column(
        'ladders', sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column('ladders', sa.Column('archived_at', sa.DateTime(), nullable=True))
    op.create_index(
        'uq_ladders_one_default',
        'ladders',
        ['is_default'],
        unique=True,
        sqlite_where=sa.text('is_default'),
        postgresql_where=sa.text('is_default'),
    )
    # Until now everyone landed on the ladder whose name sorts first: it becomes the
    # default, so nobody's landing page moves with this upgrade.
    ladders = sa.table('ladders', sa.column('id'), sa.column('name'), sa.column('key'),
                       sa.column('is_default', sa.Boolean()))
    bind = op.get_bind()
    first = bind.execute(
        sa.select(ladders.c.id).order_by(ladders.c.name, ladders.c.key).limit(1)
    ).scalar()
    if first is not None:
        bind.execute(ladders.update().where(ladders.c.id == first).values(is_default=True))
    op.create_table(
        'ladder_assignments',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('ladder_id', sa.Integer(), nullable=False),
        sa.Column('track_key', sa.String(length=100), nullable=True),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ladder_id'], ['ladders.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('ladder_assignments')
    op.drop_index('uq_ladders_one_default', table_name='ladders')
    op.drop_column('ladders', 'archived_at')
    op.drop_column('ladders', 'is_default')
