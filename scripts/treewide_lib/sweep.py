"""The release view: the recipe as a dry run over many trees, one row each.

Nothing is written into any tree. Each tree is run twice on its staged
view: the second pass runs the recipe on the first pass's result, so a row
also says whether the recipe reached a fixpoint there (a second `apply`
would change nothing). Expectations, one row per tree in a TOML file, say
what upstream history makes each step do there.
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import apply, lock
from .errors import ToolError
from .paths import DATA
from .records import SWEEP_SCHEMA, SweepRow, sweep_markdown, sweep_reasons
from .tree import Tree

if TYPE_CHECKING:
    from .apply import StepResult
    from .recipe import Recipe
    from .spatch import Spatch


EXPECTATIONS = DATA / "sweep.toml"


def load_expectations(path: Path | str) -> dict[str, dict[str, Any]]:
    """{tree folder name: expectation row} from a sweep expectations file."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ToolError(
            f"expectations file {path} not found", "pass an existing file with --expect"
        ) from None
    except (tomllib.TOMLDecodeError, IsADirectoryError, UnicodeDecodeError) as e:
        raise ToolError(
            f"expectations file {path} is not valid TOML ({e})", "fix its syntax"
        ) from None
    rows = {}
    for row in data.get("tree", []):
        if "name" not in row:
            raise ToolError(
                f"{path}: a [[tree]] row without 'name'", "name the tree folder it is for"
            )
        rows[row["name"]] = row
    return rows


def generation_after(recipe: Recipe, results: list[StepResult], before: str) -> str:
    """How far the recipe brings the tree: the last generation step in order
    that is applied without residuals or already done. Generations are
    ordered as the recipe's steps name them."""
    order = list(dict.fromkeys(g for st in recipe.steps for g in (st.gen_from, st.gen_to) if g))
    rank = {g: i for i, g in enumerate(order)}
    gen = before
    for step, res in zip(recipe.steps, results):
        if not step.gen_to:
            continue
        if res.status == "already-done" or (res.status == "applied" and not res.residuals):
            gen = step.gen_to if rank[step.gen_to] > rank.get(gen, -1) else gen
        elif res.status != "not-applicable":
            break
    return gen


def sweep_tree(path: Path | str, recipe: Recipe, spatch: Spatch, dest: Path) -> SweepRow:
    """One row: what the recipe does on the tree at `path` (never written);
    its apply report and diff go to `dest`."""
    t0 = time.monotonic()
    try:
        tree = Tree(path)
        with lock.tree_lock(tree.root, exclusive=False):
            return _sweep_locked(tree, recipe, spatch, dest, t0, lambda *a: None)
    except ToolError as e:           # a row that says why, and the sweep goes on
        return {"tree": str(path), "name": Path(path).name, "error": f"{e.cause} ({e.fix})"}


def _sweep_locked(tree, recipe, spatch, dest, t0, quiet) -> SweepRow:
    """The two passes of sweep_tree, under the tree's shared lock."""
    applier, results, broken_before = apply.run_steps(tree, recipe, spatch, quiet)
    rep = apply.report(
        tree, recipe, spatch, applier, results, broken_before, True, time.monotonic() - t0
    )
    first = dict(tree.staged)
    _, again, _ = apply.run_steps(tree, recipe, spatch, quiet)
    rechanged = sorted(rel for rel in tree.staged if tree.staged[rel] != first.get(rel))
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "apply.json").write_text(json.dumps(rep, indent=2) + "\n")
    (dest / "apply.diff").write_text(
        "".join(r.diff for r in results), encoding="utf-8", errors="surrogateescape"
    )
    return {
        "tree": str(tree.root), "name": tree.name, "version": tree.version,
        "generation_before": rep["generation_before"],
        "generation_after": generation_after(recipe, results, rep["generation_before"]),
        "steps": {
            s["name"]: {
                "status": s["status"],
                "reason": s["reason"],
                "files": len(s["changed_files"]),
                "sites": s["sites_rewritten"],
            }
            for s in rep["steps"]
        },
        "changed_files": rep["changed_files"],
        "residuals": rep["residuals"],
        "parse_failures": len(rep["parse_failures_elsewhere"]),
        "invariants": rep["invariants"],
        "second_pass": {"changed_files": rechanged,
                        "statuses": {r.name: r.status for r in again}},
        "wall_s": round(time.monotonic() - t0, 1),
    }


def check(row: SweepRow, expect: dict[str, Any] | None) -> list[str] | None:
    """What in a row differs from its expectation, as phrases."""
    if expect is None:
        return None
    if "error" in row:
        return [f"could not be read: {row['error']}"]
    bad = []
    for step, status in expect.get("steps", {}).items():
        got = row["steps"].get(step, {}).get("status", "absent")
        if got != status:
            bad.append(f"{step}: {got}, expected {status}")
    changes = expect.get("changes")
    if changes is not None and bool(row["changed_files"]) != changes:
        bad.append(f"{len(row['changed_files'])} file(s) changed, expected "
                   + ("some" if changes else "none"))
    plain: dict[str, Any] = dict(row)
    for key in ("generation_before", "generation_after"):
        if key in expect and plain[key] != expect[key]:
            bad.append(f"{key.replace('_', ' ')} {plain[key]}, expected {expect[key]}")
    if len(row["residuals"]) != expect.get("residuals", 0):
        bad.append(f"{len(row['residuals'])} residual(s), expected {expect.get('residuals', 0)}")
    if row["second_pass"]["changed_files"]:
        bad.append("a second run changes " + ", ".join(row["second_pass"]["changed_files"][:3]))
    return bad


def _line(row):
    return (f"{row['version']}: {row['generation_before']} → {row['generation_after']}, "
            f"{len(row['changed_files'])} file(s), {len(row['residuals'])} residual(s), "
            f"{row['wall_s']} s")


def run(trees: list[str], recipe: Recipe, spatch: Spatch, out: Path | str,
        expectations: dict[str, dict[str, Any]] | None,
        log: Callable[[str], Any] = print) -> tuple[dict[str, Any], str]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows, used = [], set()
    for i, path in enumerate(trees, 1):
        log(f"[{i}/{len(trees)}] {path}")
        name = Path(path).resolve().name
        # Two trees of one name keep both reports.
        dest = name if name not in used else f"{name}-{i}"
        used.add(dest)
        row = sweep_tree(path, recipe, spatch, out / dest)
        row["report"] = dest
        row["check"] = (
            check(row, expectations.get(row["name"])) if expectations is not None else None
        )
        rows.append(row)
        log("    " + ("could not be read: " + row["error"] if "error" in row else _line(row)))
    names = [s.name for s in recipe.steps]
    data = {"schema": SWEEP_SCHEMA, "recipe": recipe.name, "steps": names, "trees": rows}
    (out / "sweep.json").write_text(json.dumps(data, indent=2) + "\n")
    md = (
        f"# Sweep: {recipe.name}\n\n"
        + sweep_markdown(rows, names)
        + "\n"
        + sweep_reasons(rows, names)
    )
    (out / "sweep.md").write_text(md)
    return data, md


def exit_status(data: dict[str, Any]) -> int:
    """2: a tree could not be read; 1: a row differs from its expectation; else 0."""
    if any("error" in r for r in data["trees"]):
        return 2
    return 1 if any(r["check"] for r in data["trees"]) else 0
