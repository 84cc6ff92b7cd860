"""Composer autosave in the page: the saved-state indicator, the "restored" notice, the
version-conflict panel, and the browser side of autosave (when to save, the leave-page guard).

The browser counts changes (`window.heraldDraft.seq`, a timestamp of the last one) and clicks
the hidden `#autosave-trigger` to save: a second after the last change, when a field loses
focus, before following a link, on back/forward and every few seconds while something is not
saved (which is also the retry after a failed save). The indicator carries the counter the
server last saved (`data-saved-seq`); while the browser's is newer, leaving the page asks first.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from app.ui.components.blocks import button_row, panel_callout, stack, wrap_row
from app.ui.components.buttons import row_button
from app.ui.components.poll import live_poll
from app.ui.state.composer import TEXT, ComposerState
from app.ui.state.composer_autosave import ComposerAutosaveState

ROOT_ID = "composer-root"
# How often an open post asks whether a teammate saved it meanwhile.
WATCH_MS = 5000
# Clicks that change nothing worth saving (or that save the post themselves).
IGNORED = "#save-draft, #publish-now, #schedule, #autosave-bar, #autosave-trigger, a[href]"

AUTOSAVE_JS = r"""
(() => {
  if (typeof window === "undefined" || window.heraldDraft) return;
  const D = (window.heraldDraft = { seq: 0, timer: null, trigger: null, lastFlush: 0 });
  const trigger = () => document.getElementById("autosave-trigger");
  const savedSeq = () => {
    const el = document.getElementById("autosave-state");
    return el ? Number(el.dataset.savedSeq || 0) : Infinity;
  };
  const inComposer = (t) =>
    t && t.closest && (t.closest("#__ROOT__") || t.closest("[role=dialog]"))
    && !!trigger();
  const pending = () => !!trigger() && D.seq > savedSeq();
  D.pending = pending;
  const flush = () => {
    const t = trigger();
    if (t && D.seq > savedSeq()) { D.lastFlush = Date.now(); t.click(); }
  };
  D.flush = flush;
  const changed = () => {
    D.seq = Math.max(Date.now(), D.seq + 1);
    document.documentElement.dataset.draftPending = "yes";
    clearTimeout(D.timer);
    D.timer = setTimeout(flush, 1000);
  };
  const onEdit = (e) => { if (inComposer(e.target)) changed(); };
  document.addEventListener("input", onEdit, true);
  document.addEventListener("change", onEdit, true);
  document.addEventListener("click", (e) => {
    const t = e.target;
    if (!trigger()) return;
    if (t.closest && t.closest("a[href]") && pending()) { flush(); return; }
    if (inComposer(t) && !(t.closest && t.closest("__IGNORED__"))) changed();
  }, true);
  document.addEventListener("focusout", (e) => { if (inComposer(e.target)) flush(); }, true);
  window.addEventListener("popstate", flush, true);
  window.addEventListener("pagehide", flush, true);
  window.addEventListener("beforeunload", (e) => {
    if (!pending()) return;
    flush();
    e.preventDefault();
    e.returnValue = "";
    return "";
  });
  setInterval(() => {
    const t = trigger();
    if (t !== D.trigger) { D.trigger = t; if (t) D.seq = 0; }
    const busy = pending();
    document.documentElement.dataset.draftPending = busy ? "yes" : "";
    // Unsaved for a while (a lost request, a failed save): try again.
    if (busy && Date.now() - D.lastFlush > 4000 && Date.now() - D.seq > 900) flush();
  }, 250);
})();
""".replace("__ROOT__", ROOT_ID).replace("__IGNORED__", IGNORED)


class _AutosaveScript(rx.Fragment):
    """Renders nothing; puts the autosave listeners into the page's module."""

    def add_custom_code(self) -> list[str]:
        return [AUTOSAVE_JS]


SEQ = Var(_js_expr="((typeof window !== 'undefined' && window.heraldDraft) ? "
          "window.heraldDraft.seq : 0)").to(int)  # fmt: skip

STATE_STYLE = {
    "& #autosave-pending": {"display": "none"},
    "html[data-draft-pending=yes] &:not([data-state=error]) #autosave-pending": {
        "display": "inline-flex"
    },
    "html[data-draft-pending=yes] &:not([data-state=error]) #autosave-saved": {"display": "none"},
}


def indicator() -> rx.Component:
    """ "Saving…" / "Saved 10:42" / "Not saved — retrying", and the hidden save trigger."""
    saved = rx.match(
        ComposerAutosaveState.save_state,
        ("saved", rx.hstack(rx.icon("cloud-check", size=14), ComposerAutosaveState.saved_label)),
        ("clean", rx.hstack(rx.icon("cloud-check", size=14), "No unsaved changes")),
        (
            "error",
            rx.hstack(
                rx.icon("cloud-off", size=14),
                "Not saved — retrying",
                color=rx.color("red", 11),
                title=ComposerAutosaveState.save_error,
            ),
        ),
        rx.hstack(rx.icon("cloud", size=14), "Autosave on"),
    )
    return rx.box(
        rx.el.span(
            rx.hstack(rx.spinner(size="1"), "Saving…", align="center", spacing="1"),
            id="autosave-pending",
        ),
        rx.el.span(saved, id="autosave-saved"),
        rx.el.button(
            "save",
            id="autosave-trigger",
            type="button",
            tab_index=-1,
            aria_hidden="true",
            style={"display": "none"},
            on_click=ComposerAutosaveState.autosave(
                TEXT.value, SEQ, ComposerAutosaveState.load_gen
            ),
        ),
        id="autosave-state",
        data_state=ComposerAutosaveState.save_state,
        data_saved_seq=ComposerAutosaveState.saved_seq.to_string(),
        aria_live="polite",
        font_size="var(--font-size-1)",
        color=rx.color("gray", 11),
        style=STATE_STYLE,
    )


def _notice(icon: str, body: rx.Component, color: str, id: str) -> rx.Component:
    """One of the small callouts over the composer's form."""
    return panel_callout(icon, body, color=color, size="1", id=id)


def notices() -> rx.Component:
    """The restored-draft notice and the version-conflict panel, over the form."""
    return stack(
        rx.cond(
            ComposerAutosaveState.notice != "",
            _notice(
                "history",
                button_row(
                    rx.text(ComposerAutosaveState.notice, size="2", id="restored-text"),
                    rx.cond(
                        ComposerAutosaveState.notice_warning != "",
                        rx.text(ComposerAutosaveState.notice_warning, size="2", weight="medium"),
                    ),
                    row_button(
                        "Discard",
                        color_scheme="gray",
                        on_click=ComposerAutosaveState.discard,
                        id="discard-restored",
                    ),
                ),
                "blue",
                "restored-notice",
            ),
        ),
        rx.cond(
            (ComposerAutosaveState.changed_since != "")
            & (ComposerAutosaveState.notice_warning == "")  # the restored notice says it
            & (ComposerState.stale_version == 0),
            _notice(
                "users",
                rx.callout.text(ComposerAutosaveState.changed_since),
                "amber",
                "changed-since",
            ),
        ),
        rx.cond(ComposerState.stale_version > 0, _conflict()),
        rx.cond(
            ComposerState.post_id != "",
            live_poll(WATCH_MS, ComposerAutosaveState.watch_version),
        ),
        spacing="2",
    )


def _their_version() -> rx.Component:
    return rx.box(
        rx.text("Their version", size="1", weight="bold"),
        rx.text(
            ComposerAutosaveState.their_text, size="2", white_space="pre-wrap", id="their-text"
        ),
        padding="8px",
        border_radius="var(--radius-2)",
        background=rx.color("gray", 3),
        width="100%",
    )


def _conflict() -> rx.Component:
    s = ComposerAutosaveState
    return _notice(
        "git-compare",
        stack(
            rx.text(ComposerState.form_error, size="2", weight="medium", id="conflict-message"),
            rx.text(
                "Your text is kept below. Compare with the newer version, then keep yours "
                "(the next save replaces theirs) or take theirs.",
                size="2",
            ),
            rx.cond(s.their_text != "", _their_version()),
            wrap_row(
                row_button("Show their version", on_click=s.show_theirs, id="show-theirs"),
                rx.button("Keep mine", size="1", on_click=s.keep_mine, id="keep-mine"),
                row_button(
                    "Take theirs (drop my edit)",
                    color_scheme="red",
                    on_click=s.take_theirs,
                    id="take-theirs",
                ),
            ),
            spacing="2",
        ),
        "amber",
        "version-conflict",
    )


def autosave_script() -> rx.Component:
    return _AutosaveScript.create()
