"""Which step, semantic patch (or overlay file) made each hunk of each patch."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import patchfile
from .encoding import ENC

if TYPE_CHECKING:
    from .apply import StepResult


def build(results: list[StepResult], commits: list[dict[str, Any]],
          patches: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """{patch: [{file, hunk, step, sources, made_by}]}: sources are the SmPL files (or overlay
    file) whose own changes to that file share removed or added lines with the hunk; made_by
    adds the named rules of each that fired on the file."""
    by_step = {r.name: r for r in results}
    out = {}
    for commit, patch in zip(commits, patches):
        res = by_step[commit["step"]]
        entries = []
        for h in patchfile.parse(Path(patch).read_text(**ENC)).hunks:
            made = [
                {"source": src, "rules": rules}
                for src, rules, rem, add in res.origin.get(h.file, [])
                if set(h.removed) & rem or set(h.added) & add
            ]
            entries.append(
                {
                    "file": h.file,
                    "hunk": h.header,
                    "step": commit["step"],
                    "sources": [m["source"] for m in made] or ["(unattributed)"],
                    "made_by": made,
                }
            )
        out[patch.name] = entries
    return out
