"""Running Coccinelle's spatch on files of a tree, in parallel, never in place."""

import os
import re
import resource
import shlex
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ToolError
from .tree import ENC

DEFAULT_TIMEOUT = 120


def find_spatch():
    """The spatch to run: $SPATCH, else the one on PATH."""
    exe = os.environ.get("SPATCH") or shutil.which("spatch")
    if not exe or not shutil.which(exe):
        raise ToolError(f"spatch not found ({exe or 'not on PATH'})",
                        "run `make deps` (installs Debian's coccinelle) or set SPATCH=/path/to/spatch")
    return exe


def version(exe):
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    m = re.search(r"spatch version (\S+)", r.stdout + r.stderr)
    if r.returncode != 0 or not m:
        raise ToolError(f"{exe} --version failed", "reinstall coccinelle with `make deps`")
    return m.group(1)


@dataclass(frozen=True)
class SmPL:
    """A semantic patch file and what its header says."""
    path: Path
    description: str
    options: tuple
    virtuals: frozenset

    @classmethod
    def load(cls, path):
        text = Path(path).read_text()
        desc = " ".join(line[3:].strip() for line in text.splitlines() if line.startswith("///"))
        m = re.search(r"(?m)^// Options:(.*)$", text)
        opts = tuple(shlex.split(m.group(1))) if m else ()
        virt = frozenset(re.findall(r"(?m)^virtual\s+(\w+)", text))
        return cls(Path(path), desc, opts, virt)


@dataclass
class FileResult:
    rel: str
    text: str | None = None          # new content, None if unchanged
    report: list = field(default_factory=list)
    rules: list = field(default_factory=list)       # named rules that fired (their script rules say so)
    parse_errors: list = field(default_factory=list)
    timed_out: bool = False
    failed: str = ""


@dataclass
class RunStats:
    files: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0

    def add(self, other):
        self.files += other.files
        self.cpu_s += other.cpu_s
        self.wall_s += other.wall_s


# How spatch says it gave up on a file (--timeout), and how it dies.
_TIMEOUT = re.compile(r"timeout \(we abort\)|Coccinelle_modules\.Common\.Timeout|^Timeout at ", re.M)
_CRASH = re.compile(r"Fatal error: .*|.*(?:Stack overflow|Out of memory|Segmentation fault).*")


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
    def __init__(self, exe=None, jobs=None, timeout=DEFAULT_TIMEOUT):
        self.exe = exe or find_spatch()
        self.version = version(self.exe)
        self.jobs = jobs or os.cpu_count() or 1
        self.timeout = timeout

    def command(self, smpl, mode, defines, infile, outfile=None):
        cmd = [self.exe, "--sp-file", str(smpl.path), "-D", mode]
        for name in sorted(defines & smpl.virtuals):
            cmd += ["-D", name]
        cmd += list(smpl.options) + ["--timeout", str(self.timeout), "--parse-error-msg", str(infile)]
        if outfile:
            cmd += ["-o", str(outfile)]
        return cmd

    def _one(self, smpl, mode, defines, tree, rel, scratch):
        res = FileResult(rel)
        src = Path(scratch) / rel.replace("/", "__")
        out = src.with_suffix(src.suffix + ".out")
        src.write_text(tree.read(rel), **ENC)
        cmd = self.command(smpl, mode, defines, src, out if mode == "patch" else None)
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                               timeout=self.timeout + 30, check=False)
        except subprocess.TimeoutExpired:
            res.timed_out = True
            return res
        log = r.stdout + r.stderr
        res.parse_errors = _parse_errors(log)
        crash = _CRASH.search(r.stderr)
        if r.returncode < 0:
            res.failed = f"spatch was killed by signal {-r.returncode}"
        elif crash:
            res.failed = f"spatch crashed: {crash.group().strip()}"
        elif _TIMEOUT.search(log):
            res.timed_out = True
        # Neither is a failure: no file changed, or no rule can fire with these virtuals.
        elif r.returncode != 0 and not any(m in r.stderr for m in ("there are no modified files", "No rules apply")):
            res.failed = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        res.rules = list(dict.fromkeys(re.findall(r"(?m)^treewide-rule (\w+)$", r.stdout)))
        if mode == "patch" and out.exists() and not res.failed and not res.timed_out:
            res.text = out.read_text(**ENC)
        if mode == "report":
            res.report = [line.replace(str(src), rel) for line in r.stdout.splitlines()
                          if line.startswith(str(src) + ":")]
        return res

    def run(self, smpl, mode, defines, tree, rels):
        """Run one semantic patch over files; returns (results, stats)."""
        stats = RunStats(files=len(rels))
        if not rels:
            return [], stats
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="treewide-spatch-") as scratch:
            with ThreadPoolExecutor(self.jobs) as pool:
                results = list(pool.map(lambda rel: self._one(smpl, mode, defines, tree, rel, scratch), rels))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        stats.wall_s = time.monotonic() - t0
        stats.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return results, stats
