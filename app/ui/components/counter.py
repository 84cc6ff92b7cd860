"""Character counting in the browser, the way each network counts.

The composer's counters update on every keystroke without a server round trip: the text lives
in a client-side React state and `window.heraldCount(platform, text, urlLength)` counts it.
The rules are the networks' text rules modules (`app/providers/*_text.py`, found through
`registry.text_rules`); the JavaScript below implements their procedures, and everything they
are made of (URL patterns, TLD lists, emoji and weight tables, limits) is serialized from those
modules into the page, so each rule exists once. Graphemes come from `Intl.Segmenter`, the
browser's own UAX #29 segmenter, as `\\X` does on the server. tests/unit/test_ui_counter.py runs
both sides on the same texts, the networks' conformance cases included.
"""

from __future__ import annotations

import json

import reflex as rx
from reflex.experimental.client_state import ClientStateVar
from reflex.vars.base import Var

from app.providers import mastodon_text, threads_text, x_text
from app.providers.registry import all_providers, text_rules

PLATFORMS = [p.id for p in all_providers()]
# How each platform counts (the name of a counter below) and what the composer says about it.
COUNTING = {p: text_rules(p).COUNTING for p in PLATFORMS}
NOTES = {p: text_rules(p).NOTE for p in PLATFORMS}
STRICT = {p: text_rules(p).STRICT for p in PLATFORMS}

COUNTER_JS = r"""
(() => {
  if (typeof window === "undefined" || window.heraldCount) return;
  const DATA = __DATA__;
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const graphemes = (text) => {
    let n = 0;
    for (const _ of segmenter.segment(text)) n++;
    return n;
  };
  const utf8 = (text) => new TextEncoder().encode(text).length;
  const codePoints = (text) => { let n = 0; for (const _ of text) n++; return n; };
  const inRanges = (ranges, cp) => ranges.some(([lo, hi]) => lo <= cp && cp <= hi);

  // Length of punycode's encoding of a non-ASCII label (RFC 3492), without "xn--".
  const punycodeLength = (label) => {
    const cps = Array.from(label, (c) => c.codePointAt(0));
    const basic = cps.filter((c) => c < 0x80).length;
    let n = 128, delta = 0, bias = 72, h = basic, out = basic + (basic ? 1 : 0);
    const adapt = (d, count, first) => {
      d = first ? Math.floor(d / 700) : d >> 1;
      d += Math.floor(d / count);
      let k = 0;
      for (; d > 455; k += 36) d = Math.floor(d / 35);
      return k + Math.floor((36 * d) / (d + 38));
    };
    while (h < cps.length) {
      const m = Math.min(...cps.filter((c) => c >= n));
      delta += (m - n) * (h + 1);
      n = m;
      for (const c of cps) {
        if (c < n) delta++;
        if (c !== n) continue;
        let q = delta;
        for (let k = 36; ; k += 36) {
          const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
          if (q < t) break;
          out++;
          q = Math.floor((q - t) / (36 - t));
        }
        out++;
        bias = adapt(delta, h + 1, h === basic);
        delta = 0;
        h++;
      }
      delta++; n++;
    }
    return out;
  };
  const isAscii = (s) => /^[\x00-\x7f]*$/.test(s);
  const labelLength = (label) => (isAscii(label) ? label.length : 4 + punycodeLength(label));

  // Code point index of every UTF-16 offset of `text`.
  const cpIndex = (text) => {
    const at = new Map();
    let u = 0, i = 0;
    for (const c of text) { at.set(u, i); u += c.length; i++; }
    at.set(u, i);
    return at;
  };

  // ---------------------------------------------------------------- X (twitter-text v3)
  const X = DATA.x;
  const xRe = {
    url: new RegExp(X.patterns.url, "giud"),
    ascii: new RegExp(X.patterns.asciiDomain, "giu"),
    asciiTest: new RegExp(X.patterns.asciiDomain, "iu"),
    tco: new RegExp(X.patterns.tco, "iu"),
  };
  const xValidUrl = (url, protocol, domain) => {
    if (domain.slice(0, 4) === "xn--" && !xRe.asciiTest.test(domain)) return false;
    for (const label of domain.split(".")) {
      const n = label.split(/[\u3002\uff0e\uff61]/).reduce((s, p) => s + labelLength(p) + 1, -1);
      if (n < 1 || n > 63) return false;
    }
    return protocol.length + url.length <= X.maxUrlLength;
  };
  const xUrls = (text) => {
    const spans = new Map();
    if (!text.includes(".")) return spans;
    const at = cpIndex(text);
    const add = (s, e) => spans.set(at.get(s), at.get(e));
    for (const m of text.matchAll(xRe.url)) {
      const { before, url, protocol, domain, path } = m.groups;
      let [start, end] = m.indices.groups.url;
      if (!xValidUrl(url, protocol || "https://", domain)) continue;
      if (protocol) {
        const slug = url.match(xRe.tco);
        if (slug) {
          if (slug[1].length > X.maxTcoSlug) continue;
          end = start + slug[0].length;
        }
        add(start, end);
        continue;
      }
      if (/[-_.\/]$/.test(before || "")) continue;
      const offset = m.indices.groups.domain[0];
      const found = [...domain.matchAll(xRe.ascii)].map((a) => [
        offset + a.index, offset + a.index + a[0].length]);
      if (found.length && path) found[found.length - 1][1] = end;
      for (const [s, e] of found) add(s, e);
    }
    return spans;
  };
  const isRI = (cp) => cp >= 0x1f1e6 && cp <= 0x1f1ff;
  const picto = (cp) => {
    if (cp >= 0x1f000 && cp <= 0x1faff) return !(isRI(cp) || (cp >= 0x1f3fb && cp <= 0x1f3ff));
    if (cp >= 0x1fc00 && cp <= 0x1fffd) return true;
    if (cp < 0x203c || cp > 0x3299) return false;
    return inRanges(X.pictographicBmp, cp);
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
  const x = (text, urlLength) => {
    text = text.normalize("NFC");
    const cps = Array.from(text, (c) => c.codePointAt(0));
    const urls = xUrls(text);
    let total = 0, i = 0;
    while (i < cps.length) {
      if (urls.has(i)) { total += urlLength; i = urls.get(i); continue; }
      const e = emojiLength(cps, i);
      if (e) { total += 2; i += e; continue; }
      total += inRanges(X.ranges, cps[i]) ? 1 : 2;
      i++;
    }
    return total;
  };

  // ---------------------------------------------------------------- Mastodon
  const M = DATA.mastodon;
  const mRe = {
    url: new RegExp(M.patterns.url, "giud"),
    tco: new RegExp(M.patterns.tco, "iu"),
    mention: new RegExp(M.patterns.mention, "giud"),
    endMention: new RegExp(M.patterns.endMention, "iuy"),
    blank: new RegExp(M.patterns.blank, "iu"),
  };
  // libidn's ToASCII, approximated: no unassigned code point, nameprep as NFKC + lower case.
  const mValidDomain = (url, domain) => {
    for (const c of domain) if (inRanges(M.unassigned, c.codePointAt(0))) return false;
    let encoded = -1;
    for (const raw of domain.split(/[.\u3002\uff0e\uff61]/)) {
      const label = isAscii(raw) ? raw : raw.normalize("NFKC").toLowerCase();
      if (!isAscii(label) && label.startsWith("xn--")) return false;
      const n = labelLength(label);
      if (n < 1 || n > 63) return false;
      encoded += n + 1;
    }
    return codePoints(url) + Math.max(0, encoded - codePoints(domain)) <= M.maxUrlLength;
  };
  const mastodon = (text, urlLength) => {
    if (mRe.blank.test(text)) return 0;
    const entities = [];
    if (text.includes(":")) {
      for (const m of text.matchAll(mRe.url)) {
        if (!m.groups.protocol) continue;
        let url = m.groups.url, [start, end] = m.indices.groups.url;
        const slug = url.match(mRe.tco);
        if (slug) {
          if (slug[1].length > M.maxTcoSlug) continue;
          url = slug[0];
          end = start + url.length;
        }
        if (mValidDomain(url, m.groups.domain)) entities.push([start, end, "x".repeat(urlLength)]);
      }
    }
    for (const m of text.matchAll(mRe.mention)) {
      const [start, end] = m.indices[1];
      mRe.endMention.lastIndex = m.index + m[0].length;
      if (mRe.endMention.test(text)) continue;
      const at = m[1].indexOf("@");
      const user = at < 0 ? m[1] : m[1].slice(0, at);
      if (at >= 0 && codePoints(m[1].slice(at + 1)) > M.maxDomainLength) continue;
      entities.push([start - 1, end, "@" + user]);
    }
    entities.sort((a, b) => a[0] - b[0]);
    let out = "", pos = 0;
    for (const [start, end, replacement] of entities) {
      if (start < pos) continue;
      out += text.slice(pos, start) + replacement;
      pos = end;
    }
    return graphemes(out + text.slice(pos));
  };

  // ---------------------------------------------------------------- Threads
  const threads = (text) => {
    let n = 0;
    for (const c of text) n += inRanges(DATA.threadsEmoji, c.codePointAt(0)) ? utf8(c) : 1;
    return n;
  };

  const counters = { x, graphemes, mastodon, threads, utf8, codepoints: codePoints,
    utf16: (t) => t.length };
  window.heraldCount = (platform, text, urlLength) => {
    const f = counters[DATA.counting[platform]] || ((t) => t.length);
    return f(String(text ?? ""), urlLength || 23);
  };
})();
"""


def counter_js() -> str:
    data = {
        "counting": COUNTING,
        "x": x_text.js_data(),
        "mastodon": mastodon_text.js_data(),
        "threadsEmoji": threads_text.EMOJI_RANGES,
    }
    return COUNTER_JS.replace("__DATA__", json.dumps(data))


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


def count_note(platform: Var | str) -> Var:
    """How `platform` counts, in a sentence (strict where the network documents no rule)."""
    p = Var.create(platform)
    return Var(_js_expr=f"({json.dumps(NOTES)}[{p}] || '')", _var_data=p._get_all_var_data()).to(
        str
    )


def is_strict(platform: Var | str) -> Var:
    """Whether Herald counts `platform` strictly because the network documents no rule."""
    p = Var.create(platform)
    return Var(
        _js_expr=f"({json.dumps(STRICT)}[{p}] === true)", _var_data=p._get_all_var_data()
    ).to(bool)


def client_text(name: str, default: str = "") -> ClientStateVar:
    return ClientStateVar.create(name, default)
