"""What the runs record, as a terminal, matrix.md, boot.md, sweep.md and
the review page show it: the statuses that fail a build cell or a boot
machine, and the text of cell, commit, machine and sweep records. It
imports none of the machinery that makes them, so a page renders without
it.

The records' fields are the TypedDicts below: what matrix.json,
boot.json and sweep.json hold (docs/formats.md is checked against them).
"""

from typing import Any, TypedDict

MATRIX_SCHEMA = "treewide-matrix/1"
BOOT_SCHEMA = "treewide-boot/1"
SWEEP_SCHEMA = "treewide-sweep/1"


class CommitRecord(TypedDict, total=False):
    """One commit of the series built in one cell (--each-commit)."""
    commit: str
    patch: str
    subject: str
    configured: bool
    status: str                     # ok | new-diagnostics | not-bisectable
    built: int
    not_built: list[str]            # objects the last commit builds and this one does not
    new: list[str]                  # diagnostics new against the baseline
    new_vs_previous: list[str]
    duration_s: float


class CellRecord(TypedDict, total=False):
    """One build cell, baseline against patched (cells/CELL.json)."""
    cell: str
    arch: str
    defconfig: str
    why: str
    reproduce: str
    status: str                     # ok | regression | baseline-broken | config-lost | ...
    reason: str
    compiler: str
    quirks: list[str]
    fixups: list[str]
    config: dict[str, str | None]   # each requested option's final value
    phases: dict[str, float]
    selected: int
    candidates: int
    link: str
    selection_check: dict[str, Any]
    flaky: list[str]
    new: list[str]
    gone: list[str]
    unchanged: int
    objects_built: int
    new_failures: list[str]
    preexisting_failures: list[str]
    unresolved: list[str]
    code: dict[str, Any]
    commits: list[CommitRecord]
    sparse: dict[str, Any] | str
    make: str
    duration_s: float


class BootTreeRecord(TypedDict, total=False):
    """One tree (baseline or patched) built and booted on one machine."""
    tree: str
    build: str                      # ok | failed | config-lost
    build_s: float
    reason: str
    options_not_in_tree: list[str]
    verdict: str                    # pass | fail | no-verdict
    detail: str
    boot_s: float | None
    exit: int | str | None
    console: str
    qemu: str
    probe: dict[str, Any]
    runner: str                     # lava, where LAVA booted it (none: the direct harness)
    lava_job: str                   # the job definition
    lava_log: str                   # LAVA's job log
    lava_probe: str                 # LAVA's test case of the probe: pass | fail
    lab_error: bool                 # LAVA ended the job with an error of the lab's
    pending: bool                   # a job for a lab, no results yet


class MachineRecord(TypedDict, total=False):
    """One boot machine (machines/MACHINE.json)."""
    machine: str
    arch: str
    why: str
    hook: str                       # whether the DMA test goes through the hook the series rewrites
    config: str
    reproduce: str
    trees: dict[str, BootTreeRecord]
    status: str                     # ok | fixed | regression | baseline-broken | config-lost
                                    # | lab-error | pending
    reason: str
    duration_s: float


class SweepRow(TypedDict, total=False):
    """One tree of a sweep (sweep.json's trees)."""
    tree: str
    name: str
    version: str
    error: str                      # a tree that could not be read: no more fields
    generation_before: str
    generation_after: str
    steps: dict[str, dict[str, Any]]
    changed_files: list[str]
    residuals: list[str]
    parse_failures: int
    invariants: dict[str, Any]
    second_pass: dict[str, Any]
    wall_s: float
    report: str                     # its directory under OUT: apply.json, apply.diff
    check: list[str] | None


# A cell or machine in one of these fails the run (exit 1) and the series' readiness.
MATRIX_FAILED = ("regression", "selection-misses", "timeout", "config-lost", "error")
BOOT_FAILED = ("regression", "config-lost", "lab-error")
# The source of lines the toolkit's #if folding changed (provenance.json), not a rule's.
FOLDING = "#if folding"


def matrix_markdown(records: list[CellRecord], skips: dict[str, str]) -> str:
    out = [
        (
            "| cell | arch | status | new | gone | sparse new | unresolved new | pre-existing"
            " failures | objects | code | commits | time |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(records, key=lambda r: r["cell"]):
        code = code_summary(r.get("code"))
        out.append(
            f"| {r['cell']} | {r['arch']} |"
            f" {r['status']}{': ' + r['reason'] if r.get('reason') else ''} |"
            f" {len(r.get('new', []))} | {len(r.get('gone', []))} | {_sparse_new(r)} |"
            f" {len(r['unresolved']) if 'unresolved' in r else '-'} |"
            f" {len(r.get('preexisting_failures', []))} |"
            f" {r.get('objects_built', 0)}/{r.get('selected', 0)} | {code} | {commits_summary(r)} |"
            f" {r.get('duration_s', 0)} s |"
        )
    out += ["", "Skipped arches:", ""] + [f"- {a}: {why}" for a, why in sorted(skips.items())]
    return "\n".join(out + matrix_details(records)) + "\n"


def code_summary(code: dict[str, Any] | None) -> str:
    if not code:
        return "-"
    if code.get("not_compared"):
        return "not compared"
    return f"{len(code['differs'])} differ" if code["differs"] else "identical"


def commits_summary(r: CellRecord) -> str:
    if "commits" not in r:
        return "-"
    ok = sum(c["status"] == "ok" for c in r["commits"])
    return f"{ok}/{len(r['commits'])} ok"


def matrix_details(records: list[CellRecord]) -> list[str]:
    """One line per finding: what a failing cell shows, and what was already broken."""
    out = []
    for r in sorted(records, key=lambda r: r["cell"]):
        chk = r.get("selection_check")
        if chk:
            out.append(
                f"- SELECTION CHECK in {r['cell']}: the full build compiled"
                f" {chk['compiled']} objects, the change reaches {chk['reached']}, the selection"
                f" has {chk['selected']}; missed {len(chk['missed'])} {' '.join(chk['missed'])};"
                " selected but not compiled"
                f" {len(chk['selected_not_compiled'])} {' '.join(chk['selected_not_compiled'])}"
            )
        checked = r.get("sparse")
        sparse: dict[str, Any] = checked if isinstance(checked, dict) else {}
        for label, found in [("NEW", r.get("new", [])), ("SPARSE NEW", sparse.get("new", [])),
                             ("CODE DIFFERS", (r.get("code") or {}).get("differs", [])),
                             ("NEW UNRESOLVED REFERENCE", r.get("unresolved", [])),
                             ("failed once, built on a retry", r.get("flaky", [])),
                             ("pre-existing failure", r.get("preexisting_failures", []))]:
            out += [f"- {label} in {r['cell']}: {d}" for d in found]
        not_compared = (r.get("code") or {}).get("not_compared")
        if not_compared:                                        # "not compared: why"
            out.append(f"- object code in {r['cell']} {not_compared}")
        if sparse.get("not_checked"):
            out.append(
                f"- SPARSE DID NOT FINISH in {r['cell']} (not checked):"
                f" {' '.join(sparse['not_checked'])}"
            )
        out += commit_details(r["cell"], r.get("commits", []))
    return out


def _sparse_new(r: CellRecord) -> str:
    sp = r.get("sparse")
    if not isinstance(sp, dict):
        return "-"
    return f"{len(sp['new'])}" + (
        f" ({len(sp['not_checked'])} not checked)" if sp.get("not_checked") else ""
    )


def commit_details(cell: str, results: list[CommitRecord]) -> list[str]:
    """Finding lines of a cell's commits, in the matrix's detail style."""
    out = []
    for r in results:
        if r["status"] == "not-bisectable":
            what = ", ".join(r["not_built"]) or "configure fails"
            out.append(f"- NOT BISECTABLE in {cell}: {r['patch']}: {what}")
        out += [f"- NEW in {cell} at {r['patch']}: {d}" for d in r["new"]]
    return out


def boot_markdown(records: list[MachineRecord], skips: dict[str, str]) -> str:
    out = [
        "| machine | arch | status | baseline | patched | boot s (b/p) | time |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        b, p = r["trees"]["baseline"], r["trees"]["patched"]
        out.append(
            f"| {r['machine']} | {r['arch']} | {r['status']} | {_cell(b)} | {_cell(p)} "
            f"| {b.get('boot_s') or '-'} / {p.get('boot_s') or '-'} | {r['duration_s']} s |"
        )
    out += [
        f"- {r['status'].upper()} {r['machine']}: {r['reason']}" for r in records if r["reason"]
    ]
    out += ["", "Arches and machines without a boot here:", ""] + [
        f"- {a}: {why}" for a, why in sorted(skips.items())
    ]
    return "\n".join(out) + "\n"


def _cell(t: BootTreeRecord) -> str:
    return t.get("verdict", t["build"]) if t["build"] == "ok" else f"build {t['build']}"


_SHORT = {
    "applied": "applied",
    "already-done": "done",
    "not-applicable": "n/a",
    "skipped": "skipped",
    "pending": "pending",
    "no-change": "NO CHANGE",
}


def sweep_table(rows: list[SweepRow], step_names: list[str]) -> tuple[list[str], list[list[str]]]:
    """(head, rows of cells): one row per tree, one column per step."""
    head = [
        "tree",
        "version",
        "gen",
        *step_names,
        "files",
        "residuals",
        "parse failures",
        "2nd run",
        "s",
        "expected",
    ]
    out = []
    for r in rows:
        if "error" in r:
            out.append([r["name"], f"could not be read: {r['error']}"] + [""] * (len(head) - 2))
            continue
        steps = [_SHORT.get(r["steps"].get(n, {}).get("status", ""), "-") for n in step_names]
        second = "changes" if r["second_pass"]["changed_files"] else "nothing"
        verdict = (
            "-"
            if r["check"] is None
            else ("ok" if not r["check"] else "MISMATCH: " + "; ".join(r["check"]))
        )
        out.append(
            [
                r["name"],
                r["version"],
                f"{r['generation_before']} → {r['generation_after']}",
                *steps,
                str(len(r["changed_files"])),
                str(len(r["residuals"])),
                str(r["parse_failures"]),
                second,
                str(r["wall_s"]),
                verdict,
            ]
        )
    return head, out


def sweep_markdown(rows: list[SweepRow], step_names: list[str]) -> str:
    head, cells = sweep_table(rows, step_names)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines) + "\n"


def sweep_reasons(rows: list[SweepRow], step_names: list[str]) -> str:
    """Why each step that did not apply did not, per tree: the table's footnotes."""
    out = []
    for r in rows:
        for n in step_names:
            s = r.get("steps", {}).get(n)
            if s and s["status"] not in ("applied",) and s["reason"]:
                out.append(f"- {r['name']}, {n}: {s['reason']}")
    return "\n".join(out) + ("\n" if out else "")
