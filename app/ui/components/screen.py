"""Parts of the shell that exist on narrow or on wide screens only.

Hidden with CSS, the other layout's parts would still be mounted on every page: the narrow
screens' top bar holds the menu drawer (vaul), whose mount effect reads `window.scrollY`
and so forces a layout of the whole page while it is first drawn. Rendered by a media query
instead, a desktop page never mounts it (and a phone never mounts the sidebar); turning or
resizing the window swaps them.
"""

from __future__ import annotations

import reflex as rx

# Radix's (and Reflex's) `md` breakpoint: the sidebar from 48em up, the top bar below.
WIDE = "(min-width: 48em)"

SCREEN_JS = f"""
function HeraldScreen({{wide, children}}) {{
  const [isWide, setWide] = useState(
    () => typeof window === "undefined" || window.matchMedia({WIDE!r}).matches
  );
  useEffect(() => {{
    const query = window.matchMedia({WIDE!r});
    const changed = () => setWide(query.matches);
    query.addEventListener("change", changed);
    changed();  // a resize between the first render and this effect
    return () => query.removeEventListener("change", changed);
  }}, []);
  return isWide === wide ? children : null;
}}
"""


class _Screen(rx.Component):
    tag = "HeraldScreen"
    wide: rx.Var[bool]

    def add_imports(self) -> dict:
        return {"react": [rx.ImportVar(tag="useState"), rx.ImportVar(tag="useEffect")]}

    def add_custom_code(self) -> list[str]:
        return [SCREEN_JS]


def wide_only(child: rx.Component) -> rx.Component:
    """`child` on screens from the `md` breakpoint up."""
    return _Screen.create(child, wide=True)


def narrow_only(child: rx.Component) -> rx.Component:
    """`child` on screens below the `md` breakpoint."""
    return _Screen.create(child, wide=False)
