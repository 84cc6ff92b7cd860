"""A page's live poll: an event as it mounts, then one every interval while it is open.

`rx.moment` with an interval did this before, at a cost on every page: it is a client-side
component that loads moment.js (68 KB) with a dynamic import once the shell has rendered, so
each first load fetched and parsed a clock library only to be told that time passes.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

TICKER_JS = """
function HeraldTicker({interval, onTick}) {
  const tick = useRef(onTick);
  tick.current = onTick;
  useEffect(() => {
    // The first tick waits for this commit's other effects, among them the page's on_load:
    // Reflex sends a client's events in order, and a poll must not hold up the page's load.
    const first = setTimeout(() => tick.current(), 0);
    const timer = setInterval(() => tick.current(), interval);
    return () => { clearTimeout(first); clearInterval(timer); };
  }, [interval]);
  return null;
}
"""


class _Ticker(rx.Component):
    tag = "HeraldTicker"
    interval: rx.Var[int]
    on_tick: rx.EventHandler[rx.event.no_args_event_spec]

    def add_imports(self) -> dict:
        return {"react": [rx.ImportVar(tag="useRef"), rx.ImportVar(tag="useEffect")]}

    def add_custom_code(self) -> list[str]:
        return [TICKER_JS]


def live_poll(interval_ms: int, on_tick: Any) -> rx.Component:
    """`on_tick` as this mounts and every `interval_ms` after, until the page is left or
    closed. It renders nothing."""
    return _Ticker.create(interval=interval_ms, on_tick=on_tick)
