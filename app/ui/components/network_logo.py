"""A network's logo: the brand glyph (assets/networks/<platform>.svg, Simple Icons, CC0; see
assets/networks/NOTICE.md) in white on a round badge of the network's colour (`Look.color`).

The glyph is a CSS mask, so one monochrome SVG serves any colour and both themes; the badge
colours are the providers' own (mid-tone, readable on light and dark backgrounds). Every place
that names a network by its badge uses this one component.
"""

from __future__ import annotations

import reflex as rx

from app.providers.registry import all_providers
from app.ui.components.blocks import CENTRED

COLORS = {p.id: p.look.color for p in all_providers()}
NAMES = {p.id: p.display_name for p in all_providers()}
FALLBACK = "#64748b"
# A glyph drawn by its mask image, whole and centred (here and on the calendar's events).
GLYPH_MASK = {"mask_size": "contain", "mask_repeat": "no-repeat", "mask_position": "center"}


def logo_url(platform: str) -> str:
    return f"/networks/{platform}.svg"


def network_logo(platform: rx.Var | str, size: str = "18px") -> rx.Component:
    """The round logo badge of `platform` (a network id, or a Var holding one)."""
    if isinstance(platform, str):
        background: object = COLORS.get(platform, FALLBACK)
        label: object = NAMES.get(platform, platform)
        mask: object = f"url({logo_url(platform)})"
    else:
        background = rx.match(platform, *COLORS.items(), FALLBACK)
        label = rx.match(platform, *NAMES.items(), platform)
        mask = "url(/networks/" + platform.to(str) + ".svg)"
    glyph = rx.box(
        width="62%",
        height="62%",
        background_color="white",
        mask_image=mask,
        **GLYPH_MASK,
        style={"WebkitMaskImage": mask, "WebkitMaskSize": "contain"},
    )
    return rx.box(
        glyph,
        background=background,
        width=size,
        height=size,
        min_width=size,
        border_radius="999px",
        role="img",
        aria_label=label,
        title=label,
        class_name="network-logo",
        custom_attrs={"data-platform": platform},
        **CENTRED,
    )
