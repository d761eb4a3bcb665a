"""The application factory: configuration, extensions, blueprints and commands."""

from __future__ import annotations

import os

from flask import Flask

from app import ROOT, config, web
from app.database import configure_engine
from app.extensions import csrf, db, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure a Rungs application."""
    app = Flask(
        "app",
        instance_relative_config=True,
        instance_path=os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    login_manager.init_app(app)
    from app.auth import loader

    loader.init_app(app)
    csrf.init_app(app)
    web.init_app(app)

    from app import worker
    from app.auth.sso import client as sso_client
    from app.mail import config as mail_config

    mail_config.init_app(app)  # stops here, saying why, if a mail setting cannot work
    sso_client.init_app(app)  # likewise for the identity provider
    worker.init_app(app)

    from app.account import views as account_views
    from app.admin import cli as admin_cli
    from app.admin.ladders import bp as ladder_admin_bp
    from app.admin.pay import bp as pay_bp
    from app.admin.views import bp as admin_bp
    from app.audit.views import bp as audit_bp
    from app.auth import cli as auth_cli
    from app.auth.sso import cli as sso_cli
    from app.auth.sso.views import bp as sso_bp
    from app.auth.views import bp as auth_bp
    from app.backup import cli as backup_cli
    from app.drafts.views import bp as drafts_bp
    from app.evidence.views import bp as evidence_bp
    from app.history.views import bp as history_bp
    from app.ladders import cli as ladder_cli
    from app.ladders.views import bp as ladders_bp
    from app.mail import cli as mail_cli
    from app.notifications.views import bp as notifications_bp
    from app.oneonone.views import bp as oneonone_bp
    from app.rubric import cli as rubric_cli
    from app.rubric.views import bp as rubric_bp
    from app.share.views import bp as share_bp
    from app.suggestions.views import bp as suggestions_bp
    from app.team.views import bp as team_bp

    for blueprint in (
        auth_bp,
        account_views.bp,
        admin_bp,
        pay_bp,
        ladder_admin_bp,
        audit_bp,
        team_bp,
        ladders_bp,
        drafts_bp,
        suggestions_bp,
        rubric_bp,
        evidence_bp,
        history_bp,
        oneonone_bp,
        share_bp,
        sso_bp,
        notifications_bp,
    ):
        app.register_blueprint(blueprint)
    account_views.init_app(app)
    auth_cli.init_app(app)
    ladder_cli.init_app(app)
    admin_cli.init_app(app)  # its commands join `flask ladder`
    backup_cli.init_app(app)
    mail_cli.init_app(app)
    sso_cli.init_app(app)
    rubric_cli.init_app(app)
    return app
