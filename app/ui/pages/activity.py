"""Activity: who did what in this workspace, newest first, filterable; a post's publish
attempts (the audit trail) one click away."""

from __future__ import annotations

import reflex as rx

from app.ui.components.blocks import row, stack
from app.ui.components.buttons import row_button
from app.ui.components.forms import choice_select, form_error
from app.ui.components.layout import protected_page
from app.ui.components.section import data_table, title_meta
from app.ui.state.activity import VERB_FILTERS, ActivityState


def _filters() -> rx.Component:
    return rx.hstack(
        choice_select(
            VERB_FILTERS,
            "What",
            {"id": "activity-verb"},
            value=ActivityState.verb_filter,
            on_change=ActivityState.set_verb_filter,
        ),
        rx.select.root(
            rx.select.trigger(id="activity-actor", aria_label="Who"),
            rx.select.content(
                rx.select.item("Anyone", value="all"),
                rx.select.item("Herald (the engine)", value="herald"),
                rx.foreach(
                    ActivityState.people, lambda m: rx.select.item(m["name"], value=m["id"])
                ),
            ),
            value=ActivityState.actor_filter,
            on_change=ActivityState.set_actor_filter,
        ),
        rx.cond(
            ActivityState.subject_filter != "",
            rx.badge(
                "One item only ✕",
                on_click=ActivityState.clear_subject,
                cursor="pointer",
                id="activity-subject",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _row(e: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(e["when"], size="1", white_space="nowrap")),
        rx.table.cell(
            rx.cond(
                e["engine"] == "yes",
                rx.badge("Herald", color_scheme="gray"),
                rx.text(e["actor"], size="2"),
            )
        ),
        rx.table.cell(rx.code(e["verb"])),
        rx.table.cell(
            title_meta(
                rx.cond(
                    e["subject_type"] == "post",
                    rx.link(e["subject"], href="/composer?post=" + e["subject_id"].to(str)),
                    rx.text(e["subject"], size="2"),
                ),
                e["summary"],
            )
        ),
        rx.table.cell(
            rx.cond(
                e["subject_type"] == "post",
                row(
                    row_button(
                        "Attempts",
                        on_click=ActivityState.show_attempts(e["subject_id"], e["subject"]),
                        class_name="show-attempts",
                    ),
                    rx.link(
                        "History",
                        href="/activity?subject=" + e["subject_id"].to(str),
                        size="1",
                    ),
                ),
            )
        ),
        class_name="activity-row",
        data_verb=e["verb"],
    )


def _attempts() -> rx.Component:
    return rx.cond(
        ActivityState.attempts_label != "",
        rx.card(
            stack(
                rx.heading("Publish attempts of “", ActivityState.attempts_label, "”", size="3"),
                rx.cond(
                    ActivityState.attempts.length() > 0,
                    rx.table.root(
                        rx.table.body(
                            rx.foreach(
                                ActivityState.attempts,
                                lambda a: rx.table.row(
                                    rx.table.cell(a["started"]),
                                    rx.table.cell(rx.badge(a["outcome"])),
                                    rx.table.cell(a["http"]),
                                    rx.table.cell(a["error"]),
                                ),
                            )
                        ),
                        width="100%",
                    ),
                    rx.text("No attempts yet.", color_scheme="gray"),
                ),
            ),
            width="100%",
            id="attempts",
        ),
    )


@protected_page("/activity", "Activity", on_load=[ActivityState.load])
def activity_page() -> rx.Component:
    return stack(
        rx.heading("Activity", size="6"),
        rx.text(
            "Who created, edited, rescheduled, published, retried, connected or disconnected "
            "what in this workspace.",
            color_scheme="gray",
        ),
        _filters(),
        form_error(ActivityState.error),
        _attempts(),
        rx.cond(
            ActivityState.events.length() > 0,
            data_table(
                ("When", "Who", "What", "Which", ""),
                ActivityState.events,
                _row,
                "activity",
            ),
            rx.cond(
                ~ActivityState.loading,
                rx.text("Nothing recorded yet.", color_scheme="gray", id="no-activity"),
            ),
        ),
        rx.cond(
            ActivityState.next_before > 0,
            rx.button("Older", variant="soft", on_click=ActivityState.load_more, id="older"),
        ),
        spacing="4",
    )
