"""The `treewide` command line."""

import argparse
import os
import sys
from pathlib import Path

from . import VERSION, apply, bench, recipe, summary
from .errors import ToolError
from .spatch import DEFAULT_TIMEOUT, Spatch
from .tree import Tree

def default_out(tree):
    return Path.cwd() / "out" / tree.name


def _check_out(out, tree):
    out = out.resolve()
    if out == tree.root or tree.root in out.parents:
        raise ToolError(f"output directory {out} is inside the kernel tree",
                        "pass OUT=DIR outside the tree (default: out/<tree name>/ here)")
    return out


def cmd_apply(args):
    tree = Tree(args.ksrc)
    rec = recipe.load(args.recipe)
    out = _check_out(Path(args.out) if args.out else default_out(tree), tree)
    if not args.dry_run and not args.allow_dirty:
        dirty = tree.git_dirty()
        if dirty:
            raise ToolError(f"{tree.root} has uncommitted changes ({len(dirty)} file(s), first {dirty[0]})",
                            "commit or stash them first, or pass --allow-dirty")
    sp = Spatch(jobs=args.jobs, timeout=args.timeout)
    log = print if not args.quiet else (lambda *a: None)
    report, _ = apply.run(tree, rec, sp, out, dry_run=args.dry_run, log=log)
    print(summary.render(report, out))
    if args.strict and report["residuals"]:
        return 3
    failures = [f for s in report["steps"] for f in s["failures"]]
    return 1 if failures else 0


def build_parser():
    p = argparse.ArgumentParser(prog="treewide", description="Carry the DMA-ops consolidation across kernel trees.")
    p.add_argument("--version", action="version", version=f"treewide {VERSION}")
    sub = p.add_subparsers(dest="cmd", required=True)

    a = sub.add_parser("apply", help="rewrite a kernel tree with the whole recipe")
    a.add_argument("ksrc", help="top of the kernel source tree")
    a.add_argument("--out", help="where apply.json and apply.diff go (default out/<tree name>/)")
    a.add_argument("--recipe", default=recipe.DEFAULT_RECIPE, help="series recipe (TOML)")
    a.add_argument("--dry-run", action="store_true", help="compute everything, write nothing into the tree")
    a.add_argument("--allow-dirty", action="store_true", help="rewrite a git tree with uncommitted changes")
    a.add_argument("--strict", action="store_true", help="exit 3 when residuals are left")
    a.add_argument("--jobs", "-j", type=int, default=os.cpu_count(), help="spatch processes at once")
    a.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="spatch timeout per file (s)")
    a.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    a.set_defaults(func=cmd_apply)

    b = sub.add_parser("bench-apply", help="time apply (dry run) per step")
    b.add_argument("ksrc")
    b.add_argument("--recipe", default=recipe.DEFAULT_RECIPE)
    b.add_argument("--jobs", "-j", type=int, default=os.cpu_count())
    b.add_argument("--runs", type=int, default=3, help="timed runs after one warm-up")
    b.set_defaults(func=bench.run)
    return p


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ToolError as e:
        print(f"treewide: error: {e.cause}\n  fix: {e.fix}", file=sys.stderr)
        return e.status
    except KeyboardInterrupt:
        print("treewide: interrupted; the tree was left as it was before this run", file=sys.stderr)
        return 130
