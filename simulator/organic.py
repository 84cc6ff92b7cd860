"""Organic engagement for sandbox mode: what makes the simulated networks feel lived in.

With `Simulator(organic=True)` (`python -m simulator --organic`, as `make run` starts it), a
published post gathers views, likes, reposts and comments on a saturating curve of its age,
and its author gains followers with them. Everything is deterministic: the ceiling of each
counter is seeded by the platform and the post id, so a test can predict any value from the
post's age (`counts`). Each platform maps these generic counters onto its own (`OWN_COUNTERS`,
via `PlatformSim.organic_posts`), only ever raising them: a counter set by hand is never lowered.

Avatars are deterministic too: an SVG of the account's initials on a colour seeded by its name.
"""

from __future__ import annotations

import hashlib
import html
import math

# Most of a post's reach comes in its first half hour (63 % after TAU_S, 95 % after 3 TAU_S).
TAU_S = 600.0
GENERIC = ("views", "likes", "reposts", "comments", "quotes", "saves", "clicks", "followers")

# Each platform's own names of the generic counters it keeps on a post (the dict of
# `PlatformSim.organic_posts`): only these are raised.
OWN_COUNTERS: dict[str, dict[str, str]] = {
    "bluesky": {
        "likes": "likeCount",
        "reposts": "repostCount",
        "comments": "replyCount",
        "quotes": "quoteCount",
        "saves": "bookmarkCount",
    },
    "facebook": {
        "likes": "reactions",
        "comments": "comments",
        "reposts": "shares",
        "views": "media_view",
        "clicks": "clicks",
    },
    "instagram": {
        "views": "views",
        "likes": "likes",
        "comments": "comments",
        "reposts": "shares",
        "saves": "saved",
    },
    "linkedin": {
        "likes": "likes",
        "comments": "comments",
        "reposts": "shares",
        "views": "impressions",
        "clicks": "clicks",
    },
    "mastodon": {
        "likes": "favourites_count",
        "reposts": "reblogs_count",
        "comments": "replies_count",
        "quotes": "quotes_count",
    },
    "pinterest": {
        "views": "IMPRESSION",
        "clicks": "PIN_CLICK",
        "saves": "SAVE",
        "comments": "TOTAL_COMMENTS",
        "likes": "TOTAL_REACTIONS",
    },
    "threads": {
        "views": "views",
        "likes": "likes",
        "comments": "replies",
        "reposts": "reposts",
        "quotes": "quotes",
    },
    "tiktok": {
        "views": "view_count",
        "likes": "like_count",
        "comments": "comment_count",
        "reposts": "share_count",
    },
    "x": {
        "views": "impression_count",
        "likes": "like_count",
        "reposts": "retweet_count",
        "comments": "reply_count",
        "quotes": "quote_count",
        "saves": "bookmark_count",
    },
    "youtube": {
        "views": "viewCount",
        "likes": "likeCount",
        "comments": "commentCount",
    },
}


def _seed(*parts: str) -> bytes:
    return hashlib.sha256(":".join(parts).encode()).digest()


def ceiling(platform: str, post_id: str) -> dict[str, int]:
    """What a post gathers in the end: views 300–3000, likes 2–8 % of them, the rest of likes."""
    h = _seed(platform, post_id)
    views = 300 + int.from_bytes(h[:4], "big") % 2701
    likes = max(3, round(views * (0.02 + h[4] / 255 * 0.06)))
    return {
        "views": views,
        "likes": likes,
        "reposts": max(1, round(likes * (0.1 + h[5] / 255 * 0.2))),
        # At least 2: counts() floors, so half an hour in a post shows one comment.
        "comments": max(2, round(likes * (0.05 + h[6] / 255 * 0.15))),
        "quotes": round(likes * h[7] / 255 * 0.05),
        "saves": round(likes * (0.05 + h[8] / 255 * 0.1)),
        "clicks": round(views * (0.01 + h[9] / 255 * 0.03)),
        # At least 2 as well: twenty minutes in, a post has won its author a follower.
        "followers": max(2, round(likes * (0.05 + h[10] / 255 * 0.1))),
    }


def counts(platform: str, post_id: str, age_s: float) -> dict[str, int]:
    """The post's counters `age_s` seconds after it was published (0 before)."""
    share = 1.0 - math.exp(-max(0.0, age_s) / TAU_S)
    return {k: math.floor(v * share) for k, v in ceiling(platform, post_id).items()}


def base_followers(platform: str, account: str) -> int:
    """Followers an account has before any post: 120–900, seeded by its name."""
    return 120 + int.from_bytes(_seed(platform, "followers", account.lower())[:4], "big") % 781


_COLOURS = [
    "#1d9bf0",
    "#0085ff",
    "#6364ff",
    "#1877f2",
    "#e1306c",
    "#0a66c2",
    "#e60023",
    "#fe2c55",
    "#7c3aed",
    "#0f766e",
]


def avatar_svg(platform: str, account: str, name: str = "") -> str:
    """A 96×96 SVG avatar: one or two initials on a colour seeded by the account."""
    label = (name or account).strip().lstrip("@") or "?"
    words = [w for w in label.replace("_", " ").replace(".", " ").split() if w]
    initials = "".join(w[0] for w in words[:2]).upper() or label[:1].upper()
    h = _seed(platform, "avatar", account.lower())
    colour = _COLOURS[h[0] % len(_COLOURS)]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        f'<rect width="96" height="96" rx="48" fill="{colour}"/>'
        '<text x="48" y="50" text-anchor="middle" dominant-baseline="central" '
        'font-family="system-ui,sans-serif" font-size="38" font-weight="600" fill="#fff">'
        f"{html.escape(initials[:2])}</text></svg>"
    )
