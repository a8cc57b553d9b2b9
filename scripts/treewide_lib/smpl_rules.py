"""A SmPL file cut into its rules, so a reviewer can be sent to the one
rule that made a hunk. A rule runs from its `@...@` header to the next
rule's header; script rules stay with the rule before them, whose firing
they record."""

import re

_HEADER = re.compile(r"^@\s*(\w+)?(?::\w+)?")
_SCRIPT = ("script", "initialize", "finalize")


def split(text):
    """[(rule name or None, first line number, text)]: the preamble (the
    `///` description and options) is the first block, named None."""
    blocks, cur, in_metavars = [], [None, 1, []], False
    for no, line in enumerate(text.split("\n"), 1):
        if in_metavars:
            in_metavars = not line.startswith("@@")
        elif line.startswith("@"):
            in_metavars = not re.match(r"^@[^@]*@\s*@@", line)
            name = _HEADER.match(line).group(1)
            if name not in _SCRIPT:
                blocks.append(cur)
                cur = [name, no, []]
        cur[2].append(line)
    blocks.append(cur)
    return [(n, first, "\n".join(lines).rstrip("\n")) for n, first, lines in blocks if any(x.strip() for x in lines)]
