"""Apply the recipe to a tree: every step in order, with residuals and a summary."""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import VERSION, sites
from .changelog import RuleRun
from .cpp_tidy import tidy
from .encoding import ENC
from .paths import OVERLAY_DIR
from .records import FOLDING
from .spatch import RunStats, SmPL, Spatch
from .txn import Transaction, tree_state, reported, write_atomic

if TYPE_CHECKING:
    from .recipe import Query, Recipe, Step
    from .tree import Tree


SCHEMA = "treewide-apply/1"


@dataclass
class StepResult:
    name: str
    status: str = ""  # applied | already-done | not-applicable | skipped | pending | no-change
    reason: str = ""
    changed_files: list = field(default_factory=list)
    sites_before: list = field(default_factory=list)
    residuals: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    parse_failures: list = field(default_factory=list)
    timeouts: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    broke: list = field(default_factory=list)
    contents: dict = field(default_factory=dict)  # file -> text after the step
    origin: dict = field(
        default_factory=dict
    )  # file -> [(source, rules, removed lines, added lines)]
    runs: list = field(default_factory=list)  # RuleRun of each spatch run, in order
    hunks: int = 0
    stats: RunStats = field(default_factory=RunStats)
    diff: str = ""
    wall_s: float = 0.0
    undone: bool = False        # rules ran but fell short of the end state: nothing kept

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "status": self.status, "reason": self.reason,
            "changed_files": self.changed_files,
            "sites_before": len(self.sites_before),
            "sites_rewritten": (
                len(self.sites_before) - len(self.residuals) if self.status == "applied" else 0
            ),
            "hunks": self.hunks,
            "residuals": [s.as_dict() for s in self.residuals],
            "missing": self.missing,
            "parse_failures": self.parse_failures,
            "timeouts": self.timeouts,
            "failures": self.failures,
            "broke_invariants": self.broke,
            "short_of_end_state": self.undone,
            "spatch": {"files": self.stats.files, "cpu_s": round(self.stats.cpu_s, 3),
                       "wall_s": round(self.stats.wall_s, 3)},
        }


def decide_virtuals(tree: Tree, recipe: Recipe,
                    names: Collection[str] | None = None) -> dict[str, str]:
    """The virtual rules to define for the tree as staged now (those among
    `names` only, when given), with the reason for each: {"name": why}, or
    {"name=value": why} for a value."""
    chosen = {}
    for v in recipe.virtuals:
        if names is not None and v.name not in names:
            continue
        if v.all:
            if all(sites.holds(tree, c)[0] for c in v.all):
                chosen[v.name] = v.why
            continue
        files = tree.files(v.query)
        if v.capture:
            m = next(filter(None, (v.capture.search(tree.read(f)) for f in files)), None)
            if m:
                chosen[f"{v.name}={m.group(1)}"] = v.why
            continue
        if v.if_any:
            hit = any(v.if_any.search(tree.read(f)) for f in files)
        else:
            hit = (files or not v.require_files) and not any(
                v.unless.search(tree.read(f)) for f in files
            )
        if hit:
            chosen[v.name] = v.why
    return chosen


def _diff(before, tree, rels):
    out, hunks = [], 0
    for rel in rels:
        old = before.get(rel)
        old = tree.original(rel) if old is None else old
        lines = list(
            difflib.unified_diff(
                (old or "").splitlines(True),
                tree.read(rel).splitlines(True),
                f"a/{rel}" if old is not None else "/dev/null",
                f"b/{rel}",
            )
        )
        hunks += sum(1 for line in lines if line.startswith("@@"))
        out.extend(lines)
    return "".join(out), hunks


def queries(recipe: Recipe) -> Iterator[Query]:
    """Every file query of a recipe: sites, expectations, conditions, rules, virtuals."""
    for step in recipe.steps:
        yield from (p.query for p in step.sites + step.expect)
        yield from (p.query for w in step.when for c in w.all + w.evidence for p in c.patterns)
        yield from (r.query for r in step.rules + ([step.skip_if.rule] if step.skip_if else []))
    yield from (c.query for inv in recipe.invariants for c in inv.broken_when)
    yield from (v.query for v in recipe.virtuals if v.query)
    yield from (c.query for v in recipe.virtuals for c in v.all)


class Applier:
    def __init__(self, tree, recipe, spatch, log=print):
        self.tree, self.recipe, self.spatch, self.log = tree, recipe, spatch, log
        self.defines = {}      # every virtual a rule of this run was given, with why
        tree.prime(queries(recipe))

    def _record(self, res, rel, source, old, rules=()):
        """Which lines a rule (or the overlay) removed and added in a file, for provenance."""
        new = self.tree.read(rel)
        removed: set[str] = set()
        added: set[str] = set()
        for line in difflib.unified_diff(
            (old or "").splitlines(), new.splitlines(), lineterm="", n=0
        ):
            if line.startswith(("---", "+++", "@@")):
                continue
            (removed if line.startswith("-") else added).add(line[1:])
        if removed or added:
            res.origin.setdefault(rel, []).append((source, list(rules), removed, added))

    @staticmethod
    def _touches_site(lines, step):
        """Whether unparsable lines hold an old-form site of this step."""
        text = "\n".join(lines)
        return any(p.regex.search(text) for p in step.sites)

    def _run_rule(self, rule, mode, res, step):
        smpl = SmPL.load(rule.smpl)
        files = self.tree.files(rule.query)
        self.log(f"    spatch {rule.smpl.name} ({mode}) on {len(files)} file(s)")
        # Decided again for each rule: an earlier rule may have changed the answer.
        defines = decide_virtuals(self.tree, self.recipe, smpl.virtuals)
        self.defines.update(defines)
        results, stats = self.spatch.run(smpl, mode, set(defines), self.tree, files)
        res.stats.add(stats)
        changed, folded = [], []
        for r in results:
            where = {"file": r.rel, "rule": rule.smpl.name}
            if r.parse_errors:
                res.parse_failures.append(
                    {
                        **where,
                        "lines": r.parse_errors[:8],
                        "touches_site": self._touches_site(r.parse_errors, step),
                    }
                )
            if r.timed_out:
                res.timeouts.append(where)
            if r.failed:
                res.failures.append({**where, "error": r.failed})
            if r.text is not None:
                old = self.tree.read(r.rel)
                self.tree.stage(r.rel, r.text)
                self._record(res, r.rel, rule.smpl.name, old, r.rules)
                self.tree.stage(r.rel, tidy(old, r.text))  # its own entry: no rule made these lines
                self._record(res, r.rel, FOLDING, r.text)
                changed.append(r.rel)
                folded += [r.rel] if self.tree.read(r.rel) != r.text else []
        if changed and mode == "patch":
            res.runs.append(
                RuleRun(
                    rule.smpl, tuple(sorted(defines)), tuple(sorted(changed)), tuple(sorted(folded))
                )
            )
        return results

    def _when(self, step):
        """(status, reason with evidence) from the first [[step.when]] that holds, or None."""
        for w in step.when:
            seen = [sites.holds(self.tree, c) for c in w.all]
            if all(ok for ok, _ in seen):
                extra = [
                    phrase for ok, phrase in (sites.holds(self.tree, c) for c in w.evidence) if ok
                ]
                evidence = "; ".join([phrase for _, phrase in seen] + extra)
                return w.status, f"{w.reason} [{evidence}]" if evidence else w.reason
        return None

    def broken_invariants(self) -> list[str]:
        return [inv.name for inv in self.recipe.invariants
                if inv.broken_when and all(sites.holds(self.tree, c)[0] for c in inv.broken_when)]

    def step(self, step: Step) -> StepResult:
        res = StepResult(step.name)
        if step.pending:
            res.status, res.reason = "pending", step.pending
            return res
        decided = self._when(step)
        if decided:
            res.status, res.reason = decided
            return res
        res.sites_before = sites.find(self.tree, step.sites)
        if not res.sites_before and not sites.missing(self.tree, step.expect):
            res.status = "already-done"
            res.reason = "no old-form site left (" + ", ".join(p.kind for p in step.sites) + ")"
            return res
        if step.skip_if:
            hits = [
                line
                for r in self._run_rule(step.skip_if.rule, "report", res, step)
                for line in r.report
            ]
            if hits:
                res.status = "skipped"
                res.reason = f"{step.skip_if.reason}: " + "; ".join(hits)
                return res
        before = dict(self.tree.staged)
        for rel in step.overlay:
            old = (
                self.tree.read(rel)
                if rel in self.tree.staged or self.tree.original(rel) is not None
                else None
            )
            self.tree.stage(rel, (OVERLAY_DIR / rel).read_text(**ENC))
            self._record(res, rel, f"kernel-overlay/{rel}", old)
        for rule in step.rules:
            self._run_rule(rule, "patch", res, step)
        # A file this step gave back its original text is no longer staged,
        # and changed all the same.
        res.changed_files = sorted(rel for rel in set(self.tree.staged) | set(before)
                                   if self.tree.staged.get(rel) != before.get(rel))
        res.contents = {rel: self.tree.rendered(rel) for rel in res.changed_files}
        res.diff, res.hunks = _diff(before, self.tree, res.changed_files)
        res.residuals = sites.find(self.tree, step.sites)
        res.missing = [e.what for e in sites.missing(self.tree, step.expect)]
        if res.missing and res.changed_files:
            return self._undo(step, res, before)
        res.status = "applied" if res.changed_files else "no-change"
        if not res.changed_files:
            res.reason = "no rule matched the old-form sites: they are left as residuals"
        return res

    def _undo(self, step, res, before):
        """A step whose rules did not reach its end state is not kept: half of
        it does not build (arch hooks renamed, no generic get_dma_ops() to call
        them). What it could not do stays in the report: the sites and the
        missing end state are its residuals."""
        self.tree.staged.clear()
        self.tree.staged.update(before)
        res.status, res.undone = "skipped", True
        res.reason = (
            f"its rules did not reach its end state ({'; '.join(res.missing)}), so nothing of it is"
            " kept: half of the step would not build"
        )
        res.changed_files, res.contents, res.origin, res.diff, res.hunks = [], {}, {}, "", 0
        res.runs = []
        res.residuals = sites.find(self.tree, step.sites)
        return res


def generation(recipe: Recipe, results: list[StepResult]) -> str:
    """The tree's generation before the run: where the first step with work starts."""
    for step, res in zip(recipe.steps, results):
        if res.status not in ("already-done", "not-applicable", "pending") and step.gen_from:
            return step.gen_from
    return recipe.final_generation


def run_steps(tree: Tree, recipe: Recipe, spatch: Spatch,
              log: Callable[[str], Any] = print) -> tuple[Applier, list[StepResult], list[str]]:
    """Every step in order on the staged view of the tree; (applier, results, broken before)."""
    applier = Applier(tree, recipe, spatch, log)
    results = []
    broken = set(applier.broken_invariants())
    broken_before = sorted(broken)
    halted = None       # a step that was undone: the later ones build on it
    for i, step in enumerate(recipe.steps, 1):
        log(f"[{i}/{len(recipe.steps)}] {step.name}")
        t = time.monotonic()
        if halted:
            res = StepResult(step.name, "skipped",
                             f"not run: {halted} could not be applied, and this step builds on it")
        else:
            res = applier.step(step)
            halted = step.name if res.undone else None
        res.wall_s = time.monotonic() - t
        now = set(applier.broken_invariants())
        res.broke = sorted(now - broken)
        broken = now
        results.append(res)
    return applier, results, broken_before


def report(tree: Tree, recipe: Recipe, spatch: Spatch, applier: Applier, results: list[StepResult],
           broken_before: list[str], dry_run: bool, wall: float) -> dict[str, Any]:
    rep = _report(tree, recipe, spatch, applier.defines, results, dry_run, wall)
    broken_after = set(applier.broken_invariants())
    rep["invariants"] = {
        inv.name: {
            "what": inv.what,
            "broken_before": inv.name in broken_before,
            "broken_after": inv.name in broken_after,
        }
        for inv in recipe.invariants
    }
    return rep


def run(tree: Tree, recipe: Recipe, spatch: Spatch, out: Path | str, dry_run: bool = False,
        log: Callable[[str], Any] = print) -> tuple[dict[str, Any], list[StepResult]]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    txn = Transaction(tree.root, out)
    restored = txn.recover()
    if restored:
        log(f"rolled back an interrupted run: {len(restored)} file(s) restored in {tree.root}")
    t0 = time.monotonic()
    applier, results, broken_before = run_steps(tree, recipe, spatch, log)
    rep = report(
        tree, recipe, spatch, applier, results, broken_before, dry_run, time.monotonic() - t0
    )
    (out / "apply.diff").write_text(
        "".join(r.diff for r in results), encoding="utf-8", errors="surrogateescape"
    )
    writes = bool(tree.staged) and not dry_run
    # Written first as it stands, so that a run stopped while it writes the
    # tree still leaves a report that says so.
    _write_report(
        out,
        dict(rep, written="interrupted while writing the tree" if writes else "nothing to write"),
    )
    if writes:
        try:
            txn.commit({rel: tree.rendered(rel) for rel in tree.staged},
                       {rel: tree.read_digest(rel) for rel in tree.staged})
        except BaseException:
            _write_report(out, dict(rep, written=tree_state()))
            raise
        rep["written"] = f"{len(tree.staged)} file(s) written"
        _write_report(out, rep)
        reported()
    return rep, results


def _write_report(out, rep):
    write_atomic(out / "apply.json", json.dumps(rep, indent=2) + "\n")


def _report(tree, recipe, spatch, defines, results, dry_run, wall):
    steps = [dict(r.as_dict(), wall_s=round(r.wall_s, 3)) for r in results]
    residuals = [dict(s, step=r["name"]) for r in steps for s in r["residuals"]]
    residuals += [
        {"kind": "missing end state", "what": m, "step": r["name"]}
        for r in steps
        for m in r["missing"]
    ]
    failures = [
        dict(p, kind="parse failure", step=r["name"]) for r in steps for p in r["parse_failures"]
    ]
    residuals += [p for p in failures if p["touches_site"]]
    residuals += [dict(p, kind="timeout", step=r["name"]) for r in steps for p in r["timeouts"]]
    # A file spatch failed on was not rewritten: what it holds is left, whatever the sites say.
    residuals += [
        dict(p, kind="spatch failure", step=r["name"]) for r in steps for p in r["failures"]
    ]
    residuals += [
        {"kind": "invariant broken", "what": name, "step": r["name"]}
        for r in steps
        for name in r["broke_invariants"]
    ]
    return {
        "schema": SCHEMA,
        "toolkit_version": VERSION,
        "spatch_version": spatch.version,
        "recipe": recipe.name,
        "tree": {
            "path": str(tree.root),
            "name": tree.name,
            "version": tree.version,
            "git": tree.is_git(),
        },
        "generation_before": generation(recipe, results),
        "virtuals": defines,
        "mode": "dry-run" if dry_run else "in-place",
        "changed_files": sorted(tree.staged),
        "through_symlinks": {rel: tree.via[rel] for rel in sorted(tree.staged) if rel in tree.via},
        "steps": steps,
        "residuals": residuals,
        "parse_failures_elsewhere": [p for p in failures if not p["touches_site"]],
        "end_state_reached": not any(r.undone for r in results),
        "wall_s": round(wall, 3),
    }
