"""The Reflex app: pages plus the REST API mounted with api_transformer; errors of UI event
handlers go to Sentry when it is configured; each worker warms up its database connection
before serving. Nothing else."""

import reflex as rx

from app import db
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
# Each web worker connects and configures the ORM before serving its first page.
app.register_lifespan_task(db.warm_up)
