"""Processes on this machine (no settings read: the test harness uses it before they exist)."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether a process with this pid exists here (another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
