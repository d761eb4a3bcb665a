"""`flask ladder default|assign|rename|archive|restore|delete|list`: one line out, errors exit 1."""

from __future__ import annotations

import pytest
from helpers import small_ladder, small_ladder_as

from app.audit.models import AuditEvent
from app.extensions import db
from app.ladders import store
from app.ladders.models import LadderAssignment
from app.rubric.models import Rubric


@pytest.fixture
def two(app):
    with app.app_context():
        store.save(small_ladder())
        store.save(small_ladder_as("acme", "Acme"))
        db.session.commit()


def run(runner, *args):
    return runner.invoke(args=["ladder", *args])


def last_audit(app) -> tuple[str, str]:
    with app.app_context():
        found = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        return found.kind, found.actor_label


def test_default(app, runner, two):
    result = run(runner, "default", "acme")
    assert result.exit_code == 0 and result.output == "acme is the default ladder.\n"
    with app.app_context():
        assert store.by_key("acme").is_default and not store.by_key("small").is_default
    kind, actor = last_audit(app)
    assert kind == "ladder.default" and actor.startswith("command line")


def test_assign_with_a_track(app, runner, people, two):
    result = run(runner, "assign", people.engineer.email, "acme", "--track", "ic")
    assert result.exit_code == 0 and result.output == f"{people.engineer.email} is on acme (ic).\n"
    with app.app_context():
        assert db.session.get(LadderAssignment, people.engineer.id).track_key == "ic"
        rubric = db.session.scalar(db.select(Rubric).filter_by(user_id=people.engineer.id))
        assert rubric.ladder.key == "acme"
    assert last_audit(app)[0] == "ladder.assigned"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("assign", "nobody@example.com", "acme"), "No user has the email nobody@example.com."),
        (("assign", "engineer@example.com", "nope"), "No ladder has the key 'nope'."),
        (
            ("assign", "engineer@example.com", "acme", "--track", "x"),
            "Acme (acme) has no track 'x'",
        ),
        (("default", "nope"), "No ladder has the key 'nope'."),
        (("rename", "acme", "  "), "A ladder needs a name."),
        (("archive", "small"), "Small ladder is the default ladder"),
        (("delete", "nope", "--yes"), "No ladder has the key 'nope'."),
    ],
)
def test_errors_exit_1_with_one_line(runner, people, two, args, message):
    result = run(runner, *args)
    assert result.exit_code == 1
    assert message in result.output and result.output.count("\n") == 1


def test_rename(app, runner, two):
    assert run(runner, "rename", "acme", "Acme 2027").output == "acme is now 'Acme 2027'.\n"
    with app.app_context():
        assert store.by_key("acme").name == "Acme 2027"
    assert last_audit(app)[0] == "ladder.renamed"


def test_archive_restore_and_list_marks(app, runner, two):
    assert run(runner, "archive", "acme").output == "acme is archived.\n"
    listing = run(runner, "list").output.splitlines()
    assert listing[0].startswith("acme\tAcme\t") and listing[0].endswith("\tarchived")
    assert listing[1].startswith("small\tSmall ladder\t") and listing[1].endswith("\tdefault")
    assert run(runner, "archive", "acme").output.startswith("Nothing to change")
    assert run(runner, "restore", "acme").output == "acme is back in use.\n"
    assert not run(runner, "list").output.splitlines()[0].endswith("archived")


def test_archived_ladder_is_refused_for_assignment(runner, people, two):
    run(runner, "archive", "acme")
    result = run(runner, "assign", people.engineer.email, "acme")
    assert result.exit_code == 1 and "archived" in result.output


def test_delete_only_an_unused_ladder(app, runner, people, two):
    run(runner, "assign", people.engineer.email, "acme")
    refused = run(runner, "delete", "acme", "--yes")
    assert refused.exit_code == 1 and "used by 1 rubric" in refused.output
    with app.app_context():
        store.save(small_ladder_as("spare", "Spare"))
        db.session.commit()
    assert run(runner, "delete", "spare", "--yes").output == "spare is deleted.\n"
    with app.app_context():
        assert store.by_key("spare") is None
    assert last_audit(app)[0] == "ladder.deleted"
