"""What the console shows of an apply or series run: one screen, and the
exit status of a tree short of its end state."""

from __future__ import annotations

from pathlib import Path
from typing import Any


STATUS_WORDS = {
    "applied": "applied",
    "already-done": "already done",
    "not-applicable": "not applicable",
    "skipped": "skipped",
    "pending": "pending",
    "no-change": "NO CHANGE",
}


# The exit status of a run that left the tree short of the recipe's end state
# (the one --strict gives residuals): a CI running apply must notice.
SHORT_OF_END_STATE = 3


def short_of_end_state(steps: list[dict[str, Any]]) -> str:
    """The line that says a run left the tree short of the recipe's end state."""
    short = next(s["name"] for s in steps if s.get("short_of_end_state"))
    later = sum(1 for s in steps if s["reason"].startswith(f"not run: {short} "))
    return (
        f"The tree did NOT reach the recipe's end state: {short} fell short of its end state and"
        f" was undone, {later} later step(s) not run (exit status {SHORT_OF_END_STATE})."
    )


def _step_line(i, n, s):
    head = f"  [{i}/{n}] {s['name']:<26} {STATUS_WORDS.get(s['status'], s['status'])}"
    if s["status"] == "applied":
        head += (f": {len(s['changed_files'])} file(s), {s['sites_rewritten']} site(s) rewritten, "
                 f"{s['hunks']} hunk(s), {len(s['residuals'])} residual(s)")
    elif s["reason"]:
        head += f": {s['reason']}"
    return head


def render(report: dict[str, Any], out_dir: Path) -> str:
    t = report["tree"]
    steps = report["steps"]
    lines = [
        f"treewide apply: {t['name']} ({t['version']}), generation {report['generation_before']}, "
        f"recipe {report['recipe']}, spatch {report['spatch_version']}, {report['mode']}"
    ]
    if report["virtuals"]:
        lines.append("  virtual rules: " + ", ".join(report["virtuals"]))
    lines += [_step_line(i, len(steps), s) for i, s in enumerate(steps, 1)]
    changed = report["changed_files"]
    worked = [s for s in steps if s["status"] not in ("already-done", "not-applicable", "pending")]
    if not worked:
        lines.append("Nothing to do: the tree is already at the end state of the recipe.")
    else:
        verb = "would change" if report["mode"] == "dry-run" else "changed"
        lines.append(f"{len(changed)} file(s) {verb}.")
    for real, link in report.get("through_symlinks", {}).items():
        lines.append(
            f"  {real}: reached through the symlink {link}, rewritten at its target (the link"
            " stays)"
        )
    for name, inv in report.get("invariants", {}).items():
        if inv["broken_before"] or inv["broken_after"]:
            state = "broken before the run" if inv["broken_before"] else "held before the run"
            state += ", broken after it" if inv["broken_after"] else ", holds after it"
            lines.append(f"Invariant {name} ({inv['what']}): {state}.")
    if any(s.get("short_of_end_state") for s in steps):
        lines.append(short_of_end_state(steps))
    res = report["residuals"]
    quiet = report["parse_failures_elsewhere"]
    lines.append(f"Residuals: {len(res)}" + (":" if res else "."))
    for r in res[:15]:
        where = f"{r.get('file', '')}:{r['line']}" if "line" in r else r.get("file", "")
        what = r.get("text") or r.get("what") or r.get("error") or ""
        lines.append(f"  - [{r['step']}] {r['kind']}: {where} {what}".rstrip())
    if len(res) > 15:
        lines.append(f"  ... {len(res) - 15} more in apply.json")
    if quiet:
        files = sorted({r["file"] for r in quiet})
        lines.append(
            f"Parse failures away from any old-form site: {len(quiet)} in {len(files)} file(s) "
            f"({', '.join(files[:4])}{', ...' if len(files) > 4 else ''}); listed in apply.json."
        )
    lines.append(
        f"Details: {out_dir}/apply.json, diff: {out_dir}/apply.diff ({report['wall_s']:.1f} s)"
    )
    return "\n".join(lines)


def render_series(data: dict[str, Any], out_dir: Path) -> str:
    """The one-screen summary of a series run."""
    lines = [f"treewide series: {data['tree']['name']} ({data['tree']['version']}), "
             f"{len(data['patches'])} patch(es) on base {data['base'][:12]}"]
    for p in data["patches"]:
        ck = p["checkpatch"]
        state = (
            "checkpatch clean"
            if ck["clean"]
            else (
                f"checkpatch: {len(ck['messages'])} message(s)"
                + ("" if ck["explained"] else ", UNEXPLAINED")
            )
        )
        lines.append(
            f"  {p['patch']}: {len(p['files'])} file(s), To {len(p['maintainers']['to'])}, "
            f"Cc {len(p['maintainers']['cc'])}, {state}"
        )
    v = data.get("verify")
    if v:
        lines.append(
            "git am on a clean base: "
            + ("same tree as apply" if v["identical"] else f"MISMATCH ({v['error'] or v['tree']})")
        )
    lines.append(
        f"Series: {out_dir}/series/, report: {out_dir}/report.md, provenance:"
        f" {out_dir}/provenance.json"
    )
    return "\n".join(lines)
