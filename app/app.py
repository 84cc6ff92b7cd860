"""The Reflex app: pages plus the REST API mounted with api_transformer; errors of UI event
handlers go to Sentry when it is configured; each worker warms up its database connection
before serving. Nothing else."""

import reflex as rx

from app.api import create_api
from app.api.headers import security_headers
from app.frontend import cache_assets
from app.observability.sentry import reflex_exception_handler
from app.ui.pages import (  # noqa: F401  (registers pages)
    accounts,
    activity,
    analytics,
    api_keys,
    auth,
    billing,
    calendar,
    composer,
    dashboard,
    instance,
    invite,
    media,
    notifications,
    profile,
    sandbox,
    schedule,
    settings,
    webhooks,
    workspace_settings,
)

app = rx.App(
    # The REST API (Reflex mounts itself inside it), long-lived caching of the hashed assets,
    # then security headers around everything.
    api_transformer=[create_api(), cache_assets, security_headers],
    # dir: without it, sonner reads the page's computed direction on every render of the toaster
    # (a forced style recalculation each time).
    toaster=rx.toast.provider(position="bottom-right", close_button=True, dir="ltr"),
    backend_exception_handler=reflex_exception_handler,
)


def warm_up() -> None:
    """Pay a fresh worker's one-time costs (late imports, the simulator's HTTP client, connecting
    to the database, configuring the ORM's mappers, compiling the statements of the signed-in
    pages) before it serves anyone: otherwise the first page each web worker serves waits for
    them, 0.4-1 s on a busy machine (SQLAlchemy compiles each statement shape once per
    process). A database that is not reachable yet only loses the head start."""
    import importlib
    import logging

    from sqlalchemy.orm import configure_mappers

    from app.services import auth as auth_service
    from app.services import sandbox as sandbox_service

    # Reflex imports this (and alembic, mako, pygments with it: 0.3-1 s) the first time an
    # event handler takes a dict, e.g. the calendar's first range or any form's submit.
    importlib.import_module("reflex.model")
    sandbox_service.warm_up()
    try:
        configure_mappers()
        auth_service.user_for_session("warm-up")  # no such session: one indexed lookup
        _read_first_pages()
    except Exception as exc:  # noqa: BLE001 - the app still starts; requests will connect
        logging.getLogger(__name__).warning("database warm-up failed: %s", exc)


def _read_first_pages() -> None:
    """What the signed-in shell and the first pages read (the dashboard first, then accounts
    and the calendar), read once as the user who signed in last; results are dropped. Nothing
    to do on an instance nobody signed in to yet."""
    import contextlib
    import datetime as dt

    from sqlmodel import col, select

    from app import db
    from app.models import PostApproval, User, UserSession, utcnow
    from app.services import accounts as accounts_service
    from app.services import (
        approvals,
        comments,
        composer_drafts,
        connect,
        mail,
        outages,
        posts,
        workspaces,
    )
    from app.services import dashboard as dashboard_service
    from app.services import notifications as notifications_service
    from app.services.errors import ServiceError

    with db.session() as s:
        user = s.exec(
            select(User)
            .join(UserSession, col(UserSession.user_id) == User.id)
            .order_by(col(UserSession.created_at).desc())
            .limit(1)
        ).first()
    if user is None:
        return
    mail.require_verified_email()
    mail.configured()
    views = workspaces.list_workspaces(user)
    if not views:
        return
    wid, now = views[0].id, utcnow()

    def dashboard_page() -> None:
        dashboard_service.fingerprint(user, wid)
        view = dashboard_service.overview(user, wid)
        listed = [p.id for p in (*view.upcoming, *view.recent, *view.failures)]
        comments.counts(user, wid, listed or [wid])  # never empty: the query is compiled

    reads = (
        dashboard_page,
        lambda: outages.for_workspace(user, wid),
        lambda: notifications_service.unread_count(user, wid),
        lambda: approvals.summary(user, wid),
        lambda: posts.list_posts(user, wid, approval=[PostApproval.pending], limit=20),
        lambda: workspaces.list_members(user, wid),
        lambda: composer_drafts.list_drafts(user, wid, limit=5),
        lambda: accounts_service.list_accounts(user, wid),
        connect.platforms,
        lambda: posts.list_posts(user, wid, start=now, end=now + dt.timedelta(days=42), limit=500),
    )
    for read in reads:
        with contextlib.suppress(ServiceError):  # e.g. a role that may not: the rest still warm
            read()


app.register_lifespan_task(warm_up)
