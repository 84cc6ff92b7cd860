"""The one retry backoff of Herald's retry loops (publishing, email, webhooks)."""

from __future__ import annotations

import math
import random


def delay(attempts: int, base: float, cap: float = math.inf, *, jitter: bool = True) -> float:
    """Seconds before the next try after `attempts` failed ones: base·2^(n-1), at most `cap`;
    with jitter 50–100% of that, so items that failed together do not retry together."""
    seconds = min(cap, base * 2.0 ** max(0, attempts - 1))
    return seconds * random.uniform(0.5, 1.0) if jitter else seconds
