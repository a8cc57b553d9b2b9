"""The `treewide` command line."""

import argparse
import dataclasses
import errno
import json
import os
import shlex
import shutil
import signal
import sys
from pathlib import Path
from typing import Any, Callable

from . import (VERSION, apply, bench, bench_boot, bench_matrix, bench_report, boot, copies, lava,
               each_commit, kcidb, lock, matrix, matrix_records, outdir, paths, rangediff, recipe,
               report, series, signals, console, sweep, target, txn)
from .errors import ToolError
from .kbuild import table as arch_table
from .spatch import DEFAULT_TIMEOUT, Spatch
from .tree import Tree


def default_out(tree: Tree) -> Path:
    return Path.cwd() / "out" / tree.name


def _log(quiet: bool) -> Callable[[str], Any]:
    """Where a run's progress goes: nothing with --quiet."""
    if quiet:
        return _silent
    return print


def _silent(*words: object) -> None:
    pass


def _positive(text):
    """An argparse type: a whole number above zero."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def cmd_apply(args: argparse.Namespace) -> int:
    tree = Tree(args.ksrc)
    rec = recipe.load(args.recipe)
    if args.until:
        rec = recipe.until(rec, args.until)
    out = outdir.check(Path(args.out) if args.out else default_out(tree), [tree.root])
    if not args.dry_run and not args.allow_dirty:
        dirty = tree.git_dirty()
        if dirty:
            raise ToolError(
                f"{tree.root} has uncommitted changes ({len(dirty)} file(s), first {dirty[0]})",
                "commit or stash them first, or pass --allow-dirty",
            )
    sp = Spatch(jobs=args.jobs, timeout=args.timeout)
    log = _log(args.quiet)
    if not args.dry_run:
        txn.watch(tree.root)
    with lock.tree_lock(tree.root, exclusive=not args.dry_run, wait=args.wait):
        report, _ = apply.run(tree, rec, sp, out, dry_run=args.dry_run, log=log)
    print(console.render(report, out))
    if not report["end_state_reached"] or args.strict and report["residuals"]:
        return console.SHORT_OF_END_STATE
    failures = [f for s in report["steps"] for f in s["failures"]]
    return 1 if failures else 0


def cmd_sweep(args: argparse.Namespace) -> int:
    rec = recipe.load(args.recipe)
    expect = sweep.load_expectations(args.expect) if args.expect else None
    out = Path(args.out)
    outdir.check(out, args.trees)            # its reports go to OUT/<tree name>/: never into a tree
    sp = Spatch(jobs=args.jobs, timeout=args.timeout)
    print(
        f"sweep: {len(args.trees)} tree(s), recipe {rec.name}, dry runs (nothing is written into a"
        " tree)"
    )
    data, md = sweep.run(args.trees, rec, sp, out, expect)
    print(md + f"Details: {out}/sweep.json; each tree's apply.json and apply.diff in {out}/<tree>/")
    return sweep.exit_status(data)


def cmd_series(args: argparse.Namespace) -> int:
    tree = Tree(args.ksrc)
    out = outdir.check(Path(args.out) if args.out else default_out(tree), [tree.root])
    rec = recipe.load(args.recipe)
    if args.since and args.version < 2:
        raise ToolError("--since names the series this one follows, but -v is 1",
                        "pass -v 2 (or the version this series is) with --since")
    if args.since and not (Path(args.since) / "series.json").is_file():
        raise ToolError(f"--since {args.since} holds no series (no series.json)",
                        "pass the OUT of the earlier `treewide series` run")
    tgt = target.for_tree(tree.version, args.for_, args.to, args.cc, auto=not args.no_auto_cc)
    print(
        f"series: Linux {tree.version} ({tree.name}) for {tgt.kind} [{tgt.prefix}]: {tgt.why}"
        + ("" if args.for_ else "; --for mainline|stable|vendor to choose")
    )
    job = series.Series(
        tree,
        rec,
        Spatch(jobs=args.jobs, timeout=args.timeout),
        out,
        tgt,
        signoff=args.signoff,
        date=args.date,
        log=_log(args.quiet),
        version=args.version,
        since=args.since and Path(args.since),
    )
    with lock.tree_lock(tree.root, exclusive=False, wait=args.wait):
        data, rep = job.run(
            force=args.force, allow_dirty=args.allow_dirty, verify=not args.no_verify
        )
    if data is None:
        print(console.render(rep, out))
        if not rep["end_state_reached"]:
            print("No series: no step that could be kept changes this tree. Nothing was written.")
            return console.SHORT_OF_END_STATE
        print(
            "Nothing to do: no step changes this tree, so there is no series. Nothing was written."
        )
        return 0
    print(console.render_series(data, out))
    if not rep["end_state_reached"]:
        print(console.short_of_end_state(rep["steps"]))
        return console.SHORT_OF_END_STATE
    verify = data.get("verify", {})
    return 0 if verify.get("identical", True) else 1


def cmd_matrix(args: argparse.Namespace) -> int:
    base = Tree(args.ksrc)
    _check_clean(base)
    out = _build_out(Path(args.out) if args.out else default_out(base) / "matrix", base, "matrix")
    table = arch_table.load(args.arch_table).for_tree(base.root)
    names = matrix.shard(_cell_names(args, base, table), args.shard)
    _check_compilers([table.cells[n] for n in names])
    outdir.claim(out, "matrix")
    matrix_records.clear_records(out)                 # records of an earlier run are not this run's
    copies.drop_old_layout(out)
    sparse = not args.no_sparse and bool(shutil.which("sparse"))
    opts = matrix.Options(
        jobs=args.jobs,
        full=args.full or args.check_selection,
        check_selection=args.check_selection,
        link=args.link,
        sparse=sparse,
        compare_code=not args.no_code,
        cell_timeout=args.cell_timeout,
        no_sparse_why=(
            "--no-sparse" if args.no_sparse else "sparse not installed (apt-get install sparse)"
        ),
        parallel=args.parallel or min(2, max(args.jobs, 1)),
        reproduce=_reproduce(args, base, out),
    )
    run = matrix.prepare(base, out, opts, table, recipe.load(args.recipe))
    print(f"matrix: {len(names)} cell(s) {' '.join(names)}")
    if args.each_commit or args.range:
        git, commits = _commits(args, base, out)
        run = dataclasses.replace(run, commits_git=git, commits=commits)
        print(f"each commit: {len(commits)} commit(s) of {git}")
    matrix.run_all(names, run)
    data = matrix_records.merge(out, [out], table.no_cell)
    print((out / "matrix.md").read_text())
    _refresh_series(out.parent)
    return matrix_records.exit_status(data)


def _refresh_series(series_out):
    """A matrix or boot run into a series' OUT brings its review page and the
    mail's Testing section up to date."""
    if not (series_out / "series.json").is_file():
        return
    m = _write_report(series_out)
    print(
        f"{series_out}/report.md and the mail's Testing section brought up to date:"
        f" {m['verdict'][1]}"
    )


def _write_report(out):
    try:
        data, rep, prov = (
            json.loads((out / f).read_text())
            for f in ("series.json", "apply.json", "provenance.json")
        )
    except FileNotFoundError as e:
        raise ToolError(f"{out} holds no series ({Path(e.filename).name} missing)",
                        "pass the OUT of `treewide series`") from None
    return report.write(out, data, rep, prov)


def _commits(args, base, out):
    """(git dir, commits) that --each-commit builds: --range from --git, or the
    series whose OUT holds this matrix OUT. The tree must be their base."""
    if args.full or args.check_selection:
        raise ToolError("--each-commit builds the selected objects per commit, not a full build",
                        "leave out --full and --check-selection")
    if args.range:
        base_rev, sep, tip = args.range.partition("..")
        if not (sep and base_rev and tip):
            raise ToolError(
                f"--range {args.range} is not BASE..TIP",
                "name two commits, e.g. --range v6.1..HEAD",
            )
        gitdir = Path(args.git) if args.git else base.root / ".git"
        listed = each_commit.commits(gitdir, base_rev, tip)
    else:
        found = each_commit.from_series(out.parent)
        if found is None:
            raise ToolError(
                f"{out.parent} holds no series, and no --range was given",
                (
                    "run the matrix with --out SERIES_OUT/matrix, or pass --range BASE..TIP [--git"
                    " DIR]"
                ),
            )
        gitdir, listed = found
        base_rev = json.loads((out.parent / "series.json").read_text())["base"]
    each_commit.check_base(gitdir, base_rev, listed, base.root)
    return gitdir, listed


def _check_clean(tree):
    """Kbuild refuses O= builds of a tree built in place."""
    built = [p for p in (".config", "include/config") if (tree.root / p).exists()]
    built += [
        str(p.relative_to(tree.root)) for p in sorted(tree.root.glob("arch/*/include/generated"))
    ]
    if built:
        raise ToolError(
            (
                f"{tree.root} has been built in place ({built[0]} is there), and Kbuild builds such"
                " a tree into no O= directory"
            ),
            "run `make mrproper` in it, or pass a clean copy",
        )


def _build_out(out, base, command):
    """OUT of a command that builds kernels there (outdir.check), checked
    for the characters Kbuild cannot take in a path."""
    out = outdir.check(out, [base.root], command)
    for path in (base.root, out):
        if " " in str(path) or ":" in str(path):
            raise ToolError(
                f"{path} has a space or colon, which Kbuild cannot build from or into",
                "use a tree and OUT whose paths have neither (a bind mount of the tree will do)",
            )
    return out


def _cell_names(args, base, table):
    """The cells --cell and --arch name (all the tree has by default)."""
    cells, names = table.cells, list(args.cell or [])
    for arch in args.arch or []:
        if arch in table.no_cell:
            raise ToolError(
                f"arch {arch} has no cell: {table.no_cell[arch]}", f"choose from {_arches(cells)}"
            )
        of_arch = [c for c in sorted(cells) if cells[c].arch == arch]
        if not of_arch:
            raise ToolError(f"unknown arch {arch}", f"choose from {_arches(cells)}")
        names += [c for c in of_arch if c not in names]
    unknown = [c for c in names if c not in cells]
    if unknown:
        everywhere = arch_table.load(args.arch_table).cells
        if all(c in everywhere for c in unknown):
            raise ToolError(
                f"{base.name} has no arch/ for cell(s) {', '.join(unknown)}",
                f"choose from {', '.join(sorted(cells))}",
            )
        raise ToolError(
            f"unknown cell(s) {', '.join(unknown)}", f"choose from {', '.join(sorted(cells))}"
        )
    return names or sorted(cells)


def _arches(cells):
    return ", ".join(sorted({c.arch for c in cells.values()}))


def _check_compilers(cells):
    missing = [c for c in cells if not shutil.which(f"{c.cross_compile}gcc")]
    if missing:
        raise ToolError(
            f"no cross compiler for cell(s) {', '.join(c.name for c in missing)}",
            (
                f"apt-get install {' '.join(sorted({c.package for c in missing}))} (or `make"
                " deps-cross`), or leave them out with --cell"
            ),
        )


def portable(command: str, *args: str) -> str:
    """The shell command that reruns `treewide command` from the top of any
    checkout of the toolkit, with $KSRC the tree and $OUT the run's output
    (no path of this machine in it); a cell or machine is appended."""
    return f'scripts/treewide {command} "$KSRC" --out "$OUT" {shlex.join(args)}'.rstrip()


def _toolkit_path(path):
    """A file of the toolkit relative to its top, any other absolute."""
    path, top = Path(path).resolve(), paths.TOP
    return str(path.relative_to(top)) if path.is_relative_to(top) else str(path)


def _reproduce(args, base, out):
    """The command that reruns a cell (its name is appended), incrementally in the same OUT."""
    cmd = ["-j", str(args.jobs)]
    cmd += ["--recipe", _toolkit_path(args.recipe)] if args.recipe != paths.DEFAULT_RECIPE else []
    cmd += (
        ["--arch-table", _toolkit_path(args.arch_table)] if args.arch_table != paths.ARCHES else []
    )
    flags = {
        "--full": args.full,
        "--check-selection": args.check_selection,
        "--no-sparse": args.no_sparse,
        "--no-code": args.no_code,
        "--link": args.link,
        "--each-commit": args.each_commit,
    }
    cmd += (
        ["--range", args.range, "--git", str(Path(args.git or base.root / ".git").resolve())]
        if args.range
        else []
    )
    return portable("matrix", *cmd, *[f for f, on in flags.items() if on])


def cmd_boot(args: argparse.Namespace) -> int:
    base = Tree(args.ksrc)
    if args.lava_results:
        return _boot_results(args, base)
    _check_clean(base)
    out = _build_out(Path(args.out) if args.out else default_out(base) / "boot", base, "boot")
    if "," in str(out):
        raise ToolError(
            f"{out} has a comma, which QEMU's -drive and -device options cannot take in a path",
            "pass an OUT whose path has no comma",
        )
    table = arch_table.load(args.arch_table).for_tree(base.root)
    machines, skips = table.machines, table.no_machine
    names = args.machine or [n for n in machines if not args.arch or machines[n].arch in args.arch]
    unknown = [n for n in names if n not in machines] + [a for a in args.arch or [] if a in skips]
    if unknown or not names:
        raise ToolError(
            "no boot machine"
            f" {', '.join(unknown) or 'for ' + ', '.join(args.arch or ['this tree'])}"
            + "".join(f" ({a}: {skips[a]})" for a in unknown if a in skips),
            f"choose from {', '.join(sorted(machines))}",
        )
    if args.lava_url and args.via != "lab":
        raise ToolError("--lava-url names where a lab fetches the jobs' files",
                        "give it with --via lab (lava-run here reads them from OUT)")
    boards = [n for n in names if machines[n].board]
    if boards and args.via != "lab":
        if args.machine:
            raise ToolError(f"{', '.join(boards)}: a lab's board, which LAVA boots in its lab",
                            "write its jobs with --via lab; --lava-results reads their results")
        names = [n for n in names if n not in boards]      # by default, what boots here
    missing = {pkg for n in names for _, pkg in boot.missing_tools(machines[n])}
    if args.via == "lava":
        lava.check_runner()
    if missing:
        raise ToolError(
            f"missing tools for {', '.join(names)}",
            f"apt-get install {' '.join(sorted(missing))} (or `make deps`)",
        )
    outdir.claim(out, "boot")
    print(f"boot: {base.name} ({base.version}), machine(s) {' '.join(names)}")
    opts = boot.Options(jobs=args.jobs, timeout=args.boot_timeout, via=args.via,
                        lava_url=args.lava_url or "", reproduce=portable("boot"))
    with lock.tree_lock(
        out, exclusive=True
    ):  # two runs would build and boot in the same directories
        status = boot.run(base, out, names, table, recipe.load(args.recipe), opts)
    print((out / "boot.md").read_text())
    _refresh_series(out.parent)
    return status


def _boot_results(args: argparse.Namespace, base: Tree) -> int:
    """--lava-results: a lab's results of the jobs a `--via lab` run wrote,
    read into that run's records."""
    out = Path(args.out) if args.out else default_out(base) / "boot"
    if not (out / "boot.json").is_file():
        raise ToolError(f"{out} holds no boot run (no boot.json)",
                        "pass the OUT of the `treewide boot --via lab` run that wrote the jobs")
    paths = [Path(p) for p in args.lava_results]
    files = [f for p in paths
             for f in (sorted(x for x in p.iterdir() if x.is_file()) if p.is_dir() else [p])]
    absent = [str(p) for p in paths if not p.exists()]
    if absent or not files:
        raise ToolError(f"no LAVA results at {', '.join(absent or map(str, paths))}",
                        "pass a job's results file (YAML) or a directory of them")
    table = arch_table.load(args.arch_table).for_tree(base.root)
    with lock.tree_lock(out, exclusive=True):
        status = boot.read_lava_results(out, files, table)
    print((out / "boot.md").read_text())
    _refresh_series(out.parent)
    return status


def cmd_matrix_merge(args: argparse.Namespace) -> int:
    dirs = [Path(d) for d in args.dirs]
    empty = [str(d) for d in dirs if not any(d.glob("cells/*.json"))]
    if empty:
        raise ToolError(f"no cell records (cells/*.json) in {', '.join(empty)}",
                        "pass the OUT of each `treewide matrix --shard` run")
    data = matrix_records.merge(Path(args.out), dirs)
    print((Path(args.out) / "matrix.md").read_text())
    return matrix_records.exit_status(data)


def cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    m = _write_report(out)
    print(f"{out}/report.md\n{out}/report.html\n{m['verdict'][1]}")
    return 0


def cmd_kcidb(args: argparse.Namespace) -> int:
    out = Path(args.out)
    data = kcidb.export(out)
    problems = kcidb.check(data)
    path = out / "kcidb.json"
    txn.write_atomic(path, json.dumps(data, indent=2) + "\n")
    print(
        f"{path}: KCIDB v{kcidb.VERSION['major']}.{kcidb.VERSION['minor']}, origin {kcidb.ORIGIN}:"
        f" {len(data['checkouts'])} checkout, {len(data['builds'])} build(s),"
        f" {len(data['tests'])} test(s)"
    )
    for p in problems:
        print(f"  NOT KCIDB: {p}")
    return 1 if problems else 0


def cmd_range_diff(args: argparse.Namespace) -> int:
    print(rangediff.run(args.old, args.new), end="")
    return 0


# Options several subcommands take: each declared here once, with one meaning.
SHARED: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "ksrc": (
        ("ksrc",),
        dict(help="top of the kernel source tree (only `apply` without --dry-run writes it)"),
    ),
    "out": (
        ("--out",),
        dict(
            help=(
                "output directory (default: out/<tree name>/ for apply and series, "
                "out/<tree name>/<command>/ for matrix and boot)"
            )
        ),
    ),
    "recipe": (
        ("--recipe",),
        dict(
            default=paths.DEFAULT_RECIPE,
            help="the series recipe (TOML; default: semantic-patches/recipe.toml)",
        ),
    ),
    "jobs": (
        ("--jobs", "-j"),
        dict(
            type=_positive,
            default=os.cpu_count(),
            help="processes at once: spatch runs or compile jobs (default: the cores)",
        ),
    ),
    "spatch-timeout": (
        ("--timeout",),
        dict(
            type=_positive,
            default=DEFAULT_TIMEOUT,
            metavar="SECONDS",
            help=f"spatch's time limit per file (default {DEFAULT_TIMEOUT})",
        ),
    ),
    "arch-table": (
        ("--arch-table",),
        dict(
            default=paths.ARCHES,
            help="arch table: cells, boot machines, quirks, fixups (TOML), e.g. a vendor's own",
        ),
    ),
    "wait": (
        ("--wait",),
        dict(action="store_true", help="wait for another run on the same tree instead of refusing"),
    ),
    "quiet": (("--quiet", "-q"), dict(action="store_true", help="print only the summary")),
    "cell": (
        ("--cell",),
        dict(action="append", help="a cell of the arch table (repeat; default: all)"),
    ),
    "machine": (
        ("--machine",),
        dict(action="append", help="a boot machine of the arch table (repeat; default: all)"),
    ),
    "arch": (
        ("--arch",),
        dict(action="append", help="every cell or machine of this arch (as under arch/)"),
    ),
}


def _command(sub, name, help, func, shared=(), **defaults):
    """A subcommand with the shared options named (their defaults overridden by `defaults`)."""
    c = sub.add_parser(name, help=help, description=help)
    for key in shared:
        flags, kw = SHARED[key]
        if key in defaults:
            kw = dict(
                kw,
                default=defaults[key],
                help=f"{kw['help'].split(' (')[0]} (default: {defaults[key]})",
            )
        c.add_argument(*flags, **kw)
    c.set_defaults(func=func)
    return c


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="treewide", description="Carry the DMA-ops consolidation across kernel trees."
    )
    p.add_argument("--version", action="version", version=f"treewide {VERSION}")
    sub = p.add_subparsers(dest="cmd", required=True)

    a = _command(
        sub,
        "apply",
        "rewrite a kernel tree with the whole recipe",
        cmd_apply,
        ("ksrc", "out", "recipe", "jobs", "spatch-timeout", "quiet", "wait"),
    )
    a.add_argument(
        "--dry-run", action="store_true", help="compute everything, write nothing into the tree"
    )
    a.add_argument(
        "--until", metavar="STEP", help="stop after this step (the tree as of that commit)"
    )
    a.add_argument(
        "--allow-dirty", action="store_true", help="rewrite a git tree with uncommitted changes"
    )
    a.add_argument(
        "--strict",
        action="store_true",
        help="exit 3 when residuals are left (a tree short of the end state always exits 3)",
    )

    for name, what, func in (
        ("bench-apply", "time apply (dry run) per step, first and warm", bench.run),
        ("bench-series", "time whole series runs, first and warm", bench.run_series),
    ):
        b = _command(sub, name, what, func, ("ksrc", "recipe", "jobs"))
        b.add_argument("--runs", type=_positive, default=3, help="warm runs after the first")

    w = _command(
        sub,
        "sweep",
        "the recipe as a dry run over many trees: one row per release or vendor tree",
        cmd_sweep,
        ("out", "recipe", "jobs", "spatch-timeout"),
        out="out/sweep",
    )
    w.add_argument("trees", nargs="+", help="kernel trees (never written)")
    w.add_argument("--expect", help="expectations per tree (TOML, e.g. scripts/data/sweep.toml)")

    s = _command(
        sub,
        "series",
        "regenerate the patch series (format-patch, Cc, checkpatch, report)",
        cmd_series,
        ("ksrc", "out", "recipe", "jobs", "spatch-timeout", "quiet", "wait"),
    )
    s.add_argument(
        "--signoff", help="'Name <email>' for author and Signed-off-by (default: git config)"
    )
    s.add_argument("--date", help="author and commit date (default: $SOURCE_DATE_EPOCH, else now)")
    s.add_argument("--force", action="store_true", help="replace an existing OUT")
    s.add_argument(
        "--allow-dirty", action="store_true", help="start from a git tree's uncommitted state"
    )
    s.add_argument("--no-verify", action="store_true", help="skip the git am check")
    s.add_argument(
        "--for",
        dest="for_",
        choices=target.KINDS,
        help="whom the series is for (default: from the tree's version, said on the first line)",
    )
    s.add_argument("--to", action="append", default=[], help="an address for To: (repeatable)")
    s.add_argument("--cc", action="append", default=[], help="an address for Cc: (repeatable)")
    s.add_argument(
        "-v",
        "--reroll-count",
        dest="version",
        type=_positive,
        default=1,
        help="the series' version: [PATCH vN], with --since its changes",
    )
    s.add_argument(
        "--since", help="OUT of the series this vN follows: \"Changes in vN\" from their range-diff"
    )
    s.add_argument(
        "--no-auto-cc",
        action="store_true",
        help="no recipients from get_maintainer.pl or the target: only --to and --cc",
    )

    m = _command(
        sub,
        "matrix",
        "build every arch x config cell, baseline and patched, and compare",
        cmd_matrix,
        ("ksrc", "out", "recipe", "jobs", "arch-table", "cell", "arch"),
    )
    m.add_argument("--shard", default="1/1", help="run shard i of N (cells round robin), e.g. 2/4")
    m.add_argument(
        "--full", action="store_true", help="build everything (make all), not the selected objects"
    )
    m.add_argument("--no-sparse", action="store_true", help="skip sparse (make C=1)")
    m.add_argument(
        "--no-code",
        action="store_true",
        help="do not compare the no-op steps' object code (saves one tree's build per cell)",
    )
    m.add_argument(
        "--link",
        action="store_true",
        help="also link vmlinux and run modpost in both trees (builds every built-in object: slow)",
    )
    m.add_argument(
        "--check-selection",
        action="store_true",
        help="build only the baseline, whole, and report what the selection would miss",
    )
    m.add_argument(
        "--each-commit",
        action="store_true",
        help=(
            "also build every commit of the series (OUT inside a `treewide series` OUT) or of"
            " --range"
        ),
    )
    m.add_argument(
        "--range", metavar="BASE..TIP", help="the commits --each-commit builds, from --git"
    )
    m.add_argument("--git", metavar="GIT_DIR", help="repository of --range (default: KSRC/.git)")
    m.add_argument(
        "--parallel", type=int, default=0, help="cells at once (default 2, or 1 with -j1)"
    )
    m.add_argument(
        "--cell-timeout",
        type=_positive,
        metavar="SECONDS",
        help="stop a cell still building after this long and record it as timeout",
    )

    bb = _command(
        sub,
        "bench-boot",
        "time boot machines cold, with a warm ccache, and rerun",
        bench_boot.run,
        ("ksrc", "out", "jobs", "machine"),
        out="/var/tmp/treewide-bench-boot",
    )
    bb.add_argument("--lava", action="store_true",
                    help="one more rerun, each boot through lava-run: its cost beside QEMU's")

    br = _command(
        sub,
        "bench-report",
        "size of a series' review page and its render and load times",
        bench_report.run,
    )
    br.add_argument(
        "out", help="the OUT of `treewide series` (report.md and report.html are written again)"
    )

    bm = _command(
        sub,
        "bench-matrix",
        "time the matrix cold and warm, and check selection by a full build",
        bench_matrix.run,
        ("ksrc", "out", "jobs", "cell"),
        out="/var/tmp/treewide-bench-matrix",
    )
    bm.add_argument(
        "--full-cell",
        default="parisc",
        help="cell built whole to check the selection ('none': skip)",
    )
    bm.add_argument("--full-from", help="OUT of an earlier `matrix --full` run to report instead")
    bm.add_argument(
        "--link", action="store_true", help="every run with --link (vmlinux and modpost)"
    )
    bm.add_argument("--no-sparse", action="store_true", help="every run with --no-sparse")
    bm.add_argument(
        "--series",
        help=(
            "OUT of `treewide series` from the same tree: every run also builds "
            "each of its commits (--each-commit)"
        ),
    )

    b = _command(
        sub,
        "boot",
        "boot small kernels of the baseline and patched trees under QEMU, DMA test",
        cmd_boot,
        ("ksrc", "out", "recipe", "jobs", "arch-table", "machine", "arch"),
    )
    b.add_argument(
        "--via",
        choices=("qemu", "lava", "lab"),
        default="qemu",
        help="who boots: qemu (driven here, the default), lava (each machine's LAVA job run by"
        " lava-run here), lab (the LAVA jobs written to OUT/lava for a lab; no boot here)",
    )
    b.add_argument(
        "--lava-url",
        metavar="URL",
        help="where a lab's dispatcher finds OUT's files: the jobs name URL/<path under OUT>"
        " (default: file:// paths here)",
    )
    b.add_argument(
        "--lava-results",
        action="append",
        metavar="FILE_OR_DIR",
        help="read a lab's results of the jobs (job logs or results exports, one file per job,"
        " named <job name>.yaml; a directory: every file in it) into OUT's boot records;"
        " builds and boots nothing",
    )
    b.add_argument(
        "--boot-timeout",
        type=_positive,
        metavar="SECONDS",
        help="time limit per boot (default: the machine's)",
    )

    g = _command(
        sub, "matrix-merge", "merge shard outputs into one matrix.json/matrix.md", cmd_matrix_merge
    )
    g.add_argument("out", help="merged output directory")
    g.add_argument("dirs", nargs="+", help="shard output directories")

    o = _command(
        sub,
        "report",
        "render report.md and report.html again (after a build matrix, say)",
        cmd_report,
    )
    o.add_argument("out", help="OUT of `treewide series`")

    k = _command(
        sub, "kcidb", "the series' builds and tests as KCIDB v4 data, in OUT/kcidb.json", cmd_kcidb
    )
    k.add_argument(
        "out", help="OUT of `treewide series` (with its matrix and boot results, where they ran)"
    )

    r = _command(
        sub, "range-diff", "how a series changed between two regenerations", cmd_range_diff
    )
    r.add_argument("old", help="OUT of the earlier `treewide series`")
    r.add_argument("new", help="OUT of the later one")

    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signals.install(defer=txn.user_tree_written)
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed output is found here, while a stop can be told
    except ToolError as e:
        _say(f"treewide: error: {e.cause}\n  fix: {e.fix}")
        return e.status
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        _say(f"treewide: stopped by {signal.Signals(signum).name}; {txn.tree_state()}")
        return 128 + signum
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        _say(f"treewide: error: {where}{e.strerror or e}\n  fix: {_os_fix(e)}; {txn.tree_state()}")
        return 2
    except Exception as e:                      # a bug of ours: say so, without a traceback
        if os.environ.get("TREEWIDE_DEBUG"):
            raise
        _say(
            f"treewide: internal error: {type(e).__name__}: {e}\n  this is a bug in treewide:"
            " please report it with the command line; TREEWIDE_DEBUG=1 shows the traceback;"
            f" {txn.tree_state()}"
        )
        return 70
    late = signals.deferred()
    if late:
        _say(
            f"treewide: {signal.Signals(late[0]).name} came once the tree was written, so the run"
            f" finished; {txn.tree_state()}"
        )
    return status


def _say(text):
    """The last words, on stderr while it is there (a stop may have taken it away)."""
    print(text, file=sys.stderr)


def _os_fix(e):
    """What the user can do about an error of the operating system."""
    return {
        errno.ENOSPC: "free space on that filesystem (or pass another OUT), then run again",
        errno.EROFS: (
            "that filesystem is read-only: pass a writable OUT, or work on a writable copy"
        ),
        errno.EACCES: "make the path readable and writable for this user, or work on a copy",
        errno.EPERM: "make the path readable and writable for this user, or work on a copy",
        errno.ENOTDIR: "a part of that path is a file: pass a directory path",
        errno.EEXIST: "that path exists as a file: pass a directory path",
        errno.ENOENT: (
            "the file vanished while the run read it: run again on a tree nobody else is changing"
        ),
    }.get(e.errno, "check the path and the filesystem, then run again")
