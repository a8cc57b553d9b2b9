"""The build-test matrix: every arch x config cell, baseline and patched.

Per cell: configure both trees alike (O= directories, reproducible build
settings, ccache), build the selected objects (select.py) or everything,
compare diagnostics by identity, sparse warnings the same way, and for
no-op series the object code of every object built in both, per function.
"""

import json
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from . import buildcheck, select
from .errors import ToolError

REPRODUCIBLE = {"KBUILD_BUILD_TIMESTAMP": "Thu Jan  1 00:00:00 UTC 1970", "KBUILD_BUILD_USER": "treewide",
                "KBUILD_BUILD_HOST": "treewide", "KBUILD_BUILD_VERSION": "1"}


def shard(names, spec):
    """The cells of shard 'i/N' (1-based), round robin over the sorted names."""
    m = re.fullmatch(r"(\d+)/(\d+)", spec or "1/1")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ToolError(f"bad shard '{spec}'", "pass --shard i/N with 1 <= i <= N")
    i, n = int(m.group(1)), int(m.group(2))
    return [c for k, c in enumerate(sorted(names)) if k % n == i - 1]


def _make(src, out, cell, extra, jobs, *targets):
    cmd = buildcheck._make(src, out, cell, extra, jobs, *targets)
    return cmd + [f"{k}={v}" for k, v in REPRODUCIBLE.items()]


def _run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False)
    return r.returncode, r.stdout + r.stderr


def configure(src, out, cell, extra, jobs):
    out.mkdir(parents=True, exist_ok=True)
    logs = []
    steps = buildcheck.config_steps(src, out, cell, extra, jobs, make=_make)
    for cmd in steps + [_make(src, out, cell, extra, jobs, "prepare")]:
        rc, text = _run(cmd)
        logs.append(text)
        if rc != 0:
            return False, "\n".join(logs)
    return True, "\n".join(logs)


def functions(objdump, obj):
    """{function: normalised disassembly} of one object."""
    r = subprocess.run([objdump, "-d", "--no-show-raw-insn", str(obj)], capture_output=True, text=True,
                       errors="replace", check=False)
    funcs, cur = {}, None
    for line in r.stdout.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
        elif cur is not None and line.strip():
            body = re.sub(r"^\s*[0-9a-f]+:\s*", "", line)
            body = re.sub(r"\b[0-9a-f]+ <([^>]+)>", r"<\1>", body)
            cur.append(body)
    return {k: "\n".join(v) for k, v in funcs.items()}


def compare_code(objdump, base_out, patched_out, objs):
    differs = []
    for o in objs:
        a, b = functions(objdump, base_out / o), functions(objdump, patched_out / o)
        for fn in sorted(set(a) | set(b)):
            if a.get(fn) != b.get(fn):
                differs.append(f"{o}: {fn}")
    return differs


def _compiler(cell):
    r = subprocess.run([f"{cell['cross_compile']}gcc", "--version"], capture_output=True, text=True, check=False)
    return r.stdout.splitlines()[0] if r.returncode == 0 and r.stdout else ""


def run_cell(name, cell, ctx, log=print):
    """One cell: a JSON-able record."""
    t0 = time.monotonic()
    rec = {"cell": name, "arch": cell["arch"], "defconfig": cell["defconfig"], "why": cell["why"]}
    gcc = f"{cell['cross_compile']}gcc"
    if not shutil.which(gcc):
        rec.update(status="skipped", reason=f"{gcc} not installed (apt-get install {cell['package']})")
        return rec
    extra, why = buildcheck.quirks_for(ctx["quirks"], ctx["version"], cell["arch"])
    rec.update(compiler=_compiler(cell), quirks=why)
    outs = {label: ctx["work"] / f"{name}-{label}" for label in ("baseline", "patched")}
    for label, src in (("baseline", ctx["base"]), ("patched", ctx["patched"])):
        log(f"  {name}: configure and prepare {label}")
        ok, text = configure(src, outs[label], cell, extra, ctx["jobs"])
        (ctx["work"] / f"{name}-{label}-prepare.log").write_text(text)
        if not ok:
            status = "baseline-broken" if label == "baseline" else "regression"
            rec.update(status=status, reason=f"{label} configure/prepare fails: " + _last_error(text),
                       duration_s=round(time.monotonic() - t0, 1))
            return rec
    if ctx["full"]:
        targets, candidates = ["all"], 0
    else:
        objs, candidates = select.objects(ctx["base"], outs["baseline"], cell["arch"], ctx["changed"], ctx["diff"],
                                          ctx["graph"])
        targets = sorted(set(cell["targets"]) | set(objs))
    rec.update(selected=len(targets), candidates=candidates)
    diags, built, sparse = {}, {}, {}
    for label, src in (("baseline", ctx["base"]), ("patched", ctx["patched"])):
        log(f"  {name}: building {label}: {len(targets)} target(s)")
        _, text = _run(_make(src, outs[label], cell, extra, ctx["jobs"], *targets))
        (ctx["work"] / f"{name}-{label}.log").write_text(text)
        diags[label] = buildcheck.diagnostics(text, (src, outs[label]))
        if ctx["sparse"] and shutil.which("sparse"):
            _, sp = _run(_make(src, outs[label], cell, extra, ctx["jobs"], "C=2", "CHECK=sparse", *targets))
            (ctx["work"] / f"{name}-{label}-sparse.log").write_text(sp)
            sparse[label] = buildcheck.diagnostics(sp, (src, outs[label])) - diags[label]
        built[label] = {str(p.relative_to(outs[label])) for t in targets
                        for p in buildcheck._objects(outs[label], t if t != "all" else "./")}
    b, p = diags["baseline"], diags["patched"]
    rec.update(new=sorted(map(str, p - b)), gone=sorted(map(str, b - p)), unchanged=len(b & p),
               objects_built=len(built["patched"]),
               new_failures=sorted(o for o in targets if o.endswith(".o") and o in built["baseline"]
                                   and o not in built["patched"]),
               preexisting_failures=sorted(o for o in targets if o.endswith(".o") and o not in built["baseline"]))
    if ctx["noop"]:
        both = sorted(built["baseline"] & built["patched"])
        rec["code"] = {"compared": len(both),
                       "differs": compare_code(f"{cell['cross_compile']}objdump", outs["baseline"], outs["patched"],
                                               both)}
    if sparse:
        sb, sp = sparse["baseline"], sparse["patched"]
        rec["sparse"] = {"new": sorted(map(str, sp - sb)), "gone": sorted(map(str, sb - sp)), "unchanged": len(sb & sp)}
    else:
        rec["sparse"] = "not run: " + ("--no-sparse" if not ctx["sparse"] else "sparse not installed")
    rec["reproduce"] = shlex.join(_make(Path("<tree>"), "<O>", cell, extra, ctx["jobs"], *targets))
    bad = rec["new"] or rec["new_failures"] or (rec.get("code") or {}).get("differs") or (
        isinstance(rec["sparse"], dict) and rec["sparse"]["new"])
    rec["status"] = "regression" if bad else "ok"
    rec["duration_s"] = round(time.monotonic() - t0, 1)
    return rec


def _last_error(text):
    lines = text.strip().splitlines()
    errs = [line for line in lines if ": error:" in line] or [line for line in lines if "Error " in line]
    return (errs[:1] or lines[-1:] or ["?"])[0][:200]


def markdown(records, skips):
    out = ["| cell | arch | status | new | gone | sparse new | pre-existing failures | objects | code | time |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(records, key=lambda r: r["cell"]):
        code = r.get("code")
        code = "-" if not code else ("identical" if not code["differs"] else f"{len(code['differs'])} differ")
        out.append(f"| {r['cell']} | {r['arch']} | {r['status']}{': ' + r['reason'] if r.get('reason') else ''} "
                   f"| {len(r.get('new', []))} | {len(r.get('gone', []))} | {_sparse_new(r)} "
                   f"| {len(r.get('preexisting_failures', []))} "
                   f"| {r.get('objects_built', 0)}/{r.get('selected', 0)} | {code} | {r.get('duration_s', 0)} s |")
    out += ["", "Skipped arches:", ""] + [f"- {a}: {why}" for a, why in sorted(skips.items())]
    for r in records:
        for d in r.get("new", []):
            out.append(f"- NEW in {r['cell']}: {d}")
        for d in (r.get("code") or {}).get("differs", []):
            out.append(f"- CODE DIFFERS in {r['cell']}: {d}")
    return "\n".join(out) + "\n"


def _sparse_new(r):
    sp = r.get("sparse")
    return len(sp["new"]) if isinstance(sp, dict) else "-"


def write(out, records, skips):
    cells = out / "cells"
    cells.mkdir(parents=True, exist_ok=True)
    for r in records:
        (cells / f"{r['cell']}.json").write_text(json.dumps(r, indent=2) + "\n")
    merge(out, [out])


def merge(out, dirs):
    """matrix.json and matrix.md from every cell record under dirs (shards)."""
    records = {}
    for d in dirs:
        for f in sorted(Path(d).glob("cells/*.json")):
            records[f.stem] = json.loads(f.read_text())
    _, skips, _ = buildcheck.load_arches()
    out.mkdir(parents=True, exist_ok=True)
    (out / "cells").mkdir(exist_ok=True)
    for name, r in records.items():
        (out / "cells" / f"{name}.json").write_text(json.dumps(r, indent=2) + "\n")
    data = {"schema": "treewide-matrix/1", "cells": [records[k] for k in sorted(records)], "skipped_arches": skips}
    (out / "matrix.json").write_text(json.dumps(data, indent=2) + "\n")
    (out / "matrix.md").write_text(markdown(list(records.values()), skips))
    return data
