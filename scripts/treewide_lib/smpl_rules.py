"""A SmPL file cut into its rules, so a reviewer can be sent to the one
rule that made a hunk. A rule runs from its `@...@` header to the next
rule's header; script rules stay with the rule before them, whose firing
they record."""

from __future__ import annotations

import re


_HEADER = re.compile(r"^@\s*(\w+)?(?::\w+)?")
_SCRIPT = ("script", "initialize", "finalize")


def split(text: str) -> list[tuple[str | None, int, str]]:
    """[(rule name or None, first line number, text)]: the preamble (the
    `///` description and options) is the first block, named None."""
    blocks: list[tuple[str | None, int, list[str]]] = []
    name: str | None = None
    lines: list[str] = []
    first, in_metavars = 1, False
    for no, line in enumerate(text.split("\n"), 1):
        if in_metavars:
            in_metavars = not line.startswith("@@")
        elif line.startswith("@"):
            in_metavars = not re.match(r"^@[^@]*@\s*@@", line)
            header = _HEADER.match(line)
            rule = header.group(1) if header else None
            if rule not in _SCRIPT:
                blocks.append((name, first, lines))
                name, first, lines = rule, no, []
        lines.append(line)
    blocks.append((name, first, lines))
    return [
        (n, at, "\n".join(ls).rstrip("\n")) for n, at, ls in blocks if any(x.strip() for x in ls)
    ]
