"""A `git format-patch` file as data: its changelog and its hunks, line by line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


@dataclass
class Hunk:
    file: str
    header: str  # "@@ -4,7 +4,7 @@", without the function context
    context: str  # what git printed after the header (the enclosing function)
    lines: list = field(
        default_factory=list
    )  # (kind " " "-" "+" "\\", old line no, new line no, text)

    @property
    def removed(self) -> list[str]:
        return [t for k, _, _, t in self.lines if k == "-"]

    @property
    def added(self) -> list[str]:
        return [t for k, _, _, t in self.lines if k == "+"]


@dataclass
class Patch:
    subject: str
    changelog: str
    hunks: list


def _subject(head):
    """The Subject header, unfolded."""
    m = re.search(r"(?ms)^Subject: (.*?)\n(?=\S|\Z)", head + "\n")
    return " ".join(m.group(1).split()) if m else ""


def parse(text: str) -> Patch:
    """Patch of a format-patch file. Hunks are read by their line counts,
    so a removed line that reads "- " is never taken for the signature."""
    head, _, rest = text.partition("\n\n")
    body, _, diff = rest.partition("\n---\n")
    hunks: list[Hunk] = []
    file, old_left, new_left, old_no, new_no = None, 0, 0, 0, 0
    cur: Hunk | None = None
    for line in diff.split("\n"):
        if old_left > 0 or new_left > 0:
            kind, t = (line[:1] or " "), line[1:]
            o = old_no if kind in " -" else None
            n = new_no if kind in " +" else None
            cur.lines.append((kind, o, n, t))  # type: ignore[union-attr]  # counts > 0: in a hunk
            old_no, new_no = old_no + (kind in " -"), new_no + (kind in " +")
            old_left, new_left = old_left - (kind in " -"), new_left - (kind in " +")
        elif line.startswith("\\") and cur:
            cur.lines.append(("\\", None, None, line[2:]))
        elif line.startswith("diff --git "):
            file = line.split(" b/", 1)[1]
        elif file and (m := _HUNK.match(line)):
            old_no, new_no = int(m[1]), int(m[3])
            old_left = int(m[2]) if m[2] is not None else 1
            new_left = int(m[4]) if m[4] is not None else 1
            cur = Hunk(file, line[:len(line) - len(m[5])], m[5].strip())
            hunks.append(cur)
    return Patch(_subject(head), body.strip("\n"), hunks)
