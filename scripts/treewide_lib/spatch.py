"""Running Coccinelle's spatch on files of a tree, in parallel, never on the tree itself."""

from __future__ import annotations

import os
import re
import resource
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .encoding import ENC
from .errors import ToolError

if TYPE_CHECKING:
    from .tree import Tree


DEFAULT_TIMEOUT = 120


def find_spatch() -> str:
    """The spatch to run: $SPATCH, else the one on PATH."""
    exe = os.environ.get("SPATCH") or shutil.which("spatch")
    if not exe or not shutil.which(exe):
        raise ToolError(
            f"spatch not found ({exe or 'not on PATH'})",
            "run `make deps` (installs Debian's coccinelle) or set SPATCH=/path/to/spatch",
        )
    return exe


def version(exe: str) -> str:
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    m = re.search(r"spatch version (\S+)", r.stdout + r.stderr)
    if r.returncode != 0 or not m:
        raise ToolError(f"{exe} --version failed", "reinstall coccinelle with `make deps`")
    return m.group(1)


# A script rule that only says a rule fired (for provenance).
_ANNOUNCE = re.compile(r'(?m)^@script:python depends on (\w+)@\n@@\nprint\("treewide-rule \1"\)\n')


@dataclass(frozen=True)
class SmPL:
    """A semantic patch file and what its header says. `quiet` is its text
    without the script rules that only announce a rule (`announced`): in
    patch mode spatch runs that text with --debug, which says which rules
    transformed something, and starts no Python where no other script
    rule needs it (Python's start-up costs spatch more than most files)."""
    path: Path
    description: str
    options: tuple
    virtuals: frozenset
    announced: frozenset = frozenset()
    quiet: str = ""

    @classmethod
    def load(cls, path: Path | str) -> SmPL:
        text = Path(path).read_text()
        desc = " ".join(line[3:].strip() for line in text.splitlines() if line.startswith("///"))
        m = re.search(r"(?m)^// Options:(.*)$", text)
        opts = tuple(shlex.split(m.group(1))) if m else ()
        virt = frozenset(re.findall(r"(?m)(?:^virtual\s+|\bidentifier\s+virtual\.)(\w+)", text))
        return cls(
            Path(path),
            desc,
            opts,
            virt,
            frozenset(_ANNOUNCE.findall(text)),
            _ANNOUNCE.sub("", text),
        )


def _transformed(log, names):
    """The rules among `names` that --debug says transformed something, in order."""
    fired, rule = [], None
    for line in log.splitlines():
        m = re.match(r"(\w+) = $", line)
        if m:
            rule = m.group(1)
        elif rule in names and "transform one node" in line and rule not in fired:
            fired.append(rule)
    return fired


@dataclass
class FileResult:
    rel: str
    text: str | None = None          # new content, None if unchanged
    report: list = field(default_factory=list)
    rules: list = field(default_factory=list)  # named rules that fired (their script rules say so)
    parse_errors: list = field(default_factory=list)
    timed_out: bool = False
    failed: str = ""


@dataclass
class RunStats:
    files: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    def add(self, other: RunStats) -> None:
        self.files += other.files
        self.cpu_s += other.cpu_s
        self.wall_s += other.wall_s


# How spatch says it gave up on a file (--timeout), and how it dies.
_TIMEOUT = re.compile(
    r"timeout \(we abort\)|Coccinelle_modules\.Common\.Timeout|^Timeout at ", re.M
)
# Only at the start of a line: spatch's --debug and bad: lines quote the
# source, and a printk("Out of memory") in it is not a crash.
_CRASH = re.compile(
    r"(?m)^(?:Fatal error: .*|(?:Stack overflow|Out of memory|Segmentation fault)\b.*)$"
)


def _parse_errors(output):
    """The source lines spatch reported as unparsable (its bad:/BAD: lines)."""
    seen = []
    for line in output.splitlines():
        if line.startswith(("bad:", "BAD:")):
            text = line[4:].lstrip("!").strip()
            if text not in seen:
                seen.append(text)
    return seen


class Spatch:
    """Runs a semantic patch over files: a few spatch processes, one per
    core, each over a directory of scratch copies (--dir: every file on its
    own, as if run alone). One process per file would start spatch's
    embedded Python (the script rules) once per file, which cost more CPU
    than parsing most files."""

    def __init__(self, exe: str | None = None, jobs: int | None = None,
                 timeout: int = DEFAULT_TIMEOUT) -> None:
        self.exe = exe or find_spatch()
        # spatch starts `python3` for its script rules: its own distribution's,
        # not a pyenv or conda one that comes first in the user's PATH
        self.env = {
            **_ENV,
            "PATH": os.pathsep.join(
                [str(Path(self.exe).resolve().parent), os.environ.get("PATH", "")]
            ),
        }
        self.version = version(self.exe)
        self.jobs = jobs or os.cpu_count() or 1
        self.timeout = timeout

    def command(self, smpl: SmPL, mode: str, defines: Iterable[str], target: Path | str,
                outfile: Path | str | None = None, quiet: Path | str | None = None,
                extra: Sequence[str] = ()) -> list[str]:
        """spatch on `target`; with `quiet` (the rule's quiet text, a file),
        that text under --debug, which says which rules transformed something."""
        cmd = [self.exe, "--sp-file", str(quiet or smpl.path), "-D", mode]
        for define in sorted(d for d in defines if d.split("=", 1)[0] in smpl.virtuals):
            cmd += ["-D", define]
        cmd += list(smpl.options) + ["--timeout", str(self.timeout), "--parse-error-msg"]
        cmd += ["--debug"] if quiet else []
        cmd += list(extra)
        if outfile:
            cmd += ["-o", str(outfile)]
        return cmd + [str(target)]

    @staticmethod
    def _judge(res, log, returncode, shown, rel, announced=frozenset()):
        """Fill a file's result from spatch's words about it (`shown`: the
        path spatch knew the file by)."""
        res.parse_errors = _parse_errors(log)
        crash = _CRASH.search(log)
        if returncode < 0:
            res.failed = f"spatch was killed by signal {-returncode}"
        elif crash:
            res.failed = f"spatch crashed: {crash.group().strip()}"
        elif _TIMEOUT.search(log):
            res.timed_out = True
        said = re.findall(r"(?m)^treewide-rule (\w+)$", log)
        res.rules = list(dict.fromkeys(said + _transformed(log, announced)))
        res.report = [
            rel + line[len(shown) :] for line in log.splitlines() if line.startswith(shown + ":")
        ]

    @staticmethod
    def _quiet(smpl, mode, scratch):
        """The quiet text of a patch-mode rule in the scratch directory
        (None: run the file itself)."""
        if mode != "patch" or not smpl.announced:
            return None
        path = Path(scratch) / f"quiet-{smpl.path.name}"
        if not path.exists():  # two batches may get here at once: each renames a whole file
            tmp = path.with_name(f"{path.name}.{threading.get_ident()}")
            tmp.write_text(smpl.quiet)
            os.replace(tmp, path)
        return path

    def _one(self, smpl, mode, defines, tree, rel, scratch):
        """One file in a process of its own: where a batch died, to say which file killed it."""
        res = FileResult(rel)
        src = Path(scratch) / rel.replace("/", "__")
        out = src.with_suffix(src.suffix + ".out")
        src.write_text(tree.read(rel), **ENC)
        cmd = self.command(
            smpl,
            mode,
            defines,
            src,
            out if mode == "patch" else None,
            self._quiet(smpl, mode, scratch),
        )
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                               timeout=self.timeout + 30, check=False, env=self.env)
        except subprocess.TimeoutExpired:
            res.timed_out = True
            return res
        self._judge(res, r.stdout + r.stderr, r.returncode, str(src), rel, smpl.announced)
        # Neither is a failure: no file changed, or no rule can fire with these virtuals.
        if not (res.failed or res.timed_out) and r.returncode != 0 and not _BENIGN.search(r.stderr):
            res.failed = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        if mode == "patch" and out.exists() and not res.failed and not res.timed_out:
            res.text = out.read_text(**ENC)
        return res

    def _batch(self, smpl, mode, defines, tree, rels, scratch):
        """Files in one spatch process (--dir, in place on their copies)."""
        scratch = Path(scratch)
        scratch.mkdir()
        names = {}
        for rel in rels:
            name = rel.replace("/", "__")
            names[name] = rel
            (scratch / name).write_text(tree.read(rel), **ENC)
        cmd = self.command(
            smpl,
            mode,
            defines,
            scratch,
            quiet=self._quiet(smpl, mode, scratch.parent),
            extra=["--include-headers"] + (["--in-place"] if mode == "patch" else []),
        )
        try:
            r = subprocess.run(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                timeout=(self.timeout + 5) * len(rels) + 30,
                check=False,
                env=self.env,
            )
        except subprocess.TimeoutExpired:
            r = None
        sections = _sections(r.stdout) if r else {}
        # Handled none of its files (it found none in --dir): no file's result can be read off it.
        if (
            r is None
            or r.returncode < 0
            or not sections
            or _CRASH.search(r.stdout)
            and not _blamed(sections)
        ):
            # The process died: each file again on its own, so the failure names its file.
            return [self._one(smpl, mode, defines, tree, rel, scratch.parent) for rel in rels]
        out, died = [], r.returncode != 0 and not _BENIGN.search(r.stdout)
        for name, rel in names.items():
            shown = next((p for p in sections if Path(p).name == name), None)
            if shown is None and died:         # spatch stopped before this file: run it on its own
                out.append(self._one(smpl, mode, defines, tree, rel, scratch.parent))
                continue
            res, shown = FileResult(rel), shown or str(scratch / name)
            self._judge(res, sections.get(shown, ""), 0, shown, rel, smpl.announced)
            if mode == "patch" and not res.failed and not res.timed_out:
                text = (scratch / name).read_text(**ENC)
                res.text = text if text != tree.read(rel) else None
            out.append(res)
        if died and not any(x.failed or x.timed_out for x in out):
            raise ToolError(
                f"spatch failed on {smpl.path.name}: "
                + (r.stdout.strip().splitlines() or ["?"])[-1],
                f"run it by hand to see why: {shlex.join(cmd)}",
            )
        return out

    def run(self, smpl: SmPL, mode: str, defines: Iterable[str], tree: Tree,
            rels: list[str]) -> tuple[list[FileResult], RunStats]:
        """Run one semantic patch over files; returns (results, stats)."""
        stats = RunStats(files=len(rels))
        if not rels:
            return [], stats
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        chunks = _chunks(rels, self.jobs, lambda rel: len(tree.read(rel)))
        with tempfile.TemporaryDirectory(prefix="treewide-spatch-", dir=_scratch_base()) as scratch:
            with ThreadPoolExecutor(len(chunks)) as pool:
                parts = pool.map(
                    lambda i: self._batch(smpl, mode, defines, tree, chunks[i], f"{scratch}/{i}"),
                    range(len(chunks)),
                )
                done = {r.rel: r for part in parts for r in part}
        no_python = next(
            (r.failed for r in done.values() if r.failed and "Py.find_library" in r.failed), None
        )
        if no_python:
            raise ToolError(
                f"spatch cannot load Python for its script rules: {no_python[:200]}",
                "install libpython3-dev (`make deps` does), which has the library spatch looks for",
            )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        stats.wall_s = time.monotonic() - t0
        stats.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return [done[rel] for rel in rels], stats


# spatch's Python prints (the script rules' "treewide-rule" lines) must come
# out in order with its own HANDLING lines.
_ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
_BENIGN = re.compile(r"there are no modified files|No rules apply")


def _scratch_base():
    """A directory for spatch's copies whose path a shell would not split: spatch
    hands --dir to `find` through a shell, so a TMPDIR with a space in it makes
    it find no file, and say nothing of it but a line of find's."""
    for base in (tempfile.gettempdir(), "/var/tmp", "/tmp"):
        if re.fullmatch(r"[\w./+,:@%=-]+", base) and os.access(base, os.W_OK | os.X_OK):
            return base
    raise ToolError(f"no temporary directory without spaces or shell characters in its path "
                    f"(TMPDIR is {tempfile.gettempdir()!r})", "set TMPDIR to such a directory")


def _sections(log):
    """{path: what spatch said while handling it} from a --dir run."""
    out: dict[str, list[str]] = {}
    current = None
    for line in log.splitlines(keepends=True):
        m = re.match(r"HANDLING: (.*)$", line.rstrip("\n"))
        if m:
            current = m.group(1)
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return {path: "".join(lines) for path, lines in out.items()}


def _blamed(sections):
    """Whether a crash message sits in some file's section (spatch went on after it)."""
    return any(_CRASH.search(text) for text in sections.values())


def _chunks(rels, n, size):
    """rels in at most n lists of about equal total size, largest files first."""
    bins: list[tuple[list[int], list[str]]] = [([0], []) for _ in range(min(n, len(rels)))]
    for rel in sorted(rels, key=size, reverse=True):
        total, members = min(bins, key=lambda b: b[0][0])
        total[0] += size(rel)
        members.append(rel)
    return [members for _, members in bins]
