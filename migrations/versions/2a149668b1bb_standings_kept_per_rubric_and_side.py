"""standings kept per rubric and side, changed by each rating

Revision ID: 2a149668b1bb
Revises: 1816c005b0ee
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2a149668b1bb'
down_revision = '1816c005b0ee'
branch_labels = None
depends_on = None


def upgrade():
    # Starts empty: each rubric's standing is counted from its ratings on its next click
    # (or by `flask rubric recompute`), so existing rubrics need no data step here.
    op.create_table(
        'standings',
        sa.Column('rubric_id', sa.Integer(), nullable=False),
        sa.Column('side', sa.String(length=10), nullable=False),
        sa.Column('ladder_version', sa.Integer(), nullable=False),
        sa.Column('track_key', sa.String(length=100), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['rubric_id'], ['rubrics.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('rubric_id', 'side'),
    )


def downgrade():
    op.drop_table('standings')
