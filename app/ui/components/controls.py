"""Small controls of the editing views (the composer, approvals, comments): buttons with an
icon, rows of controls, a dialog's frame and footer, callouts, labelled fields, grey notes and
messages shown while they are set."""

from __future__ import annotations

from typing import Any

import reflex as rx


def action_button(icon: str, *label: Any, **props: Any) -> rx.Component:
    """A button with a small icon before its `label`; `props` as for `rx.button`."""
    return rx.button(rx.icon(icon, size=14), *label, **props)


def soft_action(icon: str, *label: Any, **props: Any) -> rx.Component:
    """An `action_button` in the soft variant (the secondary actions of a form)."""
    return action_button(icon, *label, variant="soft", **props)


def dismiss_button(label: Any, **props: Any) -> rx.Component:
    """The grey soft button that backs out of something (Cancel, Close, Keep waiting)."""
    return rx.button(label, variant="soft", color_scheme="gray", **props)


def small_icon_button(
    icon: str, label: Any, on_click: Any, variant: str = "soft", color_scheme: Any = "gray",
    **props: Any,
) -> rx.Component:  # fmt: skip
    """A size-1 icon button named `label` (for screen readers), with a 12px icon."""
    return rx.icon_button(
        rx.icon(icon, size=12),
        size="1",
        variant=variant,
        color_scheme=color_scheme,
        on_click=on_click,
        aria_label=label,
        **props,
    )


def item_list(
    items: Any, render: Any, *, layout: Any = rx.vstack, empty: Any = None, **props: Any
) -> rx.Component:
    """`render` of each of `items`, laid out by `layout` (a stack, `wrap_row`, a grid) with
    `props`; while there are none, `empty` (what the list says then) or nothing."""
    body = layout(rx.foreach(items, render), **props)
    if empty is None:
        return rx.cond(items.length() > 0, body)
    return rx.cond(items.length() > 0, body, empty)


def toolbar(*children: Any, **props: Any) -> rx.Component:
    """A full-width row of vertically centred items (a heading, a spacer and its buttons)."""
    return rx.hstack(*children, width="100%", align="center", **props)


def wrap_row(*children: Any, **props: Any) -> rx.Component:
    """Items side by side that wrap onto more lines when they do not fit (chips, badges,
    buttons)."""
    return rx.flex(*children, spacing="2", wrap="wrap", **props)


def button_row(*buttons: Any, **props: Any) -> rx.Component:
    """A row of buttons (and the text they answer), centred and wrapping."""
    return wrap_row(*buttons, align="center", **props)


def dialog_footer(*buttons: Any, **props: Any) -> rx.Component:
    """A dialog's buttons on the right, the one that backs out first."""
    return rx.flex(*buttons, justify="end", spacing="2", **props)


def close_button(label: str = "Cancel", **props: Any) -> rx.Component:
    """A `dismiss_button` that closes its dialog."""
    return rx.dialog.close(dismiss_button(label, **props))


def controlled_dialog(
    title: str, *body: Any, open: Any, on_open_change: Any, **content: Any
) -> rx.Component:
    """A dialog opened by state (`open`, `on_open_change`): its `title`, then `body`;
    `content` props (max_width, an id) go to its content."""
    return rx.dialog.root(
        rx.dialog.content(rx.dialog.title(title), *body, **content),
        open=open,
        on_open_change=on_open_change,
    )


def panel_callout(icon: str, *body: Any, color: Any, **props: Any) -> rx.Component:
    """A full-width callout with its `icon` and any `body` (text, buttons, a form)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon, size=16)),
        *body,
        color_scheme=color,
        width="100%",
        **props,
    )


def shown_callout(message: rx.Var, icon: str, color: str, **props: Any) -> rx.Component:
    """A full-width callout saying `message`, shown while it is not empty."""
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme=color, width="100%", **props),
    )


def error_text(message: rx.Var, size: str = "2", **props: Any) -> rx.Component:
    """`message` in red, shown while it is not empty (a field's or a form's error)."""
    return rx.cond(message != "", rx.text(message, color_scheme="red", size=size, **props))


def muted(*children: Any, size: str = "1", **props: Any) -> rx.Component:
    """A grey line of text: a hint, a note, what a list says when it is empty."""
    return rx.text(*children, size=size, color_scheme="gray", **props)


def field_label(label: Any, html_for: Any = None) -> rx.Component:
    """A field's name in medium weight: the <label> of the control `html_for` when given."""
    tag = {"as_": "label", "html_for": html_for} if html_for is not None else {}
    return rx.text(label, size="2", weight="medium", **tag)


def labelled(label: Any, *controls: Any, html_for: Any = None, **props: Any) -> rx.Component:
    """A field: its `field_label` over its `controls`."""
    return rx.vstack(field_label(label, html_for), *controls, spacing="1", **props)


def inline_label(*children: Any) -> rx.Component:
    """A <label> around a control and its text side by side (a switch, a checkbox)."""
    return rx.el.label(rx.hstack(*children, align="center", spacing="2"))


def icon_title(icon: str, *title: Any) -> rx.Component:
    """A small heading line: a grey icon before `title` (a heading, a text, a count)."""
    return rx.hstack(
        rx.icon(icon, size=16, color=rx.color("gray", 10)), *title, align="center", spacing="2"
    )
