"""The build-test matrix: every arch x config cell, baseline and patched.

Per cell: configure both trees alike (O= directories, reproducible build
settings, ccache), build the selected objects (select.py) or everything,
compare diagnostics by identity, sparse warnings the same way, and for
no-op series the object code of every object built in both, per function.
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from . import buildcheck, copies, each_commit, linkrefs, select
from .errors import ToolError
from .txn import write_atomic


MARK = ".treewide-matrix"                 # in every OUT a matrix run wrote
FAILED = ("regression", "selection-misses", "timeout", "config-lost", "error")


def exit_status(data):
    return 1 if any(r["status"] in FAILED for r in data["cells"]) else 0


def clear_records(out):
    shutil.rmtree(out / "cells", ignore_errors=True)


def shard(names, spec):
    """The cells of shard 'i/N' (1-based), round robin over the sorted names,
    in the order given (the order they run in)."""
    m = re.fullmatch(r"(\d+)/(\d+)", spec or "1/1")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ToolError(f"bad shard '{spec}'", "pass --shard i/N with 1 <= i <= N")
    i, n = int(m.group(1)), int(m.group(2))
    mine = {c for k, c in enumerate(sorted(names)) if k % n == i - 1}
    return [c for c in names if c in mine]


def for_tree(root, cells, skips):
    """The cells and skipped arches of this tree's arch/: an arch without a
    row in the table is listed as skipped for that reason, never dropped;
    a cell whose arch the tree lacks (riscv before 4.15) is left out, listed."""
    here = {d.name for d in (Path(root) / "arch").iterdir() if d.is_dir()}
    with_cells = {c["arch"] for c in cells.values()}
    out = {a: why for a, why in skips.items() if a in here}
    out |= {a: "no row in the arch table (scripts/data/arches.toml): add one" for a in here - with_cells - set(skips)}
    out |= {a: f"the tree has no arch/{a}" for a in with_cells - here}
    return {n: c for n, c in cells.items() if c["arch"] in here}, out


class Jobserver:
    """One GNU make jobserver for every make of every cell: cells run side by
    side and still share `jobs` compile slots (plus one per make in flight,
    as a plain `make -jN` would have)."""

    def __init__(self, jobs):
        self.r, self.w = os.pipe()
        os.write(self.w, b"+" * max(jobs - 1, 0))
        self.env = dict(os.environ, MAKEFLAGS=f" -j{jobs} --jobserver-auth={self.r},{self.w}")
        self.running, self.stopped = set(), False

    def run(self, cmd, tick=None, every=30, deadline=None, serial=False):
        """Run a make; call tick() every `every` seconds while it runs. Past
        the deadline (a time.monotonic() value) the make is stopped and
        CellTimeout raised. A stopped make cannot hand its slots back: the
        other cells go on with fewer. Each make runs in its own process
        group, so that it can be stopped whole. serial: outside the
        jobserver, one job at a time (cmd says -j1)."""
        if self.stopped:
            raise Stopped()
        env = {k: v for k, v in self.env.items() if k != "MAKEFLAGS"} if serial else self.env
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                              env=env, pass_fds=(self.r, self.w), process_group=0) as p:
            self.running.add(p)
            try:
                while True:
                    try:
                        out, _ = p.communicate(timeout=_wait(every if tick else None, deadline))
                    except subprocess.TimeoutExpired:
                        if deadline is not None and time.monotonic() >= deadline:
                            raise CellTimeout() from None
                        if tick:
                            tick()
                        continue
                    if self.stopped:
                        raise Stopped()
                    return p.returncode, out
            except BaseException:
                _stop(p)
                raise
            finally:
                self.running.discard(p)

    def stop_all(self):
        """Stop every make in flight and refuse new ones (Ctrl-C, SIGTERM:
        the makes are out of the terminal's reach, in their own groups)."""
        self.stopped = True
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in list(self.running):
                _signal(p, sig)
            end = time.monotonic() + 10
            while self.running and time.monotonic() < end:
                time.sleep(0.1)


class CellTimeout(Exception):
    pass


class Stopped(Exception):
    pass


def _wait(every, deadline):
    if deadline is None:
        return every
    left = max(deadline - time.monotonic(), 0.1)
    return min(every, left) if every else left


def _stop(p):
    """SIGTERM to the make and everything it started (make removes half-built
    targets), SIGKILL if that is not enough."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not _signal(p, sig):
            return
        try:
            p.communicate(timeout=30)
            return
        except subprocess.TimeoutExpired:
            continue


def _signal(p, sig):
    try:
        os.killpg(p.pid, sig)
        return True
    except ProcessLookupError:
        return False


def _make(*args, sparse=False):
    return buildcheck.make_command(*args, sparse=sparse, wrap=True)


def configure(src, out, cell, extra, js, deadline=None):
    """defconfig, options, olddefconfig and prepare, unless this O= directory
    was already configured by the same commands (then the build's own
    prepare dependency is enough)."""
    buildcheck.diag_tools(out, cell["cross_compile"])
    steps = buildcheck.config_steps(src, out, cell, extra, None, wrap=True)
    stamp, key = out / ".treewide-configured", json.dumps([steps, _compiler(cell)])
    if stamp.is_file() and stamp.read_text() == key and (out / ".config").is_file():
        return True, "already configured by the same commands\n"
    stamp.unlink(missing_ok=True)
    # A stale auto.conf is read before Kbuild regenerates it: arc 4.10's
    # Makefile stops on the old config's ISA before reaching the new one.
    (out / "include/config/auto.conf").unlink(missing_ok=True)
    logs = []
    for cmd in steps + [_make(src, out, cell, extra, None, "prepare")]:
        rc, text = js.run(cmd, deadline=deadline)
        logs.append(text)
        if rc != 0:
            return False, "\n".join(logs)
    stamp.write_text(key)
    return True, "\n".join(logs)


# -r: in an object not yet linked, a call or a load shows its target only as a
# relocation; without it a call to another function disassembles the same.
OBJDUMP = ["-d", "-r", "--no-show-raw-insn"]


def functions(objdump, obj):
    """{function: normalised disassembly, relocations included} of one object."""
    r = subprocess.run([objdump, *OBJDUMP, str(obj)], capture_output=True, text=True,
                       errors="replace", check=False)
    if r.returncode != 0:
        raise ToolError(f"{objdump} failed on {obj}: {(r.stderr.strip().splitlines() or ['?'])[-1]}",
                        "check that the cross binutils are installed and the object is not truncated")
    funcs: dict[str, list[str]] = {}
    cur = None
    for line in r.stdout.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
        elif cur is not None and line.strip():
            body = re.sub(r"^\s*[0-9a-f]+:\s*", "", line)
            body = re.sub(r"\b[0-9a-f]+ <([^>]+)>", r"<\1>", body)
            cur.append(body)
    return {k: "\n".join(v) for k, v in funcs.items()}


def compare_code(objdump, base_out, patched_out, objs, cache=None):
    """Functions whose code differs, per object; an object objdump cannot
    read is a difference. cache (a JSON file) keeps the answer for object
    pairs that did not change since the last run with the same objdump flags."""
    old = json.loads(cache.read_text()) if cache and cache.is_file() else {}
    new, differs = {}, []
    for o in objs:
        key = [_stat(base_out / o), _stat(patched_out / o), OBJDUMP]
        if old.get(o, {}).get("key") == key:
            diff = old[o]["differs"]
        else:
            try:
                a, b = functions(objdump, base_out / o), functions(objdump, patched_out / o)
                diff = [fn for fn in sorted(set(a) | set(b)) if a.get(fn) != b.get(fn)]
            except ToolError as e:
                diff = [f"(not compared: {e.cause})"]
        new[o] = {"key": key, "differs": diff}
        differs += [f"{o}: {fn}" for fn in diff]
    if cache:
        write_atomic(cache, json.dumps(new))
    return differs


def _failed(objs, built, diags):
    """Objects of the selection the build did not leave, or in a full build
    (no selection) the objects whose make target failed."""
    if objs is not None:
        return sorted(o for o in objs if o not in built)
    return sorted({d.file for d in diags if d.kind == "make" and d.file.endswith(".o")})


def _stat(path):
    st = path.stat()
    return [st.st_mtime_ns, st.st_size]


def _compiler(cell):
    r = subprocess.run([f"{cell['cross_compile']}gcc", "--version"], capture_output=True, text=True, check=False)
    return r.stdout.splitlines()[0] if r.returncode == 0 and r.stdout else ""


def build_tree(src, out, cell, extra, objs, targets, ctx, log, link=()):
    """Build the make targets (incrementally), then the link targets (a make
    of their own, without sparse: it would check every object of the
    kernel), and read back the diagnostics of every object in objs (None:
    of every object the build compiled). Returns (log, built objects,
    compiler diagnostics, sparse diagnostics)."""
    if not targets and not link:          # a bare make would build everything
        return "nothing to build: the change reaches no object this config builds\n", set(), Counter(), Counter()
    whole, objs = objs is None, objs or []
    if ctx["sparse"]:                     # built before without sparse: rebuild (ccache) to check it
        for o in objs or [str(p.relative_to(out))[:-3] for p in out.glob("**/*.o.cc")]:
            if (out / o).exists() and not (out / f"{o}.sparse").exists():
                (out / o).unlink()

    def tick():
        done = len(list(out.glob("**/*.o.cc"))) if whole else sum((out / o).exists() for o in objs)
        log(f"{done}/{'?' if whole else len(objs)} objects built")

    start = out / ".treewide-build-start"
    start.touch()
    text = ""
    for goals, sparse in ((targets, ctx["sparse"]), (link, False)):
        if goals:
            cmd = _make(src, out, cell, extra, None, *goals, sparse=sparse)
            rc, more = ctx["jobserver"].run(cmd, tick, deadline=ctx["deadline"])
            _check_make(rc, more, cmd, (src, out))
            text += more
    if whole:
        objs = sorted(str(p.relative_to(out))[:-3] for p in out.glob("**/*.o.cc"))
    roots = (src, out)
    logged = buildcheck.diagnostics(text, roots)
    cc = Counter({d: n for d, n in logged.items() if d.kind in ("make", "link")})
    cc += link_diagnostics(out, Counter({d: n for d, n in logged.items() if d.file == "(link)"}),
                           start.stat().st_mtime_ns, roots)
    sparse = Counter()
    for o in objs:
        cc += buildcheck.diagnostics(buildcheck.read_text(out / f"{o}.cc"), roots, o)
        sparse += buildcheck.diagnostics(buildcheck.read_text(out / f"{o}.sparse"), roots, o)
    return text, {o for o in objs if (out / o).exists()}, cc, sparse


RETRY_AT_MOST = 10      # failed objects a tree retries; past that, only those the other tree built


def retry_failures(name, trees, outs, built, found, objs, cell, extra, ctx, log):
    """An object a tree failed to build is built once more, alone and one
    job at a time: a compiler killed, a full disk, or Kbuild compiling one
    object twice at once (it does for 6.1's arch/x86/pci/common.o when that
    is a make target of its own, and at -j2 the two compilations race on
    its dependency file) is neither a regression nor a pre-existing
    failure. A failure that does not come back is noted ("tree: its first
    diagnostic"), and the retry's diagnostics (compiler's and sparse's)
    replace the first build's, with the make failures of the directories
    above it; one that does come back stays what it is."""
    diags, sparse = found
    notes = []
    for label, other in (("baseline", "patched"), ("patched", "baseline")):
        failed = sorted(_failed(objs, built[label], diags[label]))
        if len(failed) > RETRY_AT_MOST:
            failed = [o for o in failed if o in built[other]]
        for o in failed:
            log(name, f"build {label}: {o} again, alone")
            cmd = _make(trees[label], outs[label], cell, extra, 1, o, sparse=ctx["sparse"])
            _, text = ctx["jobserver"].run(cmd, deadline=ctx["deadline"], serial=True)
            if not (outs[label] / o).exists():
                continue
            first = sorted((d.kind == "make", str(d)) for d in diags[label] if d.file == o)   # the compiler's first
            roots = (trees[label], outs[label])
            above = {".", "__sub-make"} | {str(d) for d in Path(o).parents}
            again = Counter({d: n for d, n in buildcheck.diagnostics(text, roots).items()
                             if d.kind == "make" and d.file == o})
            again += buildcheck.diagnostics(buildcheck.read_text(outs[label] / f"{o}.cc"), roots, o)
            diags[label] = Counter({d: n for d, n in diags[label].items()
                                    if d.file != o and not (d.kind == "make" and d.file in above)}) + again
            sparse[label] = Counter({d: n for d, n in sparse[label].items() if d.file != o}) + \
                buildcheck.diagnostics(buildcheck.read_text(outs[label] / f"{o}.sparse"), roots, o)
            built[label].add(o)
            notes.append(f"{label}: " + (first[0][1] if first else f"{o}: not built, no diagnostic"))
    return notes


class MakeFailed(Exception):
    pass


def _check_make(rc, text, cmd, roots):
    why = buildcheck.make_failure(rc, text, roots)
    if why:
        raise MakeFailed(f"{shlex.join(cmd[:2])} ... {' '.join(cmd[-3:])} {why}")


def link_diagnostics(out, logged, since_ns, roots):
    """The linker's diagnostics in O=out: those of every link record ld kept
    (dir/foo.o.ld; see buildcheck.diag_tools), whether or not this build
    relinked it, plus the log's (link) lines no record has (links through
    the compiler driver). Records written since since_ns are in the log too."""
    kept: Counter[buildcheck.Diag] = Counter()
    fresh: Counter[buildcheck.Diag] = Counter()
    for rec in out.glob("**/*.o.ld"):
        found = buildcheck.diagnostics(buildcheck.read_text(rec), roots)
        kept += found
        if rec.stat().st_mtime_ns >= since_ns:
            fresh += found
    return logged - fresh + kept


class _Phases(dict):
    @contextmanager
    def __call__(self, name):
        t0 = time.monotonic()
        yield
        self[name] = round(self.get(name, 0) + time.monotonic() - t0, 1)


def run_cell(name, cell, ctx, log=print):
    """One cell: a JSON-able record. With ctx["cell_timeout"] (s), a cell
    still building then is stopped and recorded as "timeout"."""
    t0 = time.monotonic()
    rec = {"cell": name, "arch": cell["arch"], "defconfig": cell["defconfig"], "why": cell["why"],
           "reproduce": f"{ctx['reproduce']} --cell {shlex.quote(name)}"}
    limit = ctx.get("cell_timeout")
    try:
        return _run_cell(name, cell, dict(ctx, deadline=t0 + limit if limit else None), log, rec, t0)
    except CellTimeout:
        log(name, f"stopped after {limit} s")
        rec.update(status="timeout", reason=f"stopped after {limit} s (--cell-timeout)",
                   duration_s=round(time.monotonic() - t0, 1))
        return rec
    except MakeFailed as e:
        rec.update(status="error", reason=str(e), duration_s=round(time.monotonic() - t0, 1))
        return rec


def _run_cell(name, cell, ctx, log, rec, t0):
    extra, why = buildcheck.quirks_for(ctx["quirks"], ctx["version"], cell["arch"])
    fixups = [f["why"] for f in ctx["fixups"] if cell["arch"] in f.get("arches", [cell["arch"]])]
    rec.update(compiler=_compiler(cell), quirks=why, fixups=fixups)
    trees = {"baseline": ctx["baseline"],
             "before-noop": ctx.get("before_noop"),      # the no-op steps' code is compared with it
             "patched": ctx["patched"]}
    trees = {label: src for label, src in trees.items() if src}
    outs = {label: copies.build_dir(src, name) for label, src in trees.items()}
    phase = rec["phases"] = _Phases()
    for label, src in trees.items():
        log(name, f"configure {label}")
        with phase("configure"):
            ok, text = configure(src, outs[label], cell, extra, ctx["jobserver"], ctx["deadline"])
        (ctx["work"] / f"{name}-{label}-prepare.log").write_text(text)
        if not ok:
            status = "baseline-broken" if label == "baseline" else "regression"
            rec.update(status=status, reason=f"{label} configure/prepare fails: " + _last_error(text),
                       duration_s=round(time.monotonic() - t0, 1))
            return rec
        # Options olddefconfig dropped would take their objects out of the cell without a word.
        rec["config"], lost = buildcheck.config_values(outs[label], cell)
        if lost:
            rec.update(status="config-lost", duration_s=round(time.monotonic() - t0, 1),
                       reason=f"{label}: {buildcheck.lost_options(src, lost, cell['arch'])}")
            return rec
    with phase("select"):
        selected, candidates, targets = select.objects(trees["baseline"], outs["baseline"], cell["arch"],
                                                       ctx["changed"], ctx["diff"], ctx["graph"],
                                                       extra=cell["targets"])
    linking = [] if ctx["full"] else link_targets(outs["baseline"], ctx)
    objs, targets = (None, ["all"]) if ctx["full"] else (selected, targets)
    rec.update(selected=len(selected), candidates=candidates,
               link=f"linked: make {' '.join(linking or targets)}" if linking or ctx["full"] else
               "not linked (--link: vmlinux and modpost)")
    if ctx["check_selection"]:                 # the baseline built whole is all the check needs
        trees = {"baseline": trees["baseline"]}
    diags, built, sparse = {}, {}, {}
    for label, src in trees.items():
        log(name, f"build {label}: {len(targets)} target(s)")
        with phase("build"):
            text, built[label], diags[label], sparse[label] = build_tree(
                src, outs[label], cell, extra, objs, targets,
                dict(ctx, sparse=False) if label == "before-noop" else ctx,     # only its code is compared
                lambda what: log(name, f"build {label}: {what}"), link=[] if label == "before-noop" else linking)
        (ctx["work"] / f"{name}-{label}.log").write_text(text)
    if ctx["full"]:
        rec["selection_check"] = select.against_build(trees["baseline"], outs["baseline"], cell["arch"], ctx["changed"],
                                                      ctx["diff"], selected)
    if ctx["check_selection"]:
        missed = rec["selection_check"]["missed"]
        rec.update(status="selection-misses" if missed else "ok", duration_s=round(time.monotonic() - t0, 1))
        return rec
    rec["flaky"] = retry_failures(name, trees, outs, built, (diags, sparse), objs, cell, extra, ctx, log)
    b, p = diags["baseline"], diags["patched"]
    rec.update(new=sorted(map(str, p - b)), gone=sorted(map(str, b - p)), unchanged=sum((b & p).values()),
               objects_built=len(built["patched"]),
               new_failures=sorted(built["baseline"] - built["patched"]),
               preexisting_failures=_failed(objs, built["baseline"], b))
    with phase("references"):
        rec["unresolved"] = unresolved(cell, outs, built, trees["patched"], rec["preexisting_failures"])
    ref = (ctx.get("code") or {}).get("against")
    if ref:
        log(name, f"compare object code with {ref}")
        both = sorted(built[ref] & built["patched"])
        with phase("compare"):
            differs = compare_code(f"{cell['cross_compile']}objdump", outs[ref], outs["patched"], both,
                                   ctx["work"] / f"{name}-code.json")
        rec["code"] = {"compared": len(both), "differs": differs, "against": ref}
    elif ctx.get("code"):
        rec["code"] = {"compared": 0, "differs": [], "not_compared": ctx["code"]["why"]}
    if ctx.get("commits"):
        def build_at(src, out):
            return _build_at(src, out, cell, extra, objs, targets, ctx, lambda what: log(name, f"commit build: {what}"))
        with phase("commits"):
            rec["commits"] = each_commit.run(name, ctx, trees["baseline"], b, objs, build_at, log)
    if ctx["sparse"]:
        rec["sparse"] = sparse_compared(sparse["baseline"], sparse["patched"])
    else:
        rec["sparse"] = "not run: " + ctx["no_sparse_why"]
    rec["make"] = " && ".join(shlex.join(buildcheck.make_command(trees["patched"], outs["patched"], cell, extra,
                                                                 ctx["jobs"], *goals, sparse=sparse))
                              for goals, sparse in ((targets, ctx["sparse"]), (linking, False)) if goals)
    commits_bad = any(c["status"] != "ok" for c in rec.get("commits", []))
    bad = rec["new"] or rec["new_failures"] or rec["unresolved"] or (rec.get("code") or {}).get("differs") or (
        isinstance(rec["sparse"], dict) and rec["sparse"]["new"]) or commits_bad
    rec["status"] = "regression" if bad else "ok"
    rec["duration_s"] = round(time.monotonic() - t0, 1)
    return rec


# What treewide-diag keeps of a sparse that could not run or did not finish.
_SPARSE_NOT_RUN = re.compile(r"^sparse (timed out after|exited with status) ")


def sparse_compared(base, patched):
    """Sparse's warnings compared by identity. An object sparse did not
    finish on (either tree) was not checked: listed apart, never counted
    as a warning that stayed the same."""
    unchecked = {d.file for d in base + patched if _SPARSE_NOT_RUN.match(d.msg)}
    sb, sp = (Counter({d: n for d, n in c.items() if d.file not in unchecked}) for c in (base, patched))
    return {"new": sorted(map(str, sp - sb)), "gone": sorted(map(str, sb - sp)),
            "unchanged": sum((sb & sp).values()), "not_checked": sorted(unchecked)}


def link_targets(out, ctx):
    """With --link: vmlinux, and the modules with modpost where the config has them."""
    if not ctx.get("link"):
        return []
    modules = re.search(r"(?m)^CONFIG_MODULES=y$", buildcheck.read_text(out / ".config"))
    return ["vmlinux"] + (["modules"] if modules else [])


def unresolved(cell, outs, built, patched_src, base_failed):
    """New unresolved references of the patched objects (linkrefs.py),
    but for those the baseline failed to build: it says nothing of what they
    referenced before. An object nm cannot read is a finding, not a pass."""
    patched = sorted(set(built["patched"]) - set(base_failed))
    try:
        return linkrefs.new_unresolved(f"{cell['cross_compile']}nm", outs["baseline"], sorted(built["baseline"]),
                                       outs["patched"], patched, patched_src, cell["arch"])
    except ToolError as e:
        return [f"(not checked: {e.cause})"]


class Progress:
    """Counts and elapsed time: a status line rewritten in place on a
    terminal, plain lines elsewhere (CI logs)."""

    def __init__(self, total, stream=sys.stdout):
        self.total, self.done, self.running = total, 0, {}
        self.t0, self.stream, self.tty = time.monotonic(), stream, stream.isatty()
        self.lock = threading.Lock()

    def __call__(self, cell, what):
        with self.lock:
            self.running[cell] = what
            self._show(f"{cell}: {what}")

    def finished(self, cell, line):
        with self.lock:
            self.done += 1
            self.running.pop(cell, None)
            self._show(line, keep=True)

    def _show(self, line, keep=False):
        head = f"[{self.done}/{self.total} {int(time.monotonic() - self.t0) // 60}:" \
               f"{int(time.monotonic() - self.t0) % 60:02d}]"
        if not self.tty:
            print(f"{head} {line}", file=self.stream, flush=True)
            return
        status = "; ".join(f"{c}: {w}" for c, w in sorted(self.running.items()))
        cols = shutil.get_terminal_size().columns
        if keep:
            print(f"\r\033[K{head} {line}", file=self.stream)
        print(f"\r\033[K{head} {status}"[:cols + 4], end="", file=self.stream, flush=True)


def run_all(names, cells, ctx, out, skips, parallel):
    """Every cell, `parallel` at once, each record written as soon as it is done."""
    progress = Progress(len(names))

    def one(name):
        t0 = time.monotonic()
        r = run_cell(name, cells[name], ctx, log=progress)
        write(out, [r], skips)
        progress.finished(name, f"{name}: {r['status']}{': ' + r['reason'] if r.get('reason') else ''} "
                                f"({time.monotonic() - t0:.0f} s)")
        return r

    with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
        try:
            records = list(pool.map(one, names))
        except BaseException:
            ctx["jobserver"].stop_all()
            raise
    if progress.tty:
        print()
    return records


def _build_at(src, out, cell, extra, objs, targets, ctx, log):
    """Configure and build a cell's targets from one more tree (a commit of
    the series): (configured, log, built objects, diagnostics). No sparse,
    no link: a commit is checked for what it compiles."""
    ok, text = configure(src, out, cell, extra, ctx["jobserver"], ctx["deadline"])
    if not ok:
        return False, text, set(), Counter()
    more, built, diags, _ = build_tree(src, out, cell, extra, objs, targets, dict(ctx, sparse=False), log)
    return True, text + more, built, diags


def _last_error(text):
    lines = text.strip().splitlines()
    errs = [line for line in lines if ": error:" in line] or [line for line in lines if "Error " in line]
    return (errs[:1] or lines[-1:] or ["?"])[0][:200]


def markdown(records, skips):
    out = ["| cell | arch | status | new | gone | sparse new | unresolved new | pre-existing failures | objects | code "
           "| commits | time |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(records, key=lambda r: r["cell"]):
        code = code_summary(r.get("code"))
        out.append(f"| {r['cell']} | {r['arch']} | {r['status']}{': ' + r['reason'] if r.get('reason') else ''} "
                   f"| {len(r.get('new', []))} | {len(r.get('gone', []))} | {_sparse_new(r)} "
                   f"| {len(r['unresolved']) if 'unresolved' in r else '-'} "
                   f"| {len(r.get('preexisting_failures', []))} "
                   f"| {r.get('objects_built', 0)}/{r.get('selected', 0)} | {code} | {commits_summary(r)} "
                   f"| {r.get('duration_s', 0)} s |")
    out += ["", "Skipped arches:", ""] + [f"- {a}: {why}" for a, why in sorted(skips.items())]
    return "\n".join(out + details(records)) + "\n"


def code_summary(code):
    if not code:
        return "-"
    if code.get("not_compared"):
        return "not compared"
    return f"{len(code['differs'])} differ" if code["differs"] else "identical"


def commits_summary(r):
    if "commits" not in r:
        return "-"
    ok = sum(c["status"] == "ok" for c in r["commits"])
    return f"{ok}/{len(r['commits'])} ok"


def details(records):
    """One line per finding: what a failing cell shows, and what was already broken."""
    out = []
    for r in sorted(records, key=lambda r: r["cell"]):
        chk = r.get("selection_check")
        if chk:
            out.append(f"- SELECTION CHECK in {r['cell']}: the full build compiled {chk['compiled']} objects, the "
                       f"change reaches {chk['reached']}, the selection has {chk['selected']}; missed "
                       f"{len(chk['missed'])} {' '.join(chk['missed'])}; selected but not compiled "
                       f"{len(chk['selected_not_compiled'])} {' '.join(chk['selected_not_compiled'])}")
        sparse = r.get("sparse") if isinstance(r.get("sparse"), dict) else {}
        for label, found in [("NEW", r.get("new", [])), ("SPARSE NEW", sparse.get("new", [])),
                             ("CODE DIFFERS", (r.get("code") or {}).get("differs", [])),
                             ("NEW UNRESOLVED REFERENCE", r.get("unresolved", [])),
                             ("failed once, built on a retry", r.get("flaky", [])),
                             ("pre-existing failure", r.get("preexisting_failures", []))]:
            out += [f"- {label} in {r['cell']}: {d}" for d in found]
        if (r.get("code") or {}).get("not_compared"):
            out.append(f"- object code in {r['cell']} {r['code']['not_compared']}")     # "not compared: why"
        if sparse.get("not_checked"):
            out.append(f"- SPARSE DID NOT FINISH in {r['cell']} (not checked): {' '.join(sparse['not_checked'])}")
        out += each_commit.details(r["cell"], r.get("commits", []))
    return out


def _sparse_new(r):
    sp = r.get("sparse")
    if not isinstance(sp, dict):
        return "-"
    return f"{len(sp['new'])}" + (f" ({len(sp['not_checked'])} not checked)" if sp.get("not_checked") else "")


_WRITING = threading.Lock()


def write(out, records, skips):
    with _WRITING:
        _write(out, records, skips)


def _write(out, records, skips):
    cells = out / "cells"
    cells.mkdir(parents=True, exist_ok=True)
    for r in records:
        write_atomic(cells / f"{r['cell']}.json", json.dumps(r, indent=2) + "\n")
    merge(out, [out], skips)


def merge(out, dirs, skips=None):
    """matrix.json and matrix.md from every cell record under dirs (shards);
    the skipped arches are those the shards' matrix.json list."""
    records = {}
    for d in dirs:
        for f in sorted(Path(d).glob("cells/*.json")):
            records[f.stem] = json.loads(f.read_text())
        if skips is None and (Path(d) / "matrix.json").is_file():
            skips = json.loads((Path(d) / "matrix.json").read_text()).get("skipped_arches")
    out.mkdir(parents=True, exist_ok=True)
    (out / "cells").mkdir(exist_ok=True)
    for name, r in records.items():
        write_atomic(out / "cells" / f"{name}.json", json.dumps(r, indent=2) + "\n")
    if skips is None:                      # shards that kept only their cells/
        skips = buildcheck.load_arches()[1]
    data = {"schema": "treewide-matrix/1", "cells": [records[k] for k in sorted(records)], "skipped_arches": skips}
    write_atomic(out / "matrix.json", json.dumps(data, indent=2) + "\n")
    (out / "matrix.md").write_text(markdown(list(records.values()), skips))
    return data
