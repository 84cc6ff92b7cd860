"""/composer: write a post once, tune it per network, preview it, schedule or publish it.

`/composer?post=<id>` edits a post; `/composer?at=<ISO datetime>` starts one at that time.
"""

from __future__ import annotations

import reflex as rx

from app.ui.components.counter import count_note, count_of, counter_script, is_strict
from app.ui.components.layout import protected_page
from app.ui.components.preview import platform_mark, post_preview
from app.ui.components.uploader import KEY_CLICK, upload_zone
from app.ui.state.composer import (
    TEXT,
    UPLOAD_ID,
    AccountRow,
    Choice,
    ComposerState,
    MediaRef,
    OptionField,
    Tab,
    TabAccount,
)

STATUS_COLORS = {
    "draft": "gray",
    "scheduled": "blue",
    "publishing": "amber",
    "published": "green",
    "partially_published": "yellow",
    "failed": "red",
    "cancelled": "gray",
}
POLL_MS = 4000


def _section(title: str, icon: str, *children, **props) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=16, color=rx.color("gray", 10)),
                rx.heading(title, size="3"),
                align="center",
                spacing="2",
            ),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        **props,
    )


# --------------------------------------------------------------------------- accounts


def _account_chip(a: AccountRow) -> rx.Component:
    chip = rx.button(
        rx.box(
            rx.avatar(src=a.avatar, fallback=a.name.to(str)[:2], size="2", radius="full"),
            rx.box(
                platform_mark(a.platform, "15px"),
                position="absolute",
                bottom="-3px",
                right="-3px",
                background="var(--color-panel-solid)",
                border_radius="999px",
                padding="1px",
                line_height="0",
            ),
            position="relative",
            line_height="0",
        ),
        rx.vstack(
            rx.text(a.name, size="2", weight="medium", trim="both"),
            rx.text(a.platform_name, size="1", color_scheme="gray", trim="both"),
            spacing="1",
            align="start",
        ),
        rx.cond(a.selected, rx.icon("check", size=14)),
        variant=rx.cond(a.selected, "soft", "outline"),
        color_scheme=rx.cond(a.selected, "accent", "gray"),
        size="3",
        on_click=ComposerState.toggle_account(a.id),
        disabled=a.disabled & ~a.selected,
        aria_pressed=rx.cond(a.selected, "true", "false"),
        id="account-" + a.id,
        class_name="account-chip",
        data_platform=a.platform,
        data_selected=rx.cond(a.selected, "yes", ""),
        style={"height": "auto", "padding": "6px 10px", "justify_content": "start"},
    )
    return rx.cond(
        a.hint != "",
        rx.tooltip(rx.box(chip, class_name="account-hint-wrap"), content=a.hint),
        chip,
    )


def _accounts() -> rx.Component:
    return _section(
        "Publish to",
        "users",
        rx.cond(
            ComposerState.account_rows.length() > 0,
            rx.flex(
                rx.foreach(ComposerState.account_rows, _account_chip),
                spacing="2",
                wrap="wrap",
                id="account-picker",
            ),
            rx.hstack(
                rx.text("No accounts connected yet.", color_scheme="gray", size="2"),
                rx.link("Connect one", href="/accounts", size="2"),
                spacing="2",
            ),
        ),
        rx.foreach(
            ComposerState.account_rows,
            lambda a: rx.cond(
                a.disabled,
                rx.text(
                    a.platform_name,
                    " · ",
                    a.name,
                    ": ",
                    a.hint,
                    size="1",
                    color_scheme="gray",
                    class_name="account-disabled-hint",
                ),  # fmt: skip
            ),
        ),
    )


# --------------------------------------------------------------------------- text


def _counter(tab: Tab) -> rx.Component:
    n = count_of(tab.platform, TEXT.value, tab.url_length)
    over = n > tab.max_length
    return rx.badge(
        platform_mark(tab.platform, "14px"),
        rx.el.span(n.to_string(), class_name="count"),
        rx.el.span(" / ", tab.max_length.to_string()),
        # Where the network documents no counting rule Herald counts strictly, and says so.
        rx.cond(is_strict(tab.platform), rx.el.span("*", class_name="count-strict")),
        color_scheme=rx.cond(over, "red", rx.cond(n > tab.max_length * 0.9, "amber", "gray")),
        variant="soft",
        size="2",
        id="counter-" + tab.platform,
        class_name="platform-counter",
        data_over=rx.cond(over, "yes", ""),
        title=tab.platform_name + ": " + count_note(tab.platform),
    )


TEXTAREA_STYLE = {
    "width": "100%",
    "min_height": "180px",
    "resize": "vertical",
    "padding": "12px",
    "font_size": "15px",
    "line_height": "1.5",
    "font_family": "inherit",
    "color": "var(--gray-12)",
    "background": "var(--color-surface)",
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-3)",
    "outline": "none",
    "&:focus": {"border_color": "var(--accent-8)", "box_shadow": "0 0 0 1px var(--accent-8)"},
    "&::placeholder": {"color": "var(--gray-a10)"},
}


def _media_tile(m: MediaRef) -> rx.Component:
    return rx.box(
        rx.cond(
            m.kind == "video",
            rx.el.video(src=m.url, preload="metadata", muted=True, class_name="thumb"),
            rx.image(src=m.url, alt=m.filename, class_name="thumb"),
        ),
        rx.hstack(
            rx.icon_button(
                rx.icon("chevron-left", size=12),
                size="1",
                variant="solid",
                color_scheme="gray",
                on_click=ComposerState.move_media(m.id, -1),
                aria_label="Move earlier",
            ),
            rx.icon_button(
                rx.icon("chevron-right", size=12),
                size="1",
                variant="solid",
                color_scheme="gray",
                on_click=ComposerState.move_media(m.id, 1),
                aria_label="Move later",
            ),
            rx.icon_button(
                rx.icon("x", size=12),
                size="1",
                variant="solid",
                color_scheme="red",
                on_click=ComposerState.remove_media(m.id),
                aria_label="Remove " + m.filename,
                class_name="remove-media",
            ),
            position="absolute",
            top="4px",
            right="4px",
            spacing="1",
        ),
        position="relative",
        width="96px",
        height="96px",
        border_radius="var(--radius-3)",
        overflow="hidden",
        background=rx.color("gray", 3),
        class_name="attached-media",
        data_media_id=m.id,
        title=m.filename + " · " + m.detail,
        style={"& .thumb": {"width": "100%", "height": "100%", "object_fit": "cover"}},
    )


def _editor() -> rx.Component:
    return _section(
        "Post",
        "pencil-line",
        rx.el.label("Text", html_for="composer-text", class_name="rt-sr-only", hidden=True),
        rx.el.textarea(
            id="composer-text",
            value=TEXT.value,
            on_change=[TEXT.set_value, ComposerState.set_text.debounce(250)],
            placeholder="What do you want to share?",
            aria_label="Post text",
            disabled=~ComposerState.can_edit,
            style=TEXTAREA_STYLE,
        ),
        rx.hstack(
            rx.flex(
                rx.foreach(ComposerState.tabs, _counter),
                spacing="2",
                wrap="wrap",
                id="counters",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("sparkles", size=14),
                "Generate with AI",
                variant="soft",
                color_scheme="violet",
                size="2",
                on_click=ComposerState.open_ai,
                id="open-ai",
                disabled=~ComposerState.can_edit,
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            ComposerState.tabs.length() == 0,
            rx.text(
                "Choose accounts above to see each network's character count.",
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.divider(),
        rx.hstack(
            rx.text("Media", weight="medium", size="2"),
            rx.spacer(),
            rx.button(
                rx.icon("images", size=14),
                "From library",
                variant="soft",
                size="1",
                on_click=ComposerState.open_library,
                id="open-library",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            ComposerState.media_items.length() > 0,
            rx.flex(
                rx.foreach(ComposerState.media_items, _media_tile),
                spacing="2",
                wrap="wrap",
                id="attached-media",
            ),
        ),
        upload_zone(ComposerState, UPLOAD_ID, compact=True),
    )


# --------------------------------------------------------------------------- per network


def _choice(c: Choice) -> rx.Component:
    return rx.select.item(c.label, value=c.value)


def _field(f: OptionField) -> rx.Component:
    field_id = "opt-" + f.platform + "-" + f.name
    label = rx.text(f.label, as_="label", html_for=field_id, size="2", weight="medium")
    help_text = rx.cond(f.help != "", rx.text(f.help, size="1", color_scheme="gray"))
    return rx.match(
        f.kind,
        (
            "bool",
            rx.el.label(
                rx.hstack(
                    rx.switch(
                        checked=f.checked,
                        on_change=lambda v: ComposerState.set_option(f.platform, f.name, v),
                        id=field_id,
                    ),
                    rx.text(f.label, size="2"),
                    align="center",
                    spacing="2",
                )
            ),
        ),
        (
            "select",
            rx.vstack(
                label,
                rx.cond(
                    f.choices.length() > 0,
                    rx.select.root(
                        rx.select.trigger(id=field_id, width="100%", placeholder="Choose…"),
                        rx.select.content(rx.foreach(f.choices, _choice)),
                        value=f.value,
                        on_change=lambda v: ComposerState.set_option(f.platform, f.name, v),
                    ),
                    rx.text("Nothing to choose from yet.", size="1", color_scheme="gray"),
                ),
                help_text,
                spacing="1",
                width="100%",
            ),
        ),
        (
            "textarea",
            rx.vstack(
                label,
                rx.text_area(
                    id=field_id,
                    value=f.value,
                    on_change=lambda v: ComposerState.set_option(f.platform, f.name, v),
                    rows="2",
                    width="100%",
                ),
                help_text,
                spacing="1",
                width="100%",
            ),
        ),
        rx.vstack(
            label,
            rx.input(
                id=field_id,
                value=f.value,
                on_change=lambda v: ComposerState.set_option(f.platform, f.name, v),
                width="100%",
            ),
            help_text,
            spacing="1",
            width="100%",
        ),
    )


def _tab_account(a: TabAccount) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.avatar(src=a.avatar, fallback=a.name.to(str)[:2], size="1", radius="full"),
            rx.text(a.name, size="2", weight="medium"),
            rx.spacer(),
            rx.el.label(
                rx.hstack(
                    rx.text("Custom text", size="1", color_scheme="gray"),
                    rx.switch(
                        checked=a.customized,
                        on_change=lambda v: ComposerState.toggle_custom(a.id, v),
                        size="1",
                        id="custom-" + a.id,
                    ),
                    align="center",
                    spacing="2",
                )
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            a.customized,
            rx.text_area(
                value=a.override,
                on_change=lambda v: ComposerState.set_override(a.id, v),
                rows="4",
                width="100%",
                id="override-" + a.id,
                placeholder="Text for this account only",
            ),
        ),
        rx.foreach(
            a.problems,
            lambda p: rx.callout(
                p,
                icon="circle-alert",
                color_scheme="red",
                size="1",
                class_name="destination-problem",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        padding="10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-3)",
        class_name="tab-account",
        data_account_id=a.id,
    )


def _tab_trigger(t: Tab) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            platform_mark(t.platform, "16px"),
            rx.text(t.platform_name),
            rx.cond(
                t.problem_count > 0,
                rx.badge(
                    t.problem_count, color_scheme="red", variant="solid", radius="full", size="1"
                ),
            ),
            align="center",
            spacing="2",
        ),
        value=t.platform,
        id="tab-" + t.platform,
        data_problems=t.problem_count,
    )


def _tab_content(t: Tab) -> rx.Component:
    return rx.tabs.content(
        rx.vstack(
            rx.cond(
                t.problem_count > 0,
                rx.callout(
                    rx.text(
                        t.platform_name, " will not accept this post yet: see below.", size="2"
                    ),
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                ),
            ),
            rx.cond(
                t.message != "",
                rx.callout(t.message, icon="info", color_scheme="amber", size="1", width="100%"),
            ),
            rx.foreach(t.accounts, _tab_account),
            rx.cond(
                t.fields.length() > 0,
                rx.grid(
                    rx.foreach(t.fields, _field),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
            padding_top="12px",
            id="panel-" + t.platform,
            class_name="network-panel",
        ),
        value=t.platform,
    )


def _networks() -> rx.Component:
    return rx.cond(
        ComposerState.tabs.length() > 0,
        _section(
            "Per network",
            "sliders-horizontal",
            rx.tabs.root(
                rx.tabs.list(rx.foreach(ComposerState.tabs, _tab_trigger), wrap="wrap"),
                rx.foreach(ComposerState.tabs, _tab_content),
                value=ComposerState.active_tab,
                on_change=ComposerState.set_tab,
                width="100%",
            ),
            rx.cond(
                ComposerState.active_tab == "all",
                rx.text(
                    "Pick a network to change its options or write a different text for one "
                    "account.",
                    size="1",
                    color_scheme="gray",
                ),
            ),
        ),
    )


# --------------------------------------------------------------------------- when + actions


def _when() -> rx.Component:
    return _section(
        "When",
        "calendar-clock",
        rx.flex(
            rx.vstack(
                rx.text("Date", as_="label", html_for="post-date", size="2", weight="medium"),
                rx.input(
                    type="date",
                    id="post-date",
                    value=ComposerState.date,
                    on_change=ComposerState.set_date,
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text("Time", as_="label", html_for="post-time", size="2", weight="medium"),
                rx.input(
                    type="time",
                    id="post-time",
                    value=ComposerState.time,
                    on_change=ComposerState.set_time,
                ),
                spacing="1",
            ),
            rx.button(
                rx.icon("calendar-check", size=14),
                "Next free slot",
                variant="soft",
                on_click=ComposerState.next_free_slot,
                disabled=ComposerState.selected.length() == 0,
                id="next-slot",
            ),
            rx.vstack(
                rx.text("Time zone", size="2", weight="medium"),
                rx.badge(
                    rx.icon("globe", size=12),
                    ComposerState.timezone_label,
                    variant="surface",
                    size="2",
                    id="post-timezone",
                ),
                spacing="1",
            ),
            spacing="4",
            wrap="wrap",
            align="end",
        ),
        rx.cond(
            ComposerState.time_error != "",
            rx.text(ComposerState.time_error, color_scheme="red", size="2", id="time-error"),
        ),
        rx.cond(
            ComposerState.form_error != "",
            rx.callout(
                ComposerState.form_error,
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
                id="form-error",
                width="100%",
            ),
        ),
        rx.flex(
            rx.button(
                rx.icon("save", size=14),
                "Save draft",
                variant="soft",
                color_scheme="gray",
                on_click=ComposerState.submit("draft", TEXT.value),
                loading=ComposerState.busy == "draft",
                disabled=~ComposerState.can_edit,
                id="save-draft",
            ),
            rx.button(
                rx.icon("send", size=14),
                "Publish now",
                variant="soft",
                on_click=ComposerState.submit("now", TEXT.value),
                loading=ComposerState.busy == "now",
                disabled=~ComposerState.can_edit,
                id="publish-now",
            ),
            rx.button(
                rx.icon("calendar-check", size=14),
                "Schedule",
                on_click=ComposerState.submit("schedule", TEXT.value),
                loading=ComposerState.busy == "schedule",
                disabled=~ComposerState.can_edit,
                id="schedule",
            ),
            spacing="2",
            wrap="wrap",
            justify="end",
            width="100%",
        ),
    )


# --------------------------------------------------------------------------- dialogs


def _library_item(m: MediaRef) -> rx.Component:
    picked = ComposerState.media_ids.contains(m.id)
    return rx.box(
        rx.cond(
            m.kind == "video",
            rx.el.video(src=m.url, preload="metadata", muted=True, class_name="thumb"),
            rx.image(src=m.url, alt=m.filename, class_name="thumb", loading="lazy"),
        ),
        rx.cond(
            picked,
            rx.box(
                rx.icon("check", size=14, color="white"),
                position="absolute",
                top="6px",
                right="6px",
                background=rx.color("accent", 9),
                border_radius="999px",
                padding="3px",
                line_height="0",
            ),
        ),
        rx.text(m.filename, size="1", trim="both", class_name="name"),
        role="button",
        tab_index=0,
        aria_pressed=rx.cond(picked, "true", "false"),
        on_click=ComposerState.pick_media(m.id),
        custom_attrs=KEY_CLICK,
        position="relative",
        cursor="pointer",
        border=rx.cond(
            picked, f"2px solid {rx.color('accent', 9)}", f"2px solid {rx.color('gray', 4)}"
        ),
        border_radius="var(--radius-3)",
        overflow="hidden",
        class_name="library-item",
        data_media_id=m.id,
        style={
            "& .thumb": {"width": "100%", "height": "110px", "object_fit": "cover",
                         "display": "block", "background": "var(--gray-3)"},
            "& .name": {"padding": "4px 6px", "display": "block", "white_space": "nowrap",
                        "overflow": "hidden", "text_overflow": "ellipsis"},
        },
    )  # fmt: skip


def _library_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Media library"),
            rx.dialog.description("Pick files to attach; pick again to remove.", size="2"),
            rx.hstack(
                rx.segmented_control.root(
                    rx.segmented_control.item("All", value="all"),
                    rx.segmented_control.item("Images", value="image"),
                    rx.segmented_control.item("Videos", value="video"),
                    value=ComposerState.library_kind,
                    on_change=ComposerState.set_library_kind,
                    size="1",
                ),
                rx.spacer(),
                rx.link("Manage library", href="/media", size="2"),
                width="100%",
                align="center",
                margin_y="12px",
            ),
            rx.cond(
                ComposerState.library_loading,
                rx.center(rx.spinner(), padding="32px"),
                rx.cond(
                    ComposerState.library.length() > 0,
                    rx.grid(
                        rx.foreach(ComposerState.library, _library_item),
                        columns=rx.breakpoints(initial="2", sm="4"),
                        spacing="2",
                        max_height="50vh",
                        overflow_y="auto",
                        id="library-grid",
                    ),
                    rx.center(
                        rx.text("No media yet: upload some below.", color_scheme="gray"),
                        padding="24px",
                    ),
                ),
            ),
            rx.box(upload_zone(ComposerState, "library-upload", compact=True), margin_top="12px"),
            rx.flex(
                rx.dialog.close(rx.button("Done", id="library-done")),
                justify="end",
                margin_top="12px",
            ),
            max_width="760px",
        ),
        open=ComposerState.library_open,
        on_open_change=ComposerState.set_library_open,
    )


def _ai_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Generate with AI"),
            rx.dialog.description(
                "Describe the post; edit the caption before inserting it.", size="2"
            ),
            rx.vstack(
                rx.text("Topic", as_="label", html_for="ai-topic", size="2", weight="medium"),
                rx.text_area(
                    id="ai-topic",
                    value=ComposerState.ai_topic,
                    on_change=ComposerState.set_ai_topic,
                    placeholder="e.g. Our spring sale starts Monday, 20% off everything",
                    rows="2",
                    width="100%",
                ),
                rx.flex(
                    rx.vstack(
                        rx.text("Tone", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(id="ai-tone", width="100%"),
                            rx.select.content(
                                rx.foreach(
                                    ComposerState.tone_options,
                                    lambda t: rx.select.item(t.capitalize(), value=t),
                                )
                            ),
                            value=ComposerState.ai_tone,
                            on_change=ComposerState.set_ai_tone,
                        ),
                        spacing="1",
                        flex="1",
                    ),
                    rx.vstack(
                        rx.text("Platform", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(id="ai-platform", width="100%"),
                            rx.select.content(
                                rx.foreach(ComposerState.ai_platform_options, _choice)
                            ),
                            value=ComposerState.ai_platform,
                            on_change=ComposerState.set_ai_platform,
                        ),
                        spacing="1",
                        flex="1",
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.button(
                    rx.icon("sparkles", size=14),
                    "Generate",
                    on_click=ComposerState.generate,
                    loading=ComposerState.ai_busy,
                    color_scheme="violet",
                    id="ai-generate",
                ),
                rx.cond(
                    ComposerState.ai_error != "",
                    rx.callout(
                        ComposerState.ai_error,
                        icon="circle-alert",
                        color_scheme="red",
                        id="ai-error",
                        width="100%",
                    ),
                ),
                rx.cond(
                    (ComposerState.ai_caption != "") | (ComposerState.ai_hashtags != ""),
                    rx.vstack(
                        rx.text(
                            "Caption", as_="label", html_for="ai-caption", size="2", weight="medium"
                        ),
                        rx.text_area(
                            id="ai-caption",
                            value=ComposerState.ai_caption,
                            on_change=ComposerState.set_ai_caption,
                            rows="4",
                            width="100%",
                        ),
                        rx.text(
                            "Hashtags",
                            as_="label",
                            html_for="ai-hashtags",
                            size="2",
                            weight="medium",
                        ),
                        rx.input(
                            id="ai-hashtags",
                            value=ComposerState.ai_hashtags,
                            on_change=ComposerState.set_ai_hashtags,
                            width="100%",
                        ),
                        rx.text(ComposerState.ai_note, size="1", color_scheme="gray"),
                        spacing="2",
                        width="100%",
                    ),
                ),  # fmt: skip
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            rx.flex(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                rx.button(
                    "Insert into post",
                    on_click=ComposerState.insert_ai,
                    disabled=(ComposerState.ai_caption == "") & (ComposerState.ai_hashtags == ""),
                    id="ai-insert",
                ),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
            max_width="560px",
        ),
        open=ComposerState.ai_open,
        on_open_change=ComposerState.set_ai_open,
    )


# --------------------------------------------------------------------------- page


def _header() -> rx.Component:
    return rx.hstack(
        rx.text(ComposerState.page_heading, size="3", color_scheme="gray", id="composer-mode"),
        rx.cond(
            ComposerState.post_status != "",
            rx.badge(
                ComposerState.post_status,
                color_scheme=rx.match(ComposerState.post_status, *STATUS_COLORS.items(), "gray"),
                id="post-status",
            ),
        ),
        rx.cond(
            ComposerState.post_id != "",
            rx.moment(interval=POLL_MS, on_change=ComposerState.refresh_status, display="none"),
        ),
        rx.cond(
            (ComposerState.post_status == "published")
            | (ComposerState.post_status == "publishing"),
            rx.text(
                "This post is out (or going out) and can no longer be edited.",
                size="2",
                color_scheme="gray",
            ),
        ),
        align="center",
        spacing="2",
        margin_top="-8px",
    )


@protected_page("/composer", "Composer", on_load=[ComposerState.load])
def composer() -> rx.Component:
    return rx.vstack(
        counter_script(),
        _header(),
        rx.cond(
            ComposerState.loading,
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
            rx.grid(
                rx.vstack(
                    _accounts(),
                    _editor(),
                    _networks(),
                    _when(),
                    spacing="4",
                    width="100%",
                    min_width="0",
                ),
                rx.vstack(
                    rx.hstack(
                        rx.icon("eye", size=16, color=rx.color("gray", 10)),
                        rx.heading("Preview", size="3"),
                        align="center",
                        spacing="2",
                    ),
                    rx.cond(
                        ComposerState.previews.length() > 0,
                        rx.vstack(
                            rx.foreach(ComposerState.previews, post_preview),
                            spacing="3",
                            width="100%",
                            id="previews",
                        ),
                        rx.card(
                            rx.text(
                                "Choose accounts to see how the post will look on each network.",
                                size="2",
                                color_scheme="gray",
                            ),
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                    min_width="0",
                    position=rx.breakpoints(initial="static", md="sticky"),
                    top="16px",
                ),
                columns=rx.breakpoints(initial="1", md="minmax(0, 3fr) minmax(0, 2fr)"),
                spacing="5",
                width="100%",
                align_items="start",
            ),
        ),  # fmt: skip
        _library_dialog(),
        _ai_dialog(),
        spacing="4",
        width="100%",
    )
