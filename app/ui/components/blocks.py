"""Small widgets the pages repeat: layout (a wrapping toolbar, a centred row, a full-width stack,
a row's growing column), grey text, soft and ghost buttons, a dialog's buttons, a named form
input, an email input, a text area, a plain link, a dot, a post's excerpt and text box, a callout
notice, a badge on a corner; buttons with an icon, rows of controls, a dialog's frame, callouts
and messages shown while they are set, labelled fields; and the shared looks (lines, one-line
text, centring, a list row, a pinned corner)."""

from __future__ import annotations

from typing import Any

import reflex as rx

# A thin line between the rows of a list, and the edge of the shell's panels.
ROW_LINE = f"1px solid {rx.color('gray', 4)}"
EDGE = f"1px solid {rx.color('gray', 5)}"
# Text kept on one line, cut with "…" where it does not fit.
ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}
# A flex box that centres its content both ways (a badge, a round logo).
CENTRED = {"display": "inline-flex", "align_items": "center", "justify_content": "center"}
# One row of a list (a draft, an upcoming post, an approval): full width, a line under it.
LIST_ROW = {"width": "100%", "padding_y": "8px", "border_bottom": ROW_LINE}


def pin(**edges: str) -> dict[str, str]:
    """Props that place a box at `edges` (top, right, bottom, left) of its positioned parent:
    a badge on a corner, buttons over a thumbnail."""
    return {"position": "absolute", **edges}


def corner_badge(mark: Any, background: Any, padding: str, **edges: str) -> rx.Component:
    """A small round `mark` (an icon, a network's logo) on a corner (`edges`) of its parent."""
    return rx.box(
        mark,
        **pin(**edges),
        background=background,
        border_radius="999px",
        padding=padding,
        line_height="0",
    )


def bar(*children: Any, spacing: str = "3", align: str = "center", **props: Any) -> rx.Component:
    """A full-width line of controls that wraps on narrow screens (toolbars, filters)."""
    return rx.flex(*children, wrap="wrap", spacing=spacing, align=align, width="100%", **props)


def row(*children: Any, spacing: str = "2", **props: Any) -> rx.Component:
    """Items side by side, centred on one line (`props`: wrap, width, an id)."""
    return rx.hstack(*children, align="center", spacing=spacing, **props)


def stack(*children: Any, spacing: str = "3", **props: Any) -> rx.Component:
    """Blocks one under the other, full width."""
    return rx.vstack(*children, spacing=spacing, width="100%", **props)


def grid(*children: Any, columns: dict[str, str], spacing: str = "3", **props: Any) -> rx.Component:
    """A full-width grid with `columns` per breakpoint ({"initial": "1", "lg": "2"})."""
    return rx.grid(
        *children, columns=rx.breakpoints(**columns), spacing=spacing, width="100%", **props
    )


def muted(*children: Any, size: str = "1", **props: Any) -> rx.Component:
    """Grey secondary text (a hint, a date, a count)."""
    return rx.text(*children, size=size, color_scheme="gray", **props)


def ghost_icon(
    icon: str, label: Any, icon_size: int = 14, color: str | None = "gray", **props: Any
) -> rx.Component:
    """A borderless icon button named `label` for screen readers (`color` None: the accent)."""
    if color:
        props["color_scheme"] = color
    return rx.icon_button(rx.icon(icon, size=icon_size), variant="ghost", aria_label=label, **props)


def soft_button(*children: Any, color: str = "gray", **props: Any) -> rx.Component:
    """A soft button, grey unless `color` (Cancel, Close, a secondary action)."""
    return rx.button(*children, variant="soft", color_scheme=color, **props)


def ghost_button(*children: Any, color: str | None = "gray", **props: Any) -> rx.Component:
    """A borderless button, grey unless `color` (None: the accent)."""
    if color:
        props["color_scheme"] = color
    return rx.button(*children, variant="ghost", **props)


def dialog_buttons(*buttons: Any, spacing: str = "2", **props: Any) -> rx.Component:
    """A dialog's buttons, on the right."""
    return rx.hstack(*buttons, justify="end", spacing=spacing, **props)


def named_input(
    name: str, id: str, label: str, placeholder: str, width: str, max_length: int = 2000
) -> rx.Component:
    """A form's required input `name` with a placeholder instead of a visible label (`label`
    for screen readers)."""
    return rx.input(
        name=name,
        id=id,
        placeholder=placeholder,
        required=True,
        max_length=max_length,
        width=width,
        aria_label=label,
    )


def email_input(name: str, placeholder: str, id: str, **props: Any) -> rx.Component:
    """A form's email address input `name` (optional: `placeholder` says what empty means)."""
    return rx.input(name=name, placeholder=placeholder, type="email", id=id, **props)


def plain_link(*children: Any, href: Any, **props: Any) -> rx.Component:
    """A link around a row's content that fills the row and looks like text."""
    return rx.link(
        *children, href=href, underline="none", color="inherit", flex="1", min_width="0", **props
    )


def dot(color: Any, size: str = "8px", **props: Any) -> rx.Component:
    """A small round mark (unread, a status colour)."""
    return rx.box(
        width=size, min_width=size, height=size, border_radius="50%", background=color, **props
    )


def grow(*children: Any, spacing: str = "1", **props: Any) -> rx.Component:
    """A row's main column: it takes the room left and lets long text shrink."""
    return rx.vstack(*children, spacing=spacing, min_width="0", flex="1", **props)


def excerpt(content: Any) -> rx.Component:
    """The start of a post's text in a list (cut by the `post-excerpt` class)."""
    return rx.text(content, size="2", class_name="post-excerpt")


def text_area(id: Any, value: Any, on_change: Any, **props: Any) -> rx.Component:
    """A full-width text area `id` showing `value`, each change sent to `on_change`."""
    return rx.text_area(id=id, value=value, on_change=on_change, width="100%", **props)


def notice(
    when: Any,
    message: Any,
    *actions: Any,
    icon: str,
    color: str,
    id: str,
    spread: bool = False,
    **props: Any,
) -> rx.Component:
    """A callout (`id`) shown while `when`: `message` and its `actions` on one wrapping line
    (`spread`: at its two ends); `props` go to the callout (a margin, a role, a width)."""
    ends = {"justify": "between", "width": "100%"} if spread else {}
    return rx.cond(
        when,
        rx.callout(
            row(message, *actions, spacing="3", wrap="wrap", **ends),
            icon=icon,
            color_scheme=color,
            id=id,
            **props,
        ),
    )


def text_box(content: Any, max_height: str, **props: Any) -> rx.Component:
    """A post's whole text in a grey bordered box that scrolls past `max_height`."""
    return rx.box(
        rx.text(content, white_space="pre-wrap", size="2"),
        padding="12px",
        border_radius="var(--radius-3)",
        background=rx.color("gray", 2),
        border=EDGE,
        width="100%",
        max_height=max_height,
        overflow_y="auto",
        **props,
    )


def action_button(icon: str, *label: Any, **props: Any) -> rx.Component:
    """A button with a small icon before its `label`; `props` as for `rx.button`."""
    return rx.button(rx.icon(icon, size=14), *label, **props)


def soft_action(icon: str, *label: Any, **props: Any) -> rx.Component:
    """An `action_button` in the soft variant (the secondary actions of a form)."""
    return action_button(icon, *label, variant="soft", **props)


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


def close_button(label: str = "Cancel", **props: Any) -> rx.Component:
    """A grey `soft_button` that closes its dialog."""
    return rx.dialog.close(soft_button(label, **props))


def controlled_dialog(
    title: str, *body: Any, open: Any, on_open_change: Any = None, **content: Any
) -> rx.Component:
    """A dialog opened by state (`open`, `on_open_change`; without it, only the dialog's own
    buttons close it): its `title`, then `body`; `content` props (max_width, an id) go to its
    content."""
    closing = {} if on_open_change is None else {"on_open_change": on_open_change}
    return rx.dialog.root(
        rx.dialog.content(rx.dialog.title(title), *body, **content), open=open, **closing
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


def kind_filter(value: Any, on_change: Any, **props: Any) -> rx.Component:
    """All / Images / Videos: the media library's filter by kind."""
    return rx.segmented_control.root(
        rx.segmented_control.item("All", value="all"),
        rx.segmented_control.item("Images", value="image"),
        rx.segmented_control.item("Videos", value="video"),
        value=value,
        on_change=on_change,
        **props,
    )
