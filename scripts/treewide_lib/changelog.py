"""What a commit message says of how its commit was made: each semantic
patch as spatch ran it (without the toolkit's rule announcements), the
exact command that reproduces the commit from its parent, and a sentence
for each change no semantic patch made (#if folding, hand-written files).
tests/test_changelog.py runs those commands and compares."""

from __future__ import annotations

import re
import shlex
import subprocess
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .cpp_tidy import tidy
from .encoding import ENC
from .spatch import SmPL


INTRO = "To reproduce this commit from its parent"
FOLDING_SENTENCE = (
    "After each spatch run, an #if block the run left empty was removed, and an #if whose "
    "two branches it made identical was replaced by their code: SmPL does not match "
    "preprocessor lines."
)
WIDTH = 72


@dataclass(frozen=True)
class RuleRun:
    """One spatch run of a step: its semantic patch, the -D values it was
    given, the files it changed, and those whose #if blocks were folded after it."""
    smpl: Path
    defines: tuple
    changed: tuple
    folded: tuple = ()


def command(run: RuleRun, files: Sequence[str]) -> str:
    """The shell text that runs `run` on `files` as the toolkit did: one
    spatch per file (files named together would be one group to spatch,
    whose rules can then depend on each other across files)."""
    smpl = SmPL.load(run.smpl)
    args = ["spatch", "--sp-file", run.smpl.name, "-D", "patch"]
    args += [a for d in run.defines for a in ("-D", d)] + list(smpl.options) + ["--in-place"]
    if len(files) == 1:
        return _wrap(args + list(files), "  ")
    loop = _wrap(["for", "f", "in"] + list(files), "  ")
    return loop + "; do\n" + _wrap(args, "      ", raw_tail=' "$f"') + "\n  done"


def _wrap(words, indent, raw_tail=""):
    """Shell words on lines of at most WIDTH columns, continued by backslashes."""
    lines, cur = [], indent
    for w in [shlex.quote(w) for w in words]:
        if cur.strip() and len(cur) + 1 + len(w) + 2 > WIDTH:
            lines.append(cur + " \\")
            cur = indent + "  " + w
        else:
            cur = f"{cur} {w}" if cur.strip() else cur + w
    return "\n".join(lines + [cur + raw_tail])


def quoted(smpl_path: Path) -> str:
    """The semantic patch as spatch ran it, indented (its '#include' lines
    would read as comments to git, a '---' as the end of the log)."""
    smpl = SmPL.load(smpl_path)
    text = f"// {smpl.path.name}\n" + (smpl.quiet or smpl.path.read_text())
    return "\n".join(f"  {line}" if line else "" for line in text.rstrip("\n").split("\n"))


def how_made(runs: list[RuleRun], files: Sequence[str], spatch_version: str) -> list[str]:
    """The paragraphs of a commit message that reproduce the commit's
    changes to `files` from its parent: [] when no semantic patch made them."""
    mine = [(r, [f for f in r.changed if f in files]) for r in runs]
    mine = [(r, fs) for r, fs in mine if fs]
    if not mine:
        return []
    several = len({r.smpl for r, _ in mine}) > 1
    which = "each semantic patch below as the file its first line names" if several else \
        f"the semantic patch below as {mine[0][0].smpl.name}"
    out = [textwrap.fill(f"{INTRO}, save {which} at the top of the tree and run there (Coccinelle "
                         f"{spatch_version}):", WIDTH), ""]
    for r, fs in mine:
        out += [command(r, fs), ""]
    if any(set(r.folded) & set(files) for r, _ in mine):
        out += [textwrap.fill(FOLDING_SENTENCE, WIDTH), ""]
    seen = set()
    for r, _ in mine:
        if r.smpl.name not in seen:
            seen.add(r.smpl.name)
            out += [quoted(r.smpl), ""]
    return out[:-1]


def parse(msg: str) -> tuple[list[str], dict[str, str], bool, list[str]]:
    """(command texts, {semantic patch name: text}, whether the folding is
    said, hand-written files) of a commit message how_made() wrote."""
    lines = msg.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(INTRO)), None)
    if start is None:
        return [], {}, False, []
    while lines[start].strip():
        start += 1
    commands: list[str] = []
    smpls: dict[str, str] = {}
    cur: list[str] = []
    name: str | None = None
    for line in lines[start:] + ["(end)"]:
        label = re.match(r"^  // (\S+\.cocci)$", line)
        plain = line.strip() and not line.startswith("  ")
        if label or plain or (name is None and not line.strip()):
            text = "\n".join(cur).strip("\n")
            if text and name:
                smpls[name] = text + "\n"
            elif text:
                commands.append(text)
            cur = []
            if plain and name:
                break               # the first plain line after the semantic patches
            name = label.group(1) if label else name
            continue
        cur.append(line[2:])
    flat = " ".join(" ".join(lines).split())
    hand = re.search(r"The new (.+?) (?:is|are) hand-written", flat)
    return (
        commands,
        smpls,
        " ".join(FOLDING_SENTENCE.split()) in flat,
        hand.group(1).split(", ") if hand else [],
    )


def reproduce(gitdir: Path, commits: list[str], env: dict[str, str], work: Path) -> dict[str, str]:
    """Make each commit again from its parent by what its message says: its
    hand-written files taken from it, its commands run with its semantic
    patches saved at the top of the tree, the #if folding after each command
    where it says so. Returns {commit: what differs} of those that differ
    (an empty dict: every commit reproduced)."""
    git_env = dict(
        env, GIT_DIR=str(gitdir), GIT_WORK_TREE=str(work), GIT_INDEX_FILE=f"{work}.index"
    )

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], env=git_env, cwd=work, capture_output=True, text=True,
                              check=True).stdout

    work.mkdir(parents=True, exist_ok=True)
    wrong = {}
    for c in commits:
        git("read-tree", "--reset", "-u", f"{c}^")
        git("clean", "-fdxq")
        commands, smpls, folding, hand = parse(git("log", "-1", "--format=%B", c))
        files = git("diff", "--name-only", f"{c}^", c).split()
        if hand:
            git("checkout", c, "--", *hand)
        for name, text in smpls.items():
            (work / name).write_text(text)
        for cmd in commands:
            before = {f: (work / f).read_text(**ENC) for f in files if (work / f).is_file()}
            r = subprocess.run(
                ["bash", "-ec", cmd], cwd=work, env=env, capture_output=True, text=True, check=False
            )
            if r.returncode != 0:
                wrong[c] = f"`{cmd}` exited {r.returncode}: {r.stderr.strip()[-300:]}"
                break
            for f, old in before.items() if folding else ():
                new = (work / f).read_text(**ENC)
                (work / f).write_text(tidy(old, new), **ENC)
        for name in smpls:
            (work / name).unlink()
        git("add", "-A")
        differs = git("diff", "--cached", "--stat", c)
        if c not in wrong and differs.strip():
            wrong[c] = differs
    return wrong
