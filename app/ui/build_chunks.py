"""Fewer, larger JavaScript chunks in the production build (a Reflex plugin, see rxconfig.py).

Vite splits every lucide icon the pages share into its own chunk, and Radix Themes into a
chunk per component: a cold page load fetched about 60 files, most of a few hundred bytes,
before the app could start. The plugin edits the `vite.config.js` Reflex writes (its
`pre_compile` hook, the documented way plugins change the build) so the icons ship as one
chunk and Radix as another. The edit is checked: when a Reflex upgrade changes the generated
config the build stops with a clear error instead of silently falling back to small chunks.
"""

from __future__ import annotations

from typing import Any

from reflex_base.constants import ReactRouter
from reflex_base.plugins.base import Plugin

# Reflex's own group (the backend URLs' chunk, rewritten by app/frontend.py) stays first.
ANCHOR = 'name: "reflex-env",\n            },'
GROUPS = """
            {
              // Every lucide icon in one chunk instead of one chunk each.
              test: /node_modules[\\\\/]lucide-react[\\\\/]/,
              name: "icons",
            },
            {
              // Radix Themes' components (a dozen small chunks otherwise): all pages use them.
              test: /node_modules[\\\\/]@radix-ui[\\\\/]/,
              name: "radix",
            },"""


def group_icons(config_js: str) -> str:
    """`vite.config.js` with the icons' chunk group added after Reflex's own group."""
    if 'name: "icons"' in config_js:
        return config_js
    if config_js.count(ANCHOR) != 1:
        raise RuntimeError(
            "app/ui/build_chunks.py: Reflex's vite.config.js no longer has the expected "
            "codeSplitting group; update ANCHOR for this Reflex version"
        )
    return config_js.replace(ANCHOR, ANCHOR + GROUPS)


class ChunksPlugin(Plugin):
    """Adds Herald's chunk groups to the generated Vite config."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](ReactRouter.VITE_CONFIG_FILE, group_icons)
