"""Character counting in the browser, the way each platform counts.

The composer's counters update on every keystroke without a server round trip: the text lives
in a client-side React state and `window.heraldCount(platform, text, urlLength)` counts it.
The functions below are JavaScript ports of the providers' Python counters
(`provider_class(p).default_limits.count_text`); tests/unit/test_ui_counter.py runs both on the
same texts. X's URL detection is a close approximation of twitter-text (URLs with a scheme,
and bare domains on common TLDs); the server's validation stays the authority.
"""

from __future__ import annotations

import reflex as rx
from reflex.experimental.client_state import ClientStateVar
from reflex.vars.base import Var

# How each platform counts; checked against the providers' own counters in the unit tests.
COUNTING = {
    "x": "x",
    "bluesky": "graphemes",
    "mastodon": "mastodon",
    "threads": "threads",
    "linkedin": "utf16",
    "facebook": "utf16",
    "tiktok": "utf16",
    "instagram": "codepoints",
    "pinterest": "codepoints",
    "youtube": "utf8",
}

COUNTER_JS = r"""
(() => {
  if (typeof window === "undefined" || window.heraldCount) return;
  const MARK = /\p{M}/u;
  const graphemes = (text) => {
    let count = 0, joinNext = false, openFlag = false, prev = "";
    for (const ch of text) {
      const cp = ch.codePointAt(0);
      if (joinNext) { joinNext = false; prev = ch; continue; }
      if (ch === "\u200d") { joinNext = true; continue; }
      if (MARK.test(ch) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1f3fb && cp <= 0x1f3ff)
          || (cp >= 0xe0020 && cp <= 0xe007f) || (ch === "\n" && prev === "\r")) {
        prev = ch; continue;
      }
      if (cp >= 0x1f1e6 && cp <= 0x1f1ff) {
        openFlag = !openFlag;
        if (!openFlag) { prev = ch; continue; }
      } else { openFlag = false; }
      count++; prev = ch;
    }
    return count;
  };
  const utf8 = (text) => new TextEncoder().encode(text).length;
  const codepoints = (text) => { let n = 0; for (const _ of text) n++; return n; };
  const emojiPart = (cp) => (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf)
    || cp === 0x200d || cp === 0xfe0f || cp === 0x20e3 || (cp >= 0xe0020 && cp <= 0xe007f);
  const threads = (text) => {
    let n = 0;
    for (const ch of text) n += emojiPart(ch.codePointAt(0)) ? utf8(ch) : 1;
    return n;
  };
  const URL_TRAILING = ".,:;!?'\")]}";
  const mastodon = (text, urlLength) => {
    text = text.replace(
      /(?<![\p{L}\p{N}_@\/])@([\p{L}\p{N}_]+(?:[.\-][\p{L}\p{N}_]+)*)@[\p{L}\p{N}_\-]+(?:\.[\p{L}\p{N}_\-]+)+[\p{L}\p{N}_]*/gu,
      (m, user) => "@" + user);
    text = text.replace(/https?:\/\/[^\s<>"]+/giu, (found) => {
      let end = found.length;
      while (end > 0 && URL_TRAILING.includes(found[end - 1])) end--;
      return "x".repeat(urlLength) + found.slice(end);
    });
    return graphemes(text);
  };
  // X (twitter-text v3): URLs count 23, emoji sequences 2, CJK and most non-Latin 2, else 1.
  const BMP_PICTO = [[0x203c,0x203c],[0x2049,0x2049],[0x2122,0x2122],[0x2139,0x2139],
    [0x2194,0x2199],[0x21a9,0x21aa],[0x231a,0x231b],[0x2328,0x2328],[0x2388,0x2388],
    [0x23cf,0x23cf],[0x23e9,0x23f3],[0x23f8,0x23fa],[0x24c2,0x24c2],[0x25aa,0x25ab],
    [0x25b6,0x25b6],[0x25c0,0x25c0],[0x25fb,0x25fe],[0x2600,0x27bf],[0x2934,0x2935],
    [0x2b05,0x2b07],[0x2b1b,0x2b1c],[0x2b50,0x2b50],[0x2b55,0x2b55],[0x3030,0x3030],
    [0x303d,0x303d],[0x3297,0x3297],[0x3299,0x3299]];
  const isRI = (cp) => cp >= 0x1f1e6 && cp <= 0x1f1ff;
  const picto = (cp) => {
    if (cp >= 0x1f000 && cp <= 0x1faff) return !(isRI(cp) || (cp >= 0x1f3fb && cp <= 0x1f3ff));
    if (cp >= 0x1fc00 && cp <= 0x1fffd) return true;
    if (cp < 0x203c || cp > 0x3299) return false;
    return BMP_PICTO.some(([lo, hi]) => lo <= cp && cp <= hi);
  };
  const modifiers = (cps, j) => {
    while (j < cps.length) {
      const cp = cps[j];
      if (cp === 0xfe0f || (cp >= 0x1f3fb && cp <= 0x1f3ff)
          || (cp >= 0xe0020 && cp <= 0xe007f)) j++;
      else break;
    }
    return j;
  };
  const emojiLength = (cps, i) => {
    const n = cps.length, cp = cps[i];
    if (isRI(cp)) return i + 1 < n && isRI(cps[i + 1]) ? 2 : 0;
    if ((cp >= 0x30 && cp <= 0x39) || cp === 0x23 || cp === 0x2a) {
      const j = i + 1 + (i + 1 < n && cps[i + 1] === 0xfe0f ? 1 : 0);
      return j < n && cps[j] === 0x20e3 ? j + 1 - i : 0;
    }
    if (cp === 0xa9 || cp === 0xae) {
      if (!(i + 1 < n && cps[i + 1] === 0xfe0f)) return 0;
    } else if (!picto(cp)) return 0;
    let j = modifiers(cps, i + 1);
    while (j + 1 < n && cps[j] === 0x200d && picto(cps[j + 1])) j = modifiers(cps, j + 2);
    return j - i;
  };
  const weight = (cp) => (cp <= 0x10ff || (cp >= 0x2000 && cp <= 0x200d)
    || (cp >= 0x2010 && cp <= 0x201f) || (cp >= 0x2032 && cp <= 0x2037)) ? 1 : 2;
  const TLDS = "com|org|net|io|co|dev|app|ai|me|ly|gl|gg|tv|fm|edu|gov|info|biz|xyz|news|blog"
    + "|shop|store|online|site|tech|social|page|link|club|design|art|cloud|email|live|media";
  const URL_RE = new RegExp(
    "(?<![\\p{L}\\p{N}@$#\\uff20\\uff03_\\-./])((https?:\\/\\/)?"
    + "(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}\\-]*[\\p{L}\\p{N}])?\\.)+([\\p{L}]{2,})"
    + "(?::\\d+)?(\\/[^\\s]*)?)", "giu");
  const urlSpans = (cps) => {
    const text = String.fromCodePoint(...cps);
    const spans = new Map();
    if (!text.includes(".")) return spans;
    // Map UTF-16 offsets back to code point indices.
    const at = new Map();
    let u = 0;
    for (let i = 0; i <= cps.length; i++) {
      at.set(u, i);
      if (i < cps.length) u += cps[i] > 0xffff ? 2 : 1;
    }
    for (const m of text.matchAll(URL_RE)) {
      let url = m[1];
      const proto = m[2], tld = m[3].toLowerCase(), path = m[4];
      if (!proto) {
        const known = new RegExp("^(" + TLDS + ")$").test(tld);
        if (!known && !(tld.length === 2 && path)) continue;
      }
      if (path) {
        let end = url.length;
        const count = (s, c) => s.split(c).length - 1;
        while (end > 0) {
          const c = url[end - 1], head = url.slice(0, end);
          if ("?!.,:;*'\"".includes(c)) end--;
          else if (c === ")" && count(head, "(") < count(head, ")")) end--;
          else break;
        }
        url = url.slice(0, end);
      }
      const start = at.get(m.index), stop = at.get(m.index + url.length);
      if (start !== undefined && stop !== undefined) spans.set(start, stop);
    }
    return spans;
  };
  const x = (text, urlLength) => {
    const cps = Array.from(text.normalize("NFC"), (c) => c.codePointAt(0));
    const urls = urlSpans(cps);
    let total = 0, i = 0;
    while (i < cps.length) {
      if (urls.has(i)) { total += urlLength; i = urls.get(i); continue; }
      const e = emojiLength(cps, i);
      if (e) { total += 2; i += e; continue; }
      total += weight(cps[i]); i++;
    }
    return total;
  };
  const COUNTING = __COUNTING__;
  const counters = {
    x: (t, u) => x(t, u), graphemes, mastodon, threads, utf8, codepoints,
    utf16: (t) => t.length,
  };
  window.heraldCount = (platform, text, urlLength) => {
    const f = counters[COUNTING[platform] || "codepoints"];
    return f(String(text ?? ""), urlLength || 23);
  };
})();
"""


def counter_js() -> str:
    import json

    return COUNTER_JS.replace("__COUNTING__", json.dumps(COUNTING))


class _CounterScript(rx.Fragment):
    """Renders nothing; puts `window.heraldCount` into the page's module."""

    def add_custom_code(self) -> list[str]:
        return [counter_js()]


def counter_script() -> rx.Component:
    return _CounterScript.create()


def count_of(platform: Var | str, text: Var, url_length: Var | int = 23) -> Var:
    """A client-side expression: `text` counted the way `platform` counts."""
    p = Var.create(platform)
    u = Var.create(url_length)
    return Var(
        _js_expr=(
            f"((typeof window !== 'undefined' && window.heraldCount) ? "
            f"window.heraldCount({p}, {text}, {u}) : 0)"
        ),
        _var_data=rx.vars.VarData.merge(
            p._get_all_var_data(), text._get_all_var_data(), u._get_all_var_data()
        ),
    ).to(int)


def client_text(name: str, default: str = "") -> ClientStateVar:
    return ClientStateVar.create(name, default)
