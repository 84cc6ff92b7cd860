"""Settings → Instance (instance admins only): registration, email, AI settings, storage, users,
platform apps."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import stack
from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.settings_nav import settings_page
from app.ui.state.instance import InstanceState
from app.ui.views.instance_ai import ai_settings
from app.ui.views.instance_email import email_settings
from app.ui.views.instance_people import registration, users_table
from app.ui.views.instance_platforms import platform_apps, storage_settings


@protected_page("/settings/instance", "Instance settings", on_load=[InstanceState.load])
def instance() -> rx.Component:
    return settings_page(
        "/settings/instance",
        form_error(InstanceState.error),
        rx.cond(
            InstanceState.is_instance_admin,
            stack(
                registration(),
                email_settings(),
                ai_settings(),
                storage_settings(),
                users_table(),
                platform_apps(),
                spacing="5",
            ),
        ),
    )
