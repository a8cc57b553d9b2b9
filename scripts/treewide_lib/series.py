"""Regenerate the patch series from a kernel tree: one commit per recipe step
(per arch where the recipe splits), format-patch with cover letter, Cc from
the tree's get_maintainer.pl, the tree's checkpatch.pl --strict, git am
verification, provenance. Nothing is written into the user's tree; the
output directory is replaced only when the new run is complete."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import (VERSION, apply, changelog, outdir, provenance, rangediff, readiness, report, mail,
               target)
from .errors import ToolError
from .gitrepo import Scratch, identity
from .paths import OVERLAY_DIR

if TYPE_CHECKING:
    from .changelog import RuleRun
    from .recipe import Recipe, Step
    from .spatch import Spatch
    from .tree import Tree


WORK = ".work"
# What a series run writes into OUT (and a matrix run into OUT/matrix):
# --force replaces a directory holding these and nothing else.
SERIES_FILES = {
    WORK,
    outdir.MARK,
    ".treewide-series",
    "series",
    "series.json",
    "apply.json",
    "provenance.json",
    "report.md",
    "report.html",
    "matrix",
    "boot",
    "sweep",
    "kcidb.json",
}


def message(step: Step, subject: str, files: list[str], runs: list[RuleRun], spatch_version: str,
            ident: tuple[str, str], credit: target.Credit = target.Credit()) -> str:
    """A commit's message; credit: target.attribution() of its step."""
    body = [subject, ""] + list(credit.head) + [step.changelog]
    if step.split_reason:
        body += ["", textwrap.fill(f"This is one commit: {step.split_reason}.", 72)]
    overlay = [f for f in step.overlay if f in files]
    if overlay:
        body += [
            "",
            textwrap.fill("The new " + ", ".join(overlay) + " is hand-written, not generated.", 72),
        ]
    for note in credit.notes:
        body += ["", textwrap.fill(note, 72, break_on_hyphens=False)]
    how = changelog.how_made(runs, files, spatch_version)
    body += [""] + how if how else []
    body += [""] + list(credit.tags) + [f"Signed-off-by: {ident[0]} <{ident[1]}>", ""]
    return "\n".join(body)


def commit_date(given: str | None = None) -> str:
    """--date, else $SOURCE_DATE_EPOCH (the reproducible-builds convention:
    regenerating then gives byte-identical patches), else now."""
    if given:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
    if not epoch.isdigit():
        raise ToolError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970",
            "set it to an integer (git log -1 --format=%ct gives a commit's), or unset it",
        )
    return f"@{epoch} +0000"


class Series:
    def __init__(self, tree: Tree, recipe: Recipe, spatch: Spatch, out: Path | str,
                 tgt: target.Target, signoff: str | None = None, date: str | None = None,
                 log: Callable[[str], Any] = print, version: int = 1,
                 since: Path | None = None) -> None:
        """version: the series' vN; since: the OUT of the series it follows."""
        self.tree, self.recipe, self.spatch, self.log, self.target = tree, recipe, spatch, log, tgt
        self.version, self.since = version, since
        self.out = Path(out)
        self.ident = identity(signoff)
        self.date = commit_date(date)
        self.work = self.out.with_name(self.out.name + ".partial")

    def run(self, force: bool = False, allow_dirty: bool = False,
            verify: bool = True) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        self._check_out(force)
        self.dirty = self.tree.git_dirty()
        if self.dirty and not allow_dirty:
            raise ToolError(
                (
                    f"{self.tree.root} has uncommitted changes ({len(self.dirty)} file(s), "
                    f"first {self.dirty[0]})"
                ),
                (
                    "commit or stash them, or pass --allow-dirty (the series then starts from the "
                    "working tree as it is)"
                ),
            )
        t0 = time.monotonic()
        applier, results, broken_before = apply.run_steps(
            self.tree, self.recipe, self.spatch, self.log
        )
        rep = apply.report(
            self.tree,
            self.recipe,
            self.spatch,
            applier,
            results,
            broken_before,
            True,
            time.monotonic() - t0,
        )
        if not any(r.changed_files for r in results):
            shutil.rmtree(self.work, ignore_errors=True)
            return None, rep
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        outdir.claim(self.work, "series")
        try:
            data = self._build(results, rep, verify)
        except BaseException:
            shutil.rmtree(self.work, ignore_errors=True)
            raise
        self._publish()
        return data, rep

    def _build(self, results, rep, verify):
        scratch = Scratch(self.work / WORK / "git", self.ident, self.date)
        scratch.init()
        self.log("importing the base tree into a scratch git repository")
        self.real_base = self.tree.is_git() and not self.dirty
        if self.real_base:
            base = scratch.borrow_head(self.tree.root)
        else:
            touched = {f for r in results for f in r.changed_files}
            base = scratch.import_plain(
                self.tree.root,
                (
                    f"Linux {self.tree.version} ({self.tree.name}), "
                    f"the {len(touched)} file(s) this series touches\n"
                ),
                touched,
            )
        self._check_unchanged(results)  # the base is read: it must be what the steps read
        commits = self._commit(scratch, base, results)
        data = self._write(scratch, base, commits, results, rep)
        if verify:
            data["verify"] = self._verify(scratch, base, commits)
        (self.work / "series.json").write_text(json.dumps(data, indent=2) + "\n")
        (self.work / "apply.json").write_text(json.dumps(rep, indent=2) + "\n")
        report.write(self.work, data, rep, json.loads((self.work / "provenance.json").read_text()))
        return data

    def _check_unchanged(self, results):
        """The series is of the tree as this run read it: a file the series touches that someone
        changed meanwhile (or, from a git tree's HEAD, any uncommitted change) makes it stale."""
        changed = self.tree.changed_since_read(
            sorted({f for r in results for f in r.changed_files})
        )
        if self.tree.is_git() and not self.dirty:
            changed += self.tree.git_dirty()
        if changed:
            raise ToolError(
                f"{changed[0]} changed in {self.tree.root} while this series was made from it",
                "run again once nobody else is changing the tree; nothing was written to OUT",
            )

    def _check_out(self, force):
        """OUT (already checked to be outside the tree by the caller) must not
        hold an earlier run unless --force, nor ever anything a run did not
        write; nor may its .partial and .old siblings, which a run replaces."""
        for d in (self.work, self.out.with_name(self.out.name + ".old")):
            if d.exists() and not outdir.ours(d, "series"):
                raise ToolError(
                    (
                        f"{d} exists and no treewide series run wrote it, and this run would"
                        " replace it"
                    ),
                    "move it away, or pass another OUT",
                )
        if not self.out.exists() or not any(self.out.iterdir()):
            return
        foreign = sorted(p.name for p in self.out.iterdir() if p.name not in SERIES_FILES)
        if foreign or not outdir.ours(self.out, "series"):
            raise ToolError(
                f"output directory {self.out} holds what no treewide series run wrote"
                + (
                    f" ({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''})"
                    if foreign
                    else ""
                ),
                "pass a new or empty OUT; --force replaces only an earlier run's output",
            )
        if not force:
            raise ToolError(
                f"output directory {self.out} already holds a run",
                (
                    "pass another OUT, or --force to replace it (it is replaced only when the new"
                    " run has finished)"
                ),
            )

    def _commit(self, scratch, base, results):
        commits, parent = [], base
        done = {r.name for r in results if r.status == "already-done"}
        for step, res in zip(self.recipe.steps, results):
            if not res.changed_files:
                continue
            credit = target.attribution(step, self.target, done)
            files = sorted(res.changed_files)
            msg = message(
                step, step.subject, files, res.runs, self.spatch.version, self.ident, credit
            )
            parent = scratch.commit(
                parent, {f: res.contents[f] for f in files}, msg, author=credit.author
            )
            sites = sum(1 for site in res.sites_before if site.file in files)
            commits.append(
                {
                    "commit": parent,
                    "step": step.name,
                    "subject": step.subject,
                    "files": files,
                    "sites": sites,
                    "noop": step.noop,
                    "upstream": step.upstream[0].commit if step.upstream else None,
                }
            )
        return commits

    def _write(self, scratch, base, commits, results, rep):
        """format-patch (a cover letter for two patches or more; base-commit
        only where the base is the user's real commit), then recipients,
        checkpatch and provenance."""
        series = self.work / "series"
        tip = commits[-1]["commit"]
        args = [
            "format-patch",
            "-q",
            f"--subject-prefix={self.target.prefix}",
            f"--signature=treewide {VERSION}",
            "-o",
            str(series),
        ]
        args += ["--cover-letter"] if len(commits) > 1 else []
        args += [f"-v{self.version}"] if self.version > 1 else []
        args += [f"--base={base}"] if self.real_base else []
        scratch.git(*args, f"{base}..{tip}")
        patches = sorted(series.glob("*.patch"))
        if len(patches) != len(commits) + (len(commits) > 1):
            raise ToolError(
                (
                    f"git format-patch wrote {len(patches)} file(s) in {series} for {len(commits)} "
                    "commit(s)"
                ),
                "look for a full disk or a git that cannot write there, and run again",
            )
        cover, patches = (patches[0], patches[1:]) if len(commits) > 1 else (None, patches)
        listed, checks = mail.review_all(self.tree.root, patches)
        steps = {s.name: s for s in self.recipe.steps}
        maint = [target.recipients(self.target, who, steps[c["step"]].maintainers,
                                   [u.author for u in steps[c["step"]].upstream if u.author])
                 for c, who in zip(commits, listed)]
        for p, m in zip(patches, maint):
            mail.add_recipients(p, m)
        prov = provenance.build(results, commits, patches)
        (self.work / "provenance.json").write_text(json.dumps(prov, indent=2) + "\n")
        for c, p, m, ck in zip(commits, patches, maint, checks):
            c.update(patch=p.name, maintainers=m, checkpatch=ck)
        notes = mail.cover_notes(self, rep, single=cover is None)
        if self.since:
            changed = rangediff.changes(self.since, (scratch.gitdir, base, tip)) or [
                "- no patch changed"
            ]
            at = 0 if cover is None else 2  # after the cover letter's opening
            notes[at:at] = [f"Changes in v{self.version}:"] + changed + [""]
        if cover:
            mail.write_cover(cover, self, notes)
            mail.add_recipients(cover, mail.union(maint))
        else:
            mail.add_notes(patches[0], notes)
        return {
            "schema": "treewide-series/1",
            "toolkit_version": VERSION,
            "spatch_version": self.spatch.version,
            "tree": rep["tree"],
            "generation_before": rep["generation_before"],
            "base": base,
            "base_is_real": self.real_base,
            "tip": tip,
            "target": {
                "kind": self.target.kind,
                "why": self.target.why,
                "prefix": self.target.prefix,
            },
            "cover": cover.name if cover else None,
            "patches": commits,
            "sources": self._sources(results),
            "needs": readiness.needs(self.tree.root, commits),
        }

    def _sources(self, results):
        """{source name: file} of every semantic patch and overlay file that made a hunk: the
        report shows their text next to the hunks."""
        paths = {r.smpl.name: str(r.smpl) for step in self.recipe.steps for r in step.rules}
        paths.update(
            {
                f"kernel-overlay/{rel}": str(OVERLAY_DIR / rel)
                for step in self.recipe.steps
                for rel in step.overlay
            }
        )
        used = {
            src for res in results for entries in res.origin.values() for src, _, _, _ in entries
        }
        return {name: paths[name] for name in sorted(used) if name in paths}

    def _verify(self, scratch, base, commits):
        """git am of the patches on a clean checkout of the base gives the series' tree."""
        wt = self.work / WORK / "verify"
        self.log("verifying: git am on a clean checkout of the base")
        scratch.git("worktree", "add", "-q", "--detach", str(wt), base)
        env = {k: v for k, v in scratch.env().items() if k != "GIT_DIR"}
        try:
            patches = [self.work / "series" / c["patch"] for c in commits]
            r = subprocess.run(["git", "-C", str(wt), "am", "-q", "--keep-cr", *map(str, patches)],
                               env=env, capture_output=True, text=True, check=False)
            got = subprocess.run(["git", "-C", str(wt), "rev-parse", "HEAD^{tree}"], env=env,
                                 capture_output=True, text=True, check=False).stdout.strip()
            want = scratch.tree_of(commits[-1]["commit"])
            return {"git_am": r.returncode == 0, "error": r.stderr.strip()[:500], "tree": got,
                    "expected_tree": want, "identical": r.returncode == 0 and got == want}
        finally:
            subprocess.run(
                ["git", "am", "--abort"], cwd=wt, env=env, capture_output=True, check=False
            )
            scratch.git("worktree", "remove", "--force", str(wt))

    def _publish(self):
        """Swap the finished run into OUT; the previous output stays until then."""
        old = self.out.with_name(self.out.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.out.exists():
            self.out.rename(old)
        self.work.rename(self.out)
        shutil.rmtree(old, ignore_errors=True)

