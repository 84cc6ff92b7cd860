"""What several provider tests use: sample files, the vendor API documents, the one post."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator import Simulator

# The vendor documents live in the shared folder beside the repository (README there).
SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs"
# A valid 1x1 PNG: the simulators check uploads by content, not by the declared type.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def one_post(sim: Simulator, platform: str) -> dict[str, Any]:
    """The only post the simulated `platform` accepted (fails when there are none or more)."""
    posts = sim.posts(platform)
    assert len(posts) == 1, posts
    return posts[0]
