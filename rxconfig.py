"""Reflex configuration, derived from Herald's settings (HERALD_* env vars)."""

import reflex as rx
from reflex_base.plugins.sitemap import SitemapPlugin

from app.config import settings
from app.ui.build_chunks import ChunksPlugin

# Only a configured public URL is baked into the build; otherwise the browser reaches the
# backend on whatever host it loaded the page from (localhost, a LAN address...).
public = {"api_url": settings.base_url} if "base_url" in settings.model_fields_set else {}

config = rx.Config(
    app_name="app",
    frontend_port=settings.port,
    backend_port=settings.port,
    deploy_url=settings.base_url,
    # UI state lives in Redis when we have one, so several web workers can share it.
    redis_url=settings.redis_url or None,
    telemetry_enabled=False,
    # No sitemap: every page is behind a sign-in.
    disable_plugins=[SitemapPlugin],
    # CORS of the REST API and the websocket's Origin check: Herald's own origin(s) only.
    cors_allowed_origins=settings.allowed_origins,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="indigo", radius="medium")
        ),
        ChunksPlugin(),  # fewer, larger JS chunks (app/ui/build_chunks.py)
    ],
    **public,
)
