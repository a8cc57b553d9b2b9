"""The series' mail: its recipients from the tree's get_maintainer.pl, the
tree's checkpatch.pl --strict on each patch, and the cover letter."""

from __future__ import annotations

import re
import subprocess
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import VERSION, changelog
from .encoding import ENC
from .errors import ToolError

if TYPE_CHECKING:
    from .series import Series


# checkpatch messages a generated series keeps, and why (type -> reason).
KNOWN_CHECKPATCH = {
    "COMMIT_LOG_LONG_LINE": (
        "a line of the semantic patch quoted in the changelog; SmPL is not rewrapped"
    ),
    "FILE_PATH_CHANGES": (
        "the overlay adds a file; MAINTAINERS coverage is the Xen maintainers' call"
    ),
    "CONST_STRUCT": (
        "constness follows the tree: dma_map_ops became const in a separate upstream commit"
    ),
}
LONG_LINE_WHY = "the line was as long before the change; the rewrite did not lengthen it"


class ScriptFailed(ToolError):
    """One of the tree's Perl scripts did not finish as it does when it works."""


def _perl(tree_root, script, *args, ok=(0,)):
    """Run one of the tree's scripts; a run that ends in a status outside
    `ok`, by a signal, or with Perl's own errors on stderr is a failure:
    its output is never read as an answer."""
    path = Path(tree_root) / "scripts" / script
    if not path.is_file():
        raise ToolError(
            f"{path} not found", "pass the top of a kernel source tree with its scripts/"
        )
    cmd = ["perl", str(path), *args]
    r = subprocess.run(
        cmd, cwd=tree_root, capture_output=True, text=True, errors="replace", check=False
    )
    # Perl's warnings ("Use of uninitialized value ... line N.") are not deaths; these are.
    perl_died = re.search(
        r"^(Can't locate \S+ in @INC|BEGIN failed|.*Compilation failed)", r.stderr, re.M
    )
    if r.returncode not in ok or perl_died:
        end = f"exit {r.returncode}" if r.returncode >= 0 else f"killed by signal {-r.returncode}"
        tail = " | ".join(r.stderr.strip().splitlines()[-3:]) or "no message"
        raise ScriptFailed(
            f"{path} did not finish ({end}): {tail} [command: {' '.join(cmd)}]", _fix(r.stderr)
        )
    return r


def _fix(stderr):
    """What to do about a tree script that died, from what Perl said."""
    m = re.search(r"Can't locate (\S+)\.pm in @INC", stderr)
    if m:
        module = m.group(1).replace("/", "::")
        pkg = "lib" + m.group(1).replace("/", "-").lower() + "-perl"
        return (
            f"install the Perl module {module} (Debian: apt-get install {pkg}, or the package that"
            " ships it)"
        )
    return (
        "run the command above by hand in the tree to see why it fails; the series was not written"
    )


# get_maintainer.pl --rolestats: "who (role:SECTION,role:SECTION)"; a
# section's name may hold parentheses ("SPARC + UltraSPARC (sparc/sparc64)").
_ROLE = re.compile(
    r",(?=(?:maintainer|supporter|reviewer|odd fixer|open list|moderated list|subscriber list|"
    r"list|chief penguin)\b)"
)


def maintainers(tree_root: Path, patch: Path) -> list[tuple[str, str]]:
    """[(who, role)] for one patch, from MAINTAINERS only (no git history);
    a role is "maintainer:SECTION", "reviewer:SECTION", "open list:SECTION"..."""
    r = _perl(
        tree_root, "get_maintainer.pl", "--no-git", "--no-git-fallback", "--rolestats", str(patch)
    )
    listed = []
    for line in r.stdout.splitlines():
        m = re.match(r"^(.*?)\s+\((.*)\)$", line.strip())
        if m:
            listed += [(m.group(1).strip(), role.strip()) for role in _ROLE.split(m.group(2))]
    return listed


def union(lists: Iterable[dict[str, list[str]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"to": [], "cc": []}
    for m in lists:
        for key in out:
            out[key] += [w for w in m[key] if w not in out[key]]
    out["cc"] = [w for w in out["cc"] if w not in out["to"]]
    return out


def add_recipients(patch: Path, m: dict[str, list[str]]) -> None:
    """To:/Cc: headers after the Subject: header (and its continuation lines)."""
    lines = Path(patch).read_text(**ENC).split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith("Subject:")) + 1
    while lines[i].startswith((" ", "\t")):
        i += 1
    extra = [f"{key.capitalize()}: " + ",\n    ".join(m[key]) for key in ("to", "cc") if m[key]]
    Path(patch).write_text("\n".join(lines[:i] + extra + lines[i:]), **ENC)


def checkpatch(tree_root: Path, patch: Path) -> dict[str, Any]:
    """The tree's checkpatch.pl --strict on one patch: messages, each with why it stays (or not)."""
    # checkpatch exits 1 when it has messages: that is a finished run too.
    r = _perl(tree_root, "checkpatch.pl", "--strict", "--terse", "--show-types", "--no-summary",
              f"--root={tree_root}", str(patch), ok=(0, 1))
    lines = Path(patch).read_text(**ENC).split("\n")
    messages = []
    for line in r.stdout.splitlines():
        m = re.match(r"^.*?:(\d+): (ERROR|WARNING|CHECK):(\w+): (.*)$", line)
        if m:
            at, level, kind, text = m.groups()
            why = KNOWN_CHECKPATCH.get(kind, "")
            if kind == "LONG_LINE" and _not_lengthened(lines, int(at) - 1):
                why = LONG_LINE_WHY
            if kind == "COMMIT_LOG_LONG_LINE" and not _in_quoted_smpl(lines, int(at) - 1):
                why = ""
            if kind in ("GIT_COMMIT_ID", "UNKNOWN_COMMIT_ID"):
                why = _commit_id_why(lines[int(at) - 1], kind, tree_root)
            messages.append(
                {"level": level, "type": kind, "message": text, "line": int(at), "why": why}
            )
    if r.returncode == 1 and not messages:
        raise ScriptFailed(
            (
                f"{tree_root}/scripts/checkpatch.pl exited 1 with no message treewide can read: "
                f"{r.stdout.strip()[:200] or r.stderr.strip()[:200]}"
            ),
            "run it by hand on the patch; the series was not written",
        )
    return {
        "clean": not messages,
        "explained": all(m["why"] for m in messages),
        "messages": messages,
    }


def _commit_id_why(line, kind, tree_root):
    """Why checkpatch's complaint about a commit id stays, or "" where it should not."""
    if re.fullmatch(r"commit [0-9a-f]{40} upstream\.", line):
        return (
            "the 'commit <sha> upstream.' line stable-kernel-rules.rst asks of a backport; the"
            " upstream commit is not in this tree"
        )
    if kind == "UNKNOWN_COMMIT_ID" and not (Path(tree_root) / ".git").exists():
        return "the tree is not a git checkout: checkpatch cannot look the id up"
    return ""


def review_all(tree_root: Path,
               patches: list[Path]) -> tuple[list[list[tuple[str, str]]], list[dict[str, Any]]]:
    """(recipients, checkpatch results) of every patch. Both scripts are run
    before any failure is raised, so one error names every script that died."""
    results: dict[str, list[Any]] = {}
    failed = []
    for name, check in (("maintainers", maintainers), ("checkpatch", checkpatch)):
        try:
            results[name] = [check(tree_root, p) for p in patches]
        except ScriptFailed as e:
            failed.append(e)
    if failed:
        raise ToolError(
            "; and ".join(e.cause for e in failed), "; ".join(dict.fromkeys(e.fix for e in failed))
        )
    return results["maintainers"], results["checkpatch"]


def _in_quoted_smpl(lines, i):
    """Whether line i of a patch lies in the semantic patch quoted by the changelog."""
    intro = next((n for n, line in enumerate(lines) if line.startswith(changelog.INTRO)), None)
    end = next((n for n, line in enumerate(lines) if line == "---"), len(lines))
    return intro is not None and intro < i < end


def _not_lengthened(lines, i):
    """Whether the added line i of a patch replaces a removed line at least as long, in its hunk."""
    if not (0 <= i < len(lines)) or not lines[i].startswith("+"):
        return False
    start = i
    while start > 0 and not lines[start].startswith("@@"):
        start -= 1
    end = i
    while end < len(lines) and not lines[end].startswith(("@@", "diff --git", "-- ")):
        end += 1
    width = len(lines[i].expandtabs(8))
    return any(
        line.startswith("-") and len(line.expandtabs(8)) >= width for line in lines[start:end]
    )


def cover_notes(series: Series, rep: dict[str, Any], single: bool = False) -> list[str]:
    """What a reviewer reads before the patches: what the series does, what
    it is based on, what it leaves out and why, how it was made, and how it
    was tested (prose: no internal step names). A single patch's notes,
    below its ---, leave out what the series as a whole does and say in one
    line why the other steps are not there."""
    recipe, tree = series.recipe, rep["tree"]
    subjects = {s.name: s.subject for s in recipe.steps}
    body = [] if single else [recipe.series.get("cover", "").strip(), ""]
    base = f"Based on Linux {tree['version']} ({tree['name']})" + (
        ", its HEAD (base-commit below)."
        if series.real_base
        else (
            ": not a git checkout, so there is no base-commit; the series applies to that release's"
            " source as published."
        )
    )
    body += [textwrap.fill(base, 72), ""]
    left = [s for s in rep["steps"] if s["status"] != "applied"]
    if left and single:
        body += [
            textwrap.fill(
                (
                    f"The other {len(left)} step(s) of the DMA-ops consolidation are done in this "
                    "tree already or do not apply to it; the review page says which and why."
                ),
                72,
            ),
            "",
        ]
    elif left:
        body.append("Not in this series:")
        body += [textwrap.fill(f"- {subjects.get(s['name'], s['name'])}: {_status_prose(s)}", 72,
                               subsequent_indent="  ") for s in left]
        body.append("")
    res = rep["residuals"]
    if res:
        body.append(f"Left as it is ({len(res)} place(s) no rule recognised; a reviewer's call):")
        body += [f"- {r.get('file', '')}:{r.get('line', '')}: {r['kind']}" for r in res[:20]] + [""]
    body += [
        textwrap.fill(
            (
                f"Made with treewide {VERSION} and Coccinelle {series.spatch.version}; each "
                "commit message shows the semantic patch and the command that make that "
                "commit from its parent."
            ),
            72,
        ),
        "",
        "Testing:",
        "- not yet: report.md is brought up to date with it.",
    ]
    return body


def set_testing(mail: Path, lines: list[str]) -> None:
    """Replace the Testing: section of a cover letter or of a single patch's
    notes (up to its next blank line) by lines."""
    text = Path(mail).read_text(**ENC)
    start = text.index("\nTesting:\n") + len("\nTesting:\n")
    end = text.index("\n\n", start)
    Path(mail).write_text(text[:start] + "\n".join(lines) + text[end:], **ENC)


def _status_prose(step):
    why = {
        "already-done": "already done in this tree",
        "not-applicable": "does not apply to this tree",
        "pending": "not done yet by the toolkit",
        "no-change": "no rule matched",
        "skipped": "left out",
    }.get(step["status"], step["status"])
    return f"{why} ({step['reason']})" if step.get("reason") else why


def write_cover(cover: Path, series: Series, notes: list[str]) -> None:
    """Fill format-patch's cover letter template."""
    text = Path(cover).read_text(**ENC)
    text = text.replace("*** SUBJECT HERE ***", series.recipe.title)
    text = text.replace("*** BLURB HERE ***", "\n".join(notes).strip())
    Path(cover).write_text(text, **ENC)


def add_notes(patch: Path, notes: list[str]) -> None:
    """A single patch has no cover letter: the notes go below its '---'."""
    text = Path(patch).read_text(**ENC)
    i = text.index("\n---\n") + len("\n---\n")
    Path(patch).write_text(text[:i] + "\n".join(notes).strip() + "\n\n" + text[i:], **ENC)
