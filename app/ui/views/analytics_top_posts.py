"""Analytics: the top posts of the range, each opening its metrics history."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import muted
from app.ui.components.charts import no_data
from app.ui.components.section import data_table, section_card
from app.ui.state.analytics import AnalyticsState
from app.ui.state.analytics_data import TopRow


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
            muted(t.when),
            max_width="380px",
        ),
        rx.table.cell(rx.text(t.account, size="2"), muted(t.platform_name)),
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


def top_posts() -> rx.Component:
    return section_card(
        "Top posts",
        "trophy",
        rx.cond(
            AnalyticsState.top_posts.length() > 0,
            data_table(
                ("Post", "Account", "Engagement", "Likes", "Comments", "Shares", "Views", ""),
                AnalyticsState.top_posts,
                _top_row,
                size="2",
            ),
            no_data("No posts published in this range."),
        ),
        "top-posts",
        muted("click a post for its history"),
    )
