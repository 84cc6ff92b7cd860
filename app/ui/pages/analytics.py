"""/analytics: how the posts performed — followers over time, engagement per post and per
platform, top posts (each opening its own metrics history), over a date range."""

from __future__ import annotations

import reflex as rx

from app.ui.components.forms import form_error
from app.ui.components.layout import protected_page
from app.ui.components.stat import stat_card
from app.ui.state.analytics import AnalyticsState, DestDetail, TopRow

# While the page is open: ask every few seconds whether new metrics arrived (one cheap query).
POLL_MS = 5000
AXIS = {"stroke": rx.color("gray", 9), "font_size": 12}
GRID = rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke=rx.color("gray", 5))


def _tooltip() -> rx.Component:
    return rx.recharts.graphing_tooltip(
        content_style={
            "background": rx.color("gray", 1),
            "borderColor": rx.color("gray", 6),
            "borderRadius": "8px",
            "color": rx.color("gray", 12),
        },
        label_style={"color": rx.color("gray", 11)},
        cursor={"fill": rx.color("gray", 3)},
    )


def _card(title: str, icon: str, body: rx.Component, card_id: str, hint=None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, color=rx.color("accent", 10)),
                rx.heading(title, size="4", as_="h2"),
                rx.spacer(),
                *([hint] if hint is not None else []),
                align="center",
                width="100%",
            ),
            body,
            spacing="3",
            width="100%",
        ),
        id=card_id,
        width="100%",
    )


def _no_data(text: str) -> rx.Component:
    return rx.center(
        rx.text(text, color_scheme="gray", size="2", align="center"),
        height="160px",
        width="100%",
        class_name="chart-empty",
    )


# --------------------------------------------------------------------------- toolbar


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item("7 days", value="7", id="range-7"),
            rx.segmented_control.item("30 days", value="30", id="range-30"),
            rx.segmented_control.item("90 days", value="90", id="range-90"),
            rx.segmented_control.item("Custom", value="custom", id="range-custom"),
            value=AnalyticsState.preset,
            on_change=AnalyticsState.set_preset,
            aria_label="Date range",
        ),
        rx.cond(
            AnalyticsState.is_custom,
            rx.hstack(
                rx.input(
                    type="date",
                    value=AnalyticsState.custom_from,
                    on_change=AnalyticsState.set_custom_from.debounce(300),
                    id="range-from",
                    aria_label="From",
                ),
                rx.text("to", size="2", color_scheme="gray"),
                rx.input(
                    type="date",
                    value=AnalyticsState.custom_to,
                    on_change=AnalyticsState.set_custom_to.debounce(300),
                    id="range-to",
                    aria_label="To",
                ),
                align="center",
                spacing="2",
            ),
        ),
        rx.select.root(
            rx.select.trigger(placeholder="All platforms", id="filter-platform"),
            rx.select.content(
                rx.select.item("All platforms", value="all"),
                rx.foreach(
                    AnalyticsState.platform_options,
                    lambda p: rx.select.item(p["name"], value=p["id"]),
                ),
            ),
            value=AnalyticsState.platform_filter,
            on_change=AnalyticsState.set_platform_filter,
            aria_label="Platform",
        ),
        rx.select.root(
            rx.select.trigger(placeholder="All accounts", id="filter-account"),
            rx.select.content(
                rx.select.item("All accounts", value="all"),
                rx.foreach(
                    AnalyticsState.account_options,
                    lambda a: rx.select.item(a["name"], value=a["id"]),
                ),
            ),
            value=AnalyticsState.account_filter,
            on_change=AnalyticsState.set_account_filter,
            aria_label="Account",
        ),
        rx.spacer(),
        _sync_button("sync-now"),
        gap="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _sync_button(button_id: str) -> rx.Component:
    return rx.cond(
        AnalyticsState.is_workspace_admin,
        rx.button(
            rx.icon("refresh-cw", size=14),
            rx.cond(AnalyticsState.syncing, "Syncing…", "Sync now"),
            on_click=AnalyticsState.sync_now,
            loading=AnalyticsState.syncing,
            variant="soft",
            id=button_id,
        ),
    )


# --------------------------------------------------------------------------- stats


def _stats() -> rx.Component:
    return rx.grid(
        rx.foreach(AnalyticsState.stats, stat_card),
        columns=rx.breakpoints(initial="2", md="3", lg="5"),
        spacing="3",
        width="100%",
        id="stats",
    )


# --------------------------------------------------------------------------- charts


def _followers_chart() -> rx.Component:
    return _card(
        "Followers",
        "users",
        rx.cond(
            AnalyticsState.follower_rows.length() > 0,
            rx.box(
                rx.recharts.line_chart(
                    GRID,
                    rx.recharts.x_axis(data_key="date", **AXIS),
                    rx.recharts.y_axis(allow_decimals=False, width=56, **AXIS),
                    _tooltip(),
                    rx.recharts.legend(),
                    rx.foreach(
                        AnalyticsState.follower_lines,
                        lambda line: rx.recharts.line(
                            data_key=line["key"],
                            name=line["name"],
                            stroke=line["color"],
                            stroke_width=2,
                            dot=False,
                            connect_nulls=True,
                            type_="monotone",
                            is_animation_active=False,
                        ),
                    ),
                    data=AnalyticsState.follower_rows,
                    height=280,
                ),
                width="100%",
                class_name="chart",
            ),
            _no_data("No follower counts in this range yet."),
        ),
        "chart-followers",
    )


def _posts_chart() -> rx.Component:
    return _card(
        "Engagement per post",
        "chart-column",
        rx.cond(
            AnalyticsState.post_rows.length() > 0,
            rx.box(
                rx.recharts.bar_chart(
                    GRID,
                    rx.recharts.x_axis(data_key="label", hide=True),
                    rx.recharts.y_axis(allow_decimals=False, width=56, **AXIS),
                    _tooltip(),
                    rx.recharts.legend(),
                    rx.recharts.bar(
                        data_key="likes",
                        name="Likes",
                        stack_id="e",
                        fill="var(--pink-9)",
                        is_animation_active=False,
                    ),
                    rx.recharts.bar(
                        data_key="comments",
                        name="Comments",
                        stack_id="e",
                        fill="var(--blue-9)",
                        is_animation_active=False,
                    ),
                    rx.recharts.bar(
                        data_key="shares",
                        name="Shares",
                        stack_id="e",
                        fill="var(--grass-9)",
                        is_animation_active=False,
                    ),
                    data=AnalyticsState.post_rows,
                    height=280,
                ),  # fmt: skip
                width="100%",
                class_name="chart",
            ),
            _no_data("No posts published in this range."),
        ),
        "chart-posts",
        rx.text("latest 30 posts of the range", size="1", color_scheme="gray"),
    )


def _platforms_chart() -> rx.Component:
    return _card(
        "Engagement per platform",
        "layers",
        rx.cond(
            AnalyticsState.platform_rows.length() > 0,
            rx.box(
                rx.recharts.bar_chart(
                    GRID,
                    rx.recharts.x_axis(data_key="platform", **AXIS),
                    rx.recharts.y_axis(allow_decimals=False, width=56, **AXIS),
                    _tooltip(),
                    rx.recharts.bar(
                        rx.foreach(
                            AnalyticsState.platform_rows,
                            lambda r: rx.recharts.cell(fill=r["fill"]),
                        ),
                        data_key="engagement",
                        name="Engagement",
                        is_animation_active=False,
                        radius=[4, 4, 0, 0],
                    ),
                    data=AnalyticsState.platform_rows,
                    height=280,
                ),
                width="100%",
                class_name="chart",
            ),
            _no_data("No accounts match these filters."),
        ),
        "chart-platforms",
    )


# --------------------------------------------------------------------------- top posts


def _top_row(t: TopRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                t.content,
                on_click=AnalyticsState.open_post(t.post_id),
                href="#",
                class_name="top-post-open",
                weight="medium",
            ),
            rx.text(t.when, size="1", color_scheme="gray"),
            max_width="380px",
        ),
        rx.table.cell(
            rx.text(t.account, size="2"), rx.text(t.platform_name, size="1", color_scheme="gray")
        ),  # fmt: skip
        rx.table.cell(rx.text(t.engagement, weight="bold"), class_name="top-engagement"),
        rx.table.cell(t.likes),
        rx.table.cell(t.comments),
        rx.table.cell(t.shares),
        rx.table.cell(t.views),
        rx.table.cell(
            rx.cond(
                t.permalink != "",
                rx.link(
                    rx.icon("external-link", size=16),
                    href=t.permalink,
                    is_external=True,
                    aria_label="Open on " + t.platform_name,
                    class_name="permalink",
                ),
            )
        ),
        class_name="top-post",
        data_post_id=t.post_id,
        cursor="pointer",
        _hover={"background": rx.color("gray", 3)},
    )


def _top_posts() -> rx.Component:
    return _card(
        "Top posts",
        "trophy",
        rx.cond(
            AnalyticsState.top_posts.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(h)
                                for h in (
                                    "Post",
                                    "Account",
                                    "Engagement",
                                    "Likes",
                                    "Comments",
                                    "Shares",
                                    "Views",
                                    "",
                                )
                            ]  # fmt: skip
                        )
                    ),
                    rx.table.body(rx.foreach(AnalyticsState.top_posts, _top_row)),
                    width="100%",
                    size="2",
                ),
                overflow_x="auto",
                width="100%",
            ),
            _no_data("No posts published in this range."),
        ),
        "top-posts",
        rx.text("click a post for its history", size="1", color_scheme="gray"),
    )


# --------------------------------------------------------------------------- post dialog


def _history_chart(d: DestDetail) -> rx.Component:
    return rx.cond(
        d.history.length() > 0,
        rx.box(
            rx.recharts.line_chart(
                GRID,
                rx.recharts.x_axis(data_key="at", **AXIS),
                rx.recharts.y_axis(y_axis_id="left", allow_decimals=False, width=48, **AXIS),
                rx.recharts.y_axis(
                    y_axis_id="right",
                    orientation="right",
                    allow_decimals=False,
                    width=56,
                    **AXIS,
                ),  # fmt: skip
                _tooltip(),
                rx.recharts.legend(),
                *[
                    rx.recharts.line(
                        data_key=key,
                        name=label,
                        stroke=color,
                        y_axis_id=axis,
                        stroke_width=2,
                        dot={"stroke": color, "fill": color, "r": 2},
                        active_dot={"stroke": color, "fill": color, "r": 4},
                        type_="monotone",
                        is_animation_active=False,
                    )
                    for key, label, color, axis in (
                        ("likes", "Likes", "var(--pink-9)", "left"),
                        ("comments", "Comments", "var(--blue-9)", "left"),
                        ("shares", "Shares", "var(--grass-9)", "left"),
                        ("views", "Views (right axis)", "var(--amber-9)", "right"),
                    )
                ],
                data=d.history,
                height=220,
            ),
            width="100%",
            class_name="history-chart",
        ),
        rx.text("No metrics collected yet for this destination.", size="2", color_scheme="gray"),
    )


def _destination(d: DestDetail) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(d.platform_name, " · ", d.account, weight="bold", size="2"),
                rx.badge(d.status, variant="soft", radius="full"),
                rx.spacer(),
                rx.cond(
                    d.permalink != "",
                    rx.link(
                        "View post",
                        rx.icon("external-link", size=14),
                        href=d.permalink,
                        is_external=True,
                        size="2",
                        class_name="permalink",
                    ),
                ),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.text(
                rx.cond(d.published != "", "Published " + d.published + " · ", ""),
                d.latest,
                size="1",
                color_scheme="gray",
            ),
            _history_chart(d),
            spacing="2",
            width="100%",
        ),
        class_name="post-destination",
        data_platform=d.platform,
        width="100%",
    )


def _post_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title("Post metrics", margin="0"),
                rx.dialog.description(
                    AnalyticsState.detail_totals, size="2", color_scheme="gray", id="post-totals"
                ),
                rx.cond(
                    AnalyticsState.detail_content != "",
                    rx.box(
                        rx.text(AnalyticsState.detail_content, white_space="pre-wrap", size="2"),
                        padding="12px",
                        border_radius="var(--radius-3)",
                        background=rx.color("gray", 2),
                        border=f"1px solid {rx.color('gray', 5)}",
                        width="100%",
                        max_height="160px",
                        overflow_y="auto",
                    ),
                ),
                rx.cond(
                    AnalyticsState.detail_loading,
                    rx.center(rx.spinner(size="3"), height="160px", width="100%"),
                    rx.vstack(
                        rx.foreach(AnalyticsState.detail_dests, _destination),
                        spacing="3",
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="760px",
            id="post-dialog",
        ),
        open=AnalyticsState.detail_open,
        on_open_change=AnalyticsState.set_detail_open,
    )


# --------------------------------------------------------------------------- page


def _empty_metrics() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("chart-no-axes-column", size=32, color=rx.color("gray", 8)),
            rx.heading("No metrics yet", size="4", as_="h2"),
            rx.text(
                "Herald reads followers, likes, comments, shares and views from each platform "
                "every hour, for the connected accounts and the posts published in the last "
                "30 days. They appear here after the first sync.",
                color_scheme="gray",
                size="2",
                align="center",
                max_width="520px",
            ),
            rx.cond(
                AnalyticsState.has_accounts,
                _sync_button("sync-now-empty"),
                rx.link(rx.button("Connect an account"), href="/accounts", id="cta-connect"),
            ),
            align="center",
            spacing="3",
            padding="32px",
        ),
        id="empty-metrics",
        width="100%",
    )


def _live() -> rx.Component:
    return rx.box(
        rx.moment(interval=POLL_MS, format="HH:mm:ss", on_change=AnalyticsState.tick),
        display="none",
        aria_hidden="true",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.cond(
            AnalyticsState.range_label != "",
            rx.text(AnalyticsState.range_label, size="2", color_scheme="gray", id="range-label"),
        ),
        _stats(),
        _followers_chart(),
        rx.grid(
            _posts_chart(),
            _platforms_chart(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="4",
            width="100%",
        ),
        _top_posts(),
        spacing="4",
        width="100%",
    )


@protected_page("/analytics", "Analytics", on_load=[AnalyticsState.load])
def analytics() -> rx.Component:
    return rx.vstack(
        _live(),
        _post_dialog(),
        form_error(AnalyticsState.error),
        rx.cond(
            AnalyticsState.loading,
            rx.vstack(
                rx.skeleton(rx.box(height="40px", width="100%")),
                rx.skeleton(rx.box(height="96px", width="100%")),
                rx.skeleton(rx.box(height="300px", width="100%")),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                AnalyticsState.has_metrics,
                rx.vstack(
                    _toolbar(),
                    rx.cond(
                        AnalyticsState.range_error != "",
                        rx.callout(
                            AnalyticsState.range_error,
                            icon="triangle-alert",
                            color_scheme="red",
                            role="alert",
                            id="range-error",
                            width="100%",
                        ),
                    ),
                    _body(),
                    spacing="4",
                    width="100%",
                ),
                _empty_metrics(),
            ),
        ),
        spacing="4",
        width="100%",
        id="analytics",
        data_loading=AnalyticsState.loading.to(str),
    )
