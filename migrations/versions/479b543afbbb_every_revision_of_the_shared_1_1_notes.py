"""every revision of the shared 1:1 notes, and the next 1:1 of a pair

Revision ID: 479b543afbbb
Revises: baeccfe684ef
Create Date: 2026-12-03 08:40:00.000000

Earlier saves are rebuilt from the history: each "notes" event kept the text it saved, so
every 1:1 gets its revisions back, and a last one with the current text if they differ.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '479b543afbbb'
down_revision = 'baeccfe684ef'
branch_labels = None
depends_on = None


def upgrade():
    revisions = op.create_table(
        'note_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('merged', sa.Boolean(), nullable=False),
        sa.Column('conflicts', sa.Integer(), nullable=False),
        sa.Column('restored_from', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('meeting_id', 'number'),
    )
    backfill(revisions)
    op.create_table(
        'next_meetings',
        sa.Column('rubric_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('scheduled_by_id', sa.Integer(), nullable=True),
        sa.Column('scheduled_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['rubric_id'], ['rubrics.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['scheduled_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('rubric_id'),
    )


def backfill(revisions):
    conn = op.get_bind()
    meetings = sa.table(
        'meetings',
        sa.column('id', sa.Integer),
        sa.column('notes', sa.Text),
        sa.column('notes_version', sa.Integer),
        sa.column('started_by_id', sa.Integer),
        sa.column('started_at', sa.DateTime),
    )
    events = sa.table(
        'events',
        sa.column('id', sa.Integer),
        sa.column('actor_id', sa.Integer),
        sa.column('kind', sa.String),
        sa.column('after', sa.JSON),
        sa.column('created_at', sa.DateTime),
    )
    saved: dict[int, list] = {}
    for event in conn.execute(
        sa.select(events.c.actor_id, events.c.after, events.c.created_at)
        .where(events.c.kind == 'notes')
        .order_by(events.c.id)
    ):
        after = event.after if isinstance(event.after, dict) else {}
        if isinstance(after.get('meeting'), int) and isinstance(after.get('text'), str):
            saved.setdefault(after['meeting'], []).append(event)
    for meeting in conn.execute(sa.select(meetings)):
        rows = [
            dict(author_id=e.actor_id, text=e.after['text'], created_at=e.created_at)
            for e in saved.get(meeting.id, [])
        ]
        if (meeting.notes or '') and (not rows or rows[-1]['text'] != meeting.notes):
            rows.append(
                dict(
                    author_id=meeting.started_by_id,
                    text=meeting.notes,
                    created_at=rows[-1]['created_at'] if rows else meeting.started_at,
                )
            )
        for number, row in enumerate(rows, start=1):
            conn.execute(
                revisions.insert().values(
                    meeting_id=meeting.id, number=number, merged=False, conflicts=0, **row
                )
            )
        if rows:
            conn.execute(
                meetings.update()
                .where(meetings.c.id == meeting.id)
                .values(notes_version=len(rows))
            )


def downgrade():
    op.drop_table('next_meetings')
    op.drop_table('note_revisions')
