"""The composer's thread: further parts under the main text, each a reply to the one before on
X, Bluesky, Mastodon and Threads (other networks get the first part only)."""

from __future__ import annotations

import dataclasses
import re

import reflex as rx

from app.services.post_threads import MAX_PARTS, THREAD_PLATFORMS, empty_part
from app.ui.format import platform_name
from app.ui.state.composer import ComposerState
from app.ui.state.composer_model import Preview, Tab, segments

THREAD_NAMES = ", ".join(sorted(platform_name(p) for p in THREAD_PLATFORMS))
# How the networks' checks name a further part: "Thread part 3 is …", "Part 3 has 5 images…".
_PART = re.compile(r"^(?:Thread part|Part) (\d+)\b")


@dataclasses.dataclass
class ThreadPart:
    """One further part as the preview shows it: which network, which part, the card."""

    key: str = ""
    label: str = ""
    preview: Preview = dataclasses.field(default_factory=Preview)


class ComposerThreadState(ComposerState):
    @rx.event
    def add_part(self):
        if len(self.thread_parts) + 1 >= MAX_PARTS:
            return rx.toast.error(f"A thread has at most {MAX_PARTS} parts.")
        self.thread_media = [*self._part_media(), []]
        self.thread_parts = [*self.thread_parts, ""]
        self.problems = {}

    @rx.event
    def set_part(self, index: int, value: str):
        if 0 <= index < len(self.thread_parts) and value != self.thread_parts[index]:
            parts = list(self.thread_parts)
            parts[index] = value
            self.thread_parts = parts
            self._edited()

    @rx.event
    def remove_part(self, index: int):
        self.thread_media = [m for i, m in enumerate(self._part_media()) if i != index]
        self.thread_parts = [p for i, p in enumerate(self.thread_parts) if i != index]
        self.media_part = -1
        self.problems = {}

    @rx.event
    def remove_part_media(self, index: int, media_id: str):
        """Take a medium off thread part `index` (it stays in the library)."""
        media = self._part_media()
        if 0 <= index < len(media):
            media[index] = [m for m in media[index] if m.id != media_id]
            self.thread_media = media
            self.problems = {}

    @rx.event
    def move_part(self, index: int, step: int):
        other = index + step
        if 0 <= index < len(self.thread_parts) and 0 <= other < len(self.thread_parts):
            parts = list(self.thread_parts)
            parts[index], parts[other] = parts[other], parts[index]
            self.thread_parts = parts
            media = self._part_media()
            media[index], media[other] = media[other], media[index]
            self.thread_media = media
            self._edited()

    @rx.var
    def thread_tabs(self) -> list[Tab]:
        """The selected networks that publish threads (each part is counted for each)."""
        return [t for t in self.tabs if t.platform in THREAD_PLATFORMS]

    @rx.var
    def part_problems(self) -> list[list[str]]:
        """Each further part's problems, shown next to it: that it is empty (what Schedule
        says first), else what each selected network refuses in it, from the same live checks
        as the network boxes ("X: Thread part 2 is 281 characters…")."""
        media = self._part_media()
        empty = [not text.strip() and not media[i] for i, text in enumerate(self.thread_parts)]
        out = [[empty_part(i + 2)] if blank else [] for i, blank in enumerate(empty)]
        for tab in self.tabs:
            for account in tab.accounts:
                for problem in account.problems:
                    found = _PART.match(problem)
                    i = int(found.group(1)) - 2 if found else -1
                    line = f"{tab.platform_name}: {problem}"
                    if 0 <= i < len(out) and not empty[i] and line not in out[i]:
                        out[i].append(line)
        return out

    @rx.var
    def thread_note(self) -> str:
        """Which selected networks get the first part only, in words."""
        if not self.thread_parts:
            return ""
        chosen = self.selected_platforms
        single = [platform_name(p) for p in chosen if p not in THREAD_PLATFORMS]
        if chosen and not single:
            return ""
        if chosen and len(single) == len(chosen):
            return (
                f"None of the selected networks publishes threads: only part 1 goes out. "
                f"Threads work on {THREAD_NAMES}."
            )
        if not chosen:
            return f"Threads work on {THREAD_NAMES}; other networks get part 1 only."
        names = " and ".join([", ".join(single[:-1]), single[-1]] if len(single) > 1 else single)
        verb = "get" if len(single) > 1 else "gets"
        return f"{names} {verb} part 1 only."

    @rx.var
    def thread_previews(self) -> list[ThreadPart]:
        """The further parts as replies, for every selected account on a thread network."""
        if not self.thread_parts:
            return []
        total = len(self.thread_parts) + 1
        part_media = self._part_media()
        out: list[ThreadPart] = []
        for p in self.previews:
            if p.platform not in THREAD_PLATFORMS:
                continue
            for i, text in enumerate(self.thread_parts, start=2):
                media = part_media[i - 2]
                card = dataclasses.replace(
                    p,
                    title="",
                    segments=segments(text),
                    media=list(media[:4]),
                    empty=not text.strip() and not media,
                )
                out.append(
                    ThreadPart(
                        key=f"{p.account_id}-{i}",
                        label=f"{p.platform_name} · reply {i}/{total}",
                        preview=card,
                    )
                )
        return out
