"""Which step, semantic patch (or overlay file) made each hunk of each patch."""

import re
from pathlib import Path

from .tree import ENC

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def hunks(patch_text):
    """[(file, header, removed lines, added lines)] of a patch file."""
    out, cur, file = [], None, None
    for line in patch_text.split("\n"):
        if line.startswith("diff --git "):
            file, cur = line.split(" b/", 1)[1], None
        elif line.startswith("@@") and file:
            cur = [file, line, [], []]
            out.append(cur)
        elif cur and line.startswith("-") and not line.startswith("---"):
            cur[2].append(line[1:])
        elif cur and line.startswith("+") and not line.startswith("+++"):
            cur[3].append(line[1:])
        elif line == "-- ":
            break
    return out


def build(results, commits, patches):
    """{patch: [{file, hunk, step, sources, made_by}]}: sources are the SmPL files (or overlay
    file) whose own changes to that file share removed or added lines with the hunk; made_by
    adds the named rules of each that fired on the file."""
    by_step = {r.name: r for r in results}
    out = {}
    for commit, patch in zip(commits, patches):
        res = by_step[commit["step"]]
        entries = []
        for file, header, removed, added in hunks(Path(patch).read_text(**ENC)):
            made = [{"source": src, "rules": rules} for src, rules, rem, add in res.origin.get(file, [])
                    if set(removed) & rem or set(added) & add]
            entries.append({"file": file, "hunk": header.split(" @@")[0] + " @@", "step": commit["step"],
                            "sources": [m["source"] for m in made] or ["(unattributed)"], "made_by": made})
        out[patch.name] = entries
    return out
