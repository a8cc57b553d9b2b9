"""How a regenerated series differs from an earlier one: per step, then
git range-diff of the two commit ranges (patch by patch)."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

from .errors import ToolError
from .gitrepo import init_bare


def _load(out):
    out = Path(out)
    series, git = out / "series.json", out / ".work" / "git"
    if not series.is_file() or not git.is_dir():
        raise ToolError(f"{out} holds no series (no series.json or .work/git)",
                        "pass output directories of `treewide series` (make series OUT=...)")
    data = json.loads(series.read_text())
    applied = (
        json.loads((out / "apply.json").read_text())
        if (out / "apply.json").is_file()
        else {"steps": []}
    )
    data["status"] = {st["name"]: (st["status"], st["reason"]) for st in applied["steps"]}
    return data, git


def run(old: Path | str, new: Path | str) -> str:
    (a, agit), (b, bgit) = _load(old), _load(new)
    lines = [
        (
            f"old: {a['tree']['name']} (Linux {a['tree']['version']}, generation"
            f" {a['generation_before']}), {len(a['patches'])} patch(es)"
        ),
        (
            f"new: {b['tree']['name']} (Linux {b['tree']['version']}, generation"
            f" {b['generation_before']}), {len(b['patches'])} patch(es)"
        ),
        "",
    ]
    steps_a = {p["step"]: p for p in a["patches"]}
    steps_b = {p["step"]: p for p in b["patches"]}
    for step in dict.fromkeys(
        [p["step"] for p in a["patches"]] + [p["step"] for p in b["patches"]]
    ):
        pa, pb = steps_a.get(step), steps_b.get(step)
        if pa and pb:
            lines.append(f"  {step}: in both ({len(pa['files'])} -> {len(pb['files'])} file(s))")
        else:
            side, other = ("old", b) if pa else ("new", a)
            status, reason = other["status"].get(step, ("absent", "not in that recipe"))
            lines.append(
                f"  {step}: only in {side}; in the other: {status}"
                + (f" ({reason})" if reason else "")
            )
    return (
        "\n".join(lines)
        + "\n\n"
        + _range_diff((agit, a["base"], a["tip"]), (bgit, b["base"], b["tip"]))
    )


def _range_diff(old, new, *opts):
    """git range-diff of (git dir, base, tip) old and new."""
    with tempfile.TemporaryDirectory(prefix="treewide-range-diff-") as tmp:
        init_bare(tmp)
        alternates = [str((g / "objects").resolve()) for g, _, _ in (old, new)]
        (Path(tmp) / "objects/info/alternates").write_text("\n".join(alternates) + "\n")
        r = subprocess.run(["git", "--git-dir", tmp, "range-diff", "--no-color", *opts,
                            f"{old[1]}..{old[2]}", f"{new[1]}..{new[2]}"],
                           capture_output=True, text=True, errors="replace", check=False)
    if r.returncode != 0:
        raise ToolError(
            f"git range-diff failed: {r.stderr.strip()[:300]}", "regenerate both series"
        )
    return r.stdout


# range-diff's pair lines: "1:  abc1234 = 1:  def5678 subject";
# "-:  ------- > 2:  ..." for a new one.
_PAIR = re.compile(r"^\s*(?:\d+|-):\s+\S+\s+([=!<>])\s+(?:\d+|-):\s+\S+\s+(.*)$")
_SAID = {
    "=": "unchanged",
    "!": "changed (see the range-diff of the two series)",
    "<": "dropped",
    ">": "new",
}


def changes(old_out: Path, new: tuple[Path, str, str]) -> list[str]:
    """"Changes in vN" lines: each patch of the old series and of the new
    one (git dir, base, tip) unchanged, changed, dropped or new."""
    a, agit = _load(old_out)
    pairs = [
        _PAIR.match(line)
        for line in _range_diff((agit, a["base"], a["tip"]), new, "-s").splitlines()
    ]
    return [f"- {m.group(2)}: {_SAID[m.group(1)]}" for m in pairs if m]
