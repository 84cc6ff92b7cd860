"""The Reflex app: pages plus the REST API mounted with api_transformer; errors of UI event
handlers go to Sentry when it is configured; each worker warms up its database connection
before serving. Nothing else."""

import reflex as rx

from app.api import create_api
from app.api.headers import security_headers
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
    # The REST API (Reflex mounts itself inside it), then security headers around everything.
    api_transformer=[create_api(), security_headers],
    toaster=rx.toast.provider(position="bottom-right", close_button=True),
    backend_exception_handler=reflex_exception_handler,
)


def warm_up() -> None:
    """Pay a fresh worker's one-time database costs (connecting, configuring the ORM's mappers,
    compiling the session lookup) before it serves anyone: otherwise the first page each web
    worker serves waits for them, 0.4-1 s on a busy machine. A database that is not reachable
    yet only loses the head start."""
    import logging

    from sqlalchemy.orm import configure_mappers

    from app.services import auth as auth_service

    try:
        configure_mappers()
        auth_service.user_for_session("warm-up")  # no such session: one indexed lookup
    except Exception as exc:  # noqa: BLE001 - the app still starts; requests will connect
        logging.getLogger(__name__).warning("database warm-up failed: %s", exc)


app.register_lifespan_task(warm_up)
