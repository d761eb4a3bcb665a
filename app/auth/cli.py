"""`flask users ...` and `flask setup-url`: account management from the shell."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from app.audit import log as audit
from app.auth import throttle
from app.auth.accounts import AccountError, create_user, deactivate, find_manager, set_manager
from app.auth.models import Invitation, User, admin_exists
from app.extensions import db
from app.notifications import notify

users = AppGroup("users", help="Manage user accounts.")


def fail(message: str) -> None:
    """Print a one-line error and exit non-zero."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def lookup(email: str) -> User:
    user = User.by_email(email)
    if user is None:
        fail(f"No user has the email {email.strip().lower()}.")
    return user


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", type=click.Choice(["admin", "manager", "engineer"]), default="engineer")
@click.option("--manager", "manager_email", help="Email of the user's manager.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--break-glass",
    is_flag=True,
    help="An admin who may sign in with a password even when single sign-on is required.",
)
def create(email, name, role, manager_email, password_stdin, break_glass):
    """Create a user."""
    if break_glass and (role != "admin" or not password_stdin):
        fail(
            "A break-glass account is an admin with a password: use --role admin --password-stdin."
        )
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = create_user(email, name, role, manager_email=manager_email, password=password)
        user.break_glass = break_glass
        detail = "break-glass admin account" if break_glass else f"{role} account"
        audit.record("account.created", audit.command_line(), user, detail=detail)
        db.session.commit()
    except AccountError as error:
        fail(str(error))
    click.echo(f"Created {user.role} {user.email}.")
    if password is None:
        token = Invitation.issue("invite", user=user, days=7)
        audit.record("invitation.issued", audit.command_line(), user, detail="from the shell")
        link = f"{base_url()}/invite/{token}"
        if notify.invitation(user, link, days=7, by="Your Rungs admin"):
            click.echo(f"Emailing the invitation to {user.email} (the mail worker sends it).")
        db.session.commit()
        click.echo(f"Invitation link (valid 7 days): {link}")


@users.command("list")
def list_users():
    """List users."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        status = "active" if user.active else "deactivated"
        manager = user.manager.email if user.manager else "-"
        click.echo(f"{user.email}\t{user.name}\t{user.role}\t{status}\tmanager: {manager}")


@users.command("set-manager")
@click.argument("email")
@click.argument("manager_email")
def set_manager_command(email, manager_email):
    """Make EMAIL report to MANAGER_EMAIL."""
    user = lookup(email)
    before = user.manager.email if user.manager else "no manager"
    try:
        set_manager(user, find_manager(manager_email))
        if user.manager.email != before:
            detail = f"{before} → {user.manager.email}"
            audit.record("account.manager", audit.command_line(), user, detail=detail)
        db.session.commit()
    except AccountError as error:
        fail(str(error))
    click.echo(f"{user.email} now reports to {user.manager.email}.")


@users.command("deactivate")
@click.argument("email")
def deactivate_command(email):
    """Deactivate a user and end their sessions."""
    user = lookup(email)
    was_active = user.active
    try:
        deactivate(user)
        if was_active:
            audit.record("account.deactivated", audit.command_line(), user, "signed out everywhere")
        db.session.commit()
    except AccountError as error:
        fail(str(error))
    click.echo(f"Deactivated {user.email}.")


@users.command("unlock")
@click.argument("email")
def unlock_command(email):
    """Forget the failed sign-ins of EMAIL from every address, ending its locks."""
    user = lookup(email)
    if not throttle.unlock(user.email):
        click.echo(f"{user.email} has no failed sign-ins to forget.")
        return
    audit.record("account.unlocked", audit.command_line(), user, "failed sign-ins forgotten")
    db.session.commit()
    click.echo(f"Unlocked {user.email}: failed sign-ins forgotten.")


@click.command("setup-url")
@with_appcontext
@click.option("--if-no-users", is_flag=True, help="Print nothing when an account exists.")
def setup_url(if_no_users):
    """Print a one-time link with which the first person creates the admin account."""
    if if_no_users and db.session.scalar(select(func.count()).select_from(User)):
        return
    if admin_exists():
        fail("An admin already exists; ask them to invite you.")
    token = Invitation.issue("setup")
    audit.record("setup.issued", audit.command_line())
    db.session.commit()
    click.echo(f"Create the first admin account at: {base_url()}/setup/{token}")


def base_url() -> str:
    """The address people use to reach this installation."""
    return current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")


def init_app(app: Flask) -> None:
    """Register the account commands."""
    app.cli.add_command(users)
    app.cli.add_command(setup_url)
