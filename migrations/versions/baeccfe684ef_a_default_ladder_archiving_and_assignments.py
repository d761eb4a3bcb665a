"""a default ladder, archived and forked ladders, the ladder assigned to each person,
published versions and drafts, editors, suggestions, and when a competency's wording
last changed

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
    op.add_column('ladders', sa.Column('forked_from', sa.Text(), nullable=True))
    op.add_column('competencies', sa.Column('wording_changed_at', sa.DateTime(), nullable=True))
    op.add_column('rubrics', sa.Column('seen_version', sa.Integer(), nullable=True))
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
    op.create_table(
        'ladder_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ladder_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_label', sa.String(length=254), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ladder_id'], ['ladders.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ladder_id', 'number'),
    )
    op.create_table(
        'ladder_drafts',
        sa.Column('ladder_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('credits', sa.JSON(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ladder_id'], ['ladders.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('ladder_id'),
    )
    op.create_table(
        'ladder_editors',
        sa.Column('ladder_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ladder_id'], ['ladders.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ladder_id', 'user_id'),
    )
    op.create_table(
        'suggestions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ladder_id', sa.Integer(), nullable=False),
        sa.Column('competency_key', sa.String(length=200), nullable=True),
        sa.Column('level_key', sa.String(length=100), nullable=True),
        sa.Column('category_key', sa.String(length=100), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('was_title', sa.Text(), nullable=True),
        sa.Column('was_description', sa.Text(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ladder_id'], ['ladders.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_suggestions_ladder_id', 'suggestions', ['ladder_id'], unique=False)
    op.create_table(
        'suggestion_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('suggestion_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_suggestion_comments_suggestion_id', 'suggestion_comments', ['suggestion_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_suggestion_comments_suggestion_id', table_name='suggestion_comments')
    op.drop_table('suggestion_comments')
    op.drop_index('ix_suggestions_ladder_id', table_name='suggestions')
    op.drop_table('suggestions')
    op.drop_table('ladder_editors')
    op.drop_table('ladder_drafts')
    op.drop_table('ladder_versions')
    op.drop_table('ladder_assignments')
    op.drop_index('uq_ladders_one_default', table_name='ladders')
    op.drop_column('rubrics', 'seen_version')
    op.drop_column('competencies', 'wording_changed_at')
    op.drop_column('ladders', 'forked_from')
    op.drop_column('ladders', 'archived_at')
    op.drop_column('ladders', 'is_default')
