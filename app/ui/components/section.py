"""Building blocks shared by the pages: a titled section card, settings blocks and cards, list
rows' two lines, empty and loading states, a filter select, a table, and the hidden clock that
polls a page while it is open."""

from __future__ import annotations

from typing import Any

import reflex as rx


def section_card(
    title: str, icon: str, body: rx.Component, section_id: str, extra: Any = None
) -> rx.Component:
    """A card with an icon and a heading (and `extra` on the right: a link, a hint)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, color=rx.color("accent", 10)),
                rx.heading(title, size="4", as_="h2"),
                rx.spacer(),
                *([extra] if extra is not None else []),
                align="center",
                width="100%",
            ),
            body,
            spacing="3",
            width="100%",
        ),
        id=section_id,
        width="100%",
    )


def heading_row(title: Any, *extra: Any, **props: Any) -> rx.Component:
    """A settings card's heading with `extra` (badges, a spacer and a button) on its line."""
    return rx.hstack(rx.heading(title, size="4"), *extra, align="center", **props)


def on_off(on: Any, off: str) -> rx.Component:
    """A setting's state beside its heading: a green "on", or `off` saying what is missing."""
    return rx.cond(on, rx.badge("on", color_scheme="grass"), rx.badge(off, color_scheme="gray"))


def on_off_heading(title: str, values: Any, off: str, *extra: Any, **props: Any) -> rx.Component:
    """The heading of an instance setting's card: `title`, whether its `values` are
    configured (`on_off`), then `extra` (more badges)."""
    configured = on_off(values["configured"] == "yes", off)
    return heading_row(title, configured, *extra, spacing="2", **props)


def settings_block(title: Any, *body: Any, about: str = "", spacing: str = "3") -> rx.Component:
    """A block of a settings page: `title` (a heading's text, or a component such as a
    `heading_row`), the `about` line under it, then `body`."""
    head = title if isinstance(title, rx.Component) else rx.heading(title, size="4")
    intro = [rx.text(about, size="2", color_scheme="gray")] if about else []
    return rx.vstack(head, *intro, *body, spacing=spacing, width="100%")


def settings_card(
    title: Any, *body: Any, about: str = "", spacing: str = "3", **card: Any
) -> rx.Component:
    """A `settings_block` in a card (`card` props: its id)."""
    block = settings_block(title, *body, about=about, spacing=spacing)
    return rx.card(block, width="100%", **card)


def empty_card(
    icon: str, *body: Any, id: str, icon_size: int = 32, shade: int = 8, **stack: Any
) -> rx.Component:
    """A card (`id`) saying there is nothing here (yet): a grey icon over `body` (the way
    forward); `stack` props (padding, spacing) go to its centred stack."""
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=icon_size, color=rx.color("gray", shade)),
            *body,
            align="center",
            **stack,
        ),
        width="100%",
        id=id,
    )


def title_meta(title: Any, *meta: Any, **props: Any) -> rx.Component:
    """A list row's two lines: its title (text, medium weight unless `props` say otherwise; or a
    component) over a small grey line made of `meta`. `props` go to the title's text."""
    head = (
        title
        if isinstance(title, rx.Component)
        else rx.text(title, **{"weight": "medium", **props})
    )
    return rx.vstack(head, rx.text(*meta, size="1", color_scheme="gray"), spacing="0")


def skeleton_rows(n: int = 3, height: str = "44px", class_name: str = "") -> rx.Component:
    return rx.vstack(
        *[rx.skeleton(rx.box(height=height, width="100%")) for _ in range(n)],
        spacing="3",
        width="100%",
        class_name=class_name,
    )


def empty_note(icon: str, text: str, *action: rx.Component) -> rx.Component:
    """What an empty list says, with an optional way forward."""
    return rx.vstack(
        rx.icon(icon, size=28, color=rx.color("gray", 8)),
        rx.text(text, color_scheme="gray", size="2", align="center"),
        *action,
        align="center",
        spacing="2",
        padding_y="16px",
        width="100%",
    )


def filter_select(
    trigger_id: str,
    value: rx.Var,
    on_change: Any,
    all_label: str,
    options: Any,
    label_key: str = "label",
    **trigger: Any,
) -> rx.Component:
    """A select of `options` ({"id", label_key}) with "all" first, labelled `all_label`."""
    return rx.select.root(
        rx.select.trigger(id=trigger_id, placeholder=all_label, **trigger),
        rx.select.content(
            rx.select.item(all_label, value="all"),
            rx.foreach(options, lambda o: rx.select.item(o[label_key], value=o["id"])),
        ),
        value=value,
        on_change=on_change,
        size="2",
    )


def data_table(
    headers: tuple[str, ...], items: Any, render: Any, table_id: str = "", scroll: bool = True,
    **props: Any,
) -> rx.Component:  # fmt: skip
    """A table of `items` (one `render(item)` row each) under `headers`; it scrolls sideways on
    narrow screens unless `scroll=False`."""
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(items, render)),
        width="100%",
        **({"id": table_id} if table_id else {}),
        **props,
    )
    return rx.box(table, width="100%", overflow_x="auto") if scroll else table
