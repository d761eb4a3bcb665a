"""The `flask users` commands and their one-line errors."""

from __future__ import annotations

from app.auth.models import User
from app.extensions import db


def test_create_list_set_manager_deactivate(app, runner):
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "Boss@Example.com",
            "--name",
            "Bo Boss",
            "--role",
            "manager",
            "--password-stdin",
        ],
        input="boss passphrase 1\n",
    )
    assert ok.exit_code == 0, ok.output
    ok = runner.invoke(
        args=[
            "users",
            "create",
            "dev@example.com",
            "--name",
            "Dee Dev",
            "--manager",
            "boss@example.com",
            "--password-stdin",
        ],
        input="dev passphrase 22\n",
    )
    assert ok.exit_code == 0, ok.output
    listing = runner.invoke(args=["users", "list"]).output
    assert "dev@example.com\tDee Dev\tengineer\tactive\tmanager: boss@example.com" in listing
    runner.invoke(
        args=["users", "create", "lead@example.com", "--name", "Lee", "--role", "manager"]
    )
    assert (
        runner.invoke(
            args=["users", "set-manager", "dev@example.com", "lead@example.com"]
        ).exit_code
        == 0
    )
    assert runner.invoke(args=["users", "deactivate", "dev@example.com"]).exit_code == 0
    with app.app_context():
        dev = User.by_email("dev@example.com")
        assert dev.manager.email == "lead@example.com"
        assert not dev.active


def test_create_without_password_prints_an_invitation(runner):
    result = runner.invoke(args=["users", "create", "inv@example.com", "--name", "In Vited"])
    assert result.exit_code == 0
    assert "/invite/" in result.output


def test_errors_are_one_line_and_exit_non_zero(app, runner, people):
    cases = [
        (["users", "create", "engineer@example.com", "--name", "Dup"], None, "already exists"),
        (
            ["users", "create", "x@example.com", "--name", "X", "--manager", "nobody@example.com"],
            None,
            "No active user has the email nobody@example.com",
        ),
        (
            ["users", "create", "y@example.com", "--name", "Y", "--password-stdin"],
            "password1\n",
            "Weak password",
        ),
        (
            ["users", "create", "z@example.com", "--name", "Z", "--password-stdin"],
            "short\n",
            "at least 8 characters",
        ),
        (["users", "set-manager", "ghost@example.com", "manager@example.com"], None, "No user"),
        (["users", "deactivate", "ghost@example.com"], None, "No user"),
    ]
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.query(User).count() == 5  # nothing half-created
