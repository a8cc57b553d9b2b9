"""A series' results as KCIDB data (schema v4.0, as kernelci/kcidb-io
publishes it), for the dashboards kernel CI already reads: one checkout
(the base with the series applied), a build per matrix cell and tree
(baseline, patched, each commit) and per boot machine and tree, and the
tests run on them (new diagnostics, sparse, object code, link references,
the DMA test in the booted kernel, the Xen probe). Files are named by
file:// URLs of the OUT they sit in."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .errors import ToolError


ORIGIN = "treewide"
VERSION = {"major": 4, "minor": 0}
BROKEN = ("error", "timeout", "config-lost")          # cell statuses with no build to speak of


def export(out: Path | str) -> dict[str, Any]:
    """The KCIDB data of the series in OUT (with OUT/matrix and OUT/boot where they ran)."""
    out = Path(out).resolve()
    try:
        data = json.loads((out / "series.json").read_text())
    except FileNotFoundError:
        raise ToolError(
            f"{out} holds no series (no series.json)", "pass the OUT of `treewide series`"
        ) from None
    cells = _records(out / "matrix" / "matrix.json", "cells")
    machines = _records(out / "boot" / "boot.json", "machines")
    checkout = _checkout(out, data)
    builds: list[dict[str, Any]] = []
    tests: list[dict[str, Any]] = []
    for cell in cells:
        _cell(checkout["id"], cell, out / "matrix", builds, tests)
    for machine in machines:
        _machine(checkout["id"], machine, builds, tests)
    return {"version": VERSION, "checkouts": [checkout], "builds": builds, "tests": tests}


def _records(path, key):
    return json.loads(path.read_text())[key] if path.is_file() else []


def _checkout(out, data):
    patches = [out / "series" / p["patch"] for p in data["patches"]]
    # The schema's patchset hash: sha256 over the newline-ended sha256 of each patch, in order.
    each = "".join(hashlib.sha256(p.read_bytes()).hexdigest() + "\n" for p in patches)
    patchset = hashlib.sha256(each.encode()).hexdigest()
    tree = data["tree"]
    rec = {
        "id": f"{ORIGIN}:{patchset[:16]}",
        "origin": ORIGIN,
        "tree_name": tree["name"],
        "patchset_hash": patchset,
        "patchset_files": [{"name": p.name, "url": p.as_uri()} for p in patches],
        "comment": (
            f"Linux {tree['version']} ({tree['name']}) with the DMA-ops series, "
            f"{len(patches)} patch(es)"
        ),
        "valid": bool(data.get("verify", {}).get("identical", True)),
        "misc": {
            "target": data.get("target", {}).get("kind", ""),
            "toolkit": data["toolkit_version"],
        },
    }
    if data.get("base_is_real"):
        rec["git_commit_hash"] = data["base"]
    return rec


def _build(checkout_id, key, arch, valid, **extra):
    rec = {"id": f"{checkout_id}:{key}", "checkout_id": checkout_id, "origin": ORIGIN,
           "architecture": _arch(arch), "valid": valid}
    rec.update({k: v for k, v in extra.items() if v not in (None, "")})
    return rec


def _test(build_id, path, status, comment="", **extra):
    rec = {
        "id": f"{build_id}:{path}",
        "build_id": build_id,
        "origin": ORIGIN,
        "path": f"treewide.{path}",
        "status": status,
    }
    rec.update({k: v for k, v in dict(comment=comment, **extra).items() if v not in (None, "")})
    return rec


def _arch(name):
    """The schema's architecture: lower case letters, digits and _."""
    return "".join(c if c.isalnum() else "_" for c in name.lower())


def _cell(checkout_id, cell, matrix_dir, builds, tests):
    """The builds of one matrix cell and the tests the matrix ran on the patched one."""
    name, status = cell["cell"], cell["status"]
    config = cell.get("defconfig", "") + "".join(
        f" {k}={v}" for k, v in (cell.get("config") or {}).items()
    )
    common = dict(compiler=cell.get("compiler"), config_name=config.strip())
    base = _build(
        checkout_id,
        f"{name}:baseline",
        cell["arch"],
        status != "baseline-broken" and status not in BROKEN,
        log_url=_log(matrix_dir / "build" / f"{name}-baseline.log"),
        **common,
    )
    patched = _build(
        checkout_id,
        f"{name}:patched",
        cell["arch"],
        status not in BROKEN and not cell.get("new_failures"),
        command=cell.get("make"),
        duration=cell.get("duration_s"),
        log_url=_log(matrix_dir / "build" / f"{name}-patched.log"),
        misc={
            "status": status,
            "reason": cell.get("reason", ""),
            "reproduce": cell.get("reproduce", ""),
        },
        **common,
    )
    builds += [base, patched]
    for i, c in enumerate(cell.get("commits", []), 1):
        builds.append(
            _build(
                checkout_id,
                f"{name}:commit{i}",
                cell["arch"],
                c["status"] == "ok",
                misc={"patch": c["patch"], "subject": c["subject"], "status": c["status"]},
                **common,
            )
        )
    if "new" in cell:
        tests.append(_test(patched["id"], "build.diagnostics", "FAIL" if cell["new"] else "PASS",
                           f"{len(cell['new'])} new compiler diagnostic(s) against the baseline",
                           misc={"new": cell["new"]}))
    sparse = cell.get("sparse")
    if isinstance(sparse, dict):
        unchecked = sparse.get("not_checked")
        tests.append(
            _test(
                patched["id"],
                "build.sparse",
                "FAIL" if sparse["new"] else "ERROR" if unchecked else "PASS",
                f"{len(sparse['new'])} new sparse warning(s)"
                + (f"; {len(unchecked)} object(s) sparse did not finish" if unchecked else ""),
            )
        )
    code = cell.get("code") or {}
    if code and not code.get("not_compared"):
        tests.append(
            _test(
                patched["id"],
                "build.object_code",
                "FAIL" if code["differs"] else "PASS",
                f"{code['compared']} object(s) compared with {code.get('against', 'the baseline')}",
                misc={"differs": code["differs"]},
            )
        )
    if "unresolved" in cell:
        tests.append(
            _test(
                patched["id"],
                "build.references",
                "FAIL" if cell["unresolved"] else "PASS",
                f"{len(cell['unresolved'])} new unresolved reference(s)",
            )
        )


def _machine(checkout_id, machine, builds, tests):
    """A boot machine's two kernels, and the DMA test and Xen probe that ran in them."""
    name = machine["machine"]
    for label, t in machine["trees"].items():
        build = _build(checkout_id, f"boot:{name}:{label}", machine["arch"], t.get("build") == "ok",
                       config_name=machine.get("config"), duration=t.get("build_s"))
        builds.append(build)
        if t.get("build") != "ok" or t.get("pending"):     # pending: a lab's job, not run yet
            continue
        said = {"pass": "PASS", "fail": "FAIL"}.get(t.get("verdict", ""), "ERROR")
        runner = "LAVA" if t.get("runner") == "lava" else "QEMU"
        tests.append(
            _test(
                build["id"],
                "boot.dma",
                said,
                t.get("detail") or t.get("reason", ""),
                duration=t.get("boot_s"),
                log_url=_log(Path(t["console"])) if t.get("console") else None,
                environment={"comment": f"{runner}, machine {name}"},
            )
        )
        probe = t.get("probe")
        if probe:
            want = machine.get("expect_ops", "xen")
            status = (
                "PASS"
                if probe["verdict"] == want
                else "FAIL" if probe["verdict"] != "not-run" else "ERROR"
            )
            tests.append(
                _test(
                    build["id"],
                    "boot.xen_probe",
                    status,
                    f"{probe['verdict']} ops, {want} expected",
                    misc={"devices": probe.get("devices", {})},
                )
            )


def _log(path):
    return path.resolve().as_uri() if path.is_file() else None


def check(data: dict[str, Any]) -> list[str]:
    """What in data breaks KCIDB v4.0's rules ([]: nothing): required fields,
    types, id and origin patterns, test statuses, properties the schema
    does not define, and every object once. Written from the schema kcidb-io
    documents."""
    problems = []
    if data.get("version") != VERSION:
        problems.append(f"version {data.get('version')} is not {VERSION}")
    for kind, fields in SCHEMA.items():
        seen = set()
        for obj in data.get(kind, []):
            where = f"{kind} {obj.get('id', '?')}"
            problems += [f"{where}: {p}" for p in _object_problems(obj, fields)]
            if obj.get("id") in seen:
                problems.append(f"{where}: twice")
            seen.add(obj.get("id"))
    return problems


def _object_problems(obj, fields):
    out = [f"lacks {f}" for f, (_, required) in fields.items() if required and f not in obj]
    for key, value in obj.items():
        if key not in fields:
            out.append(f"{key} is no property of the schema")
            continue
        kind = fields[key][0]
        if not _is(value, kind):
            out.append(f"{key} {value!r} is not {kind}")
    return out


def _is(value, kind):
    types: dict[str, Any] = {"string": str, "boolean": bool, "number": (int, float), "object": dict}
    if kind in ("id", "origin"):
        pattern = r"[a-z0-9_]+:.*" if kind == "id" else r"[a-z0-9_]+"
        return isinstance(value, str) and re.fullmatch(pattern, value) is not None
    if kind == "status":
        return value in ("FAIL", "ERROR", "PASS", "DONE", "SKIP")
    if kind == "arch":
        return isinstance(value, str) and re.fullmatch(r"[a-z0-9_]*", value) is not None
    if kind == "uri":
        return isinstance(value, str) and re.match(r"[a-z][a-z0-9+.-]*:", value) is not None
    if kind == "sha256":
        return isinstance(value, str) and re.fullmatch(r"|[0-9a-f]{64}", value) is not None
    if kind == "sha1":
        return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}", value) is not None
    if kind == "path":
        return isinstance(value, str) and re.fullmatch(r"[.a-zA-Z0-9_-]*", value) is not None
    if kind == "resources":
        return isinstance(value, list) and all(
            isinstance(r, dict)
            and set(r) == {"name", "url"}
            and "/" not in r["name"]
            and _is(r["url"], "uri")
            for r in value
        )
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "environment":
        return isinstance(value, dict) and set(value) <= {"comment", "misc"}
    return isinstance(value, types[kind]) and not (kind == "number" and isinstance(value, bool))


# Per object kind, {property: (kind of value, required)}, of KCIDB v4.0.
SCHEMA = {
    "checkouts": {
        "id": ("id", True),
        "origin": ("origin", True),
        "tree_name": ("string", False),
        "git_repository_url": ("uri", False),
        "git_commit_hash": ("sha1", False),
        "git_commit_name": ("string", False),
        "git_repository_branch": ("string", False),
        "patchset_files": ("resources", False),
        "patchset_hash": ("sha256", False),
        "message_id": ("string", False),
        "comment": ("string", False),
        "start_time": ("string", False),
        "contacts": ("strings", False),
        "log_url": ("uri", False),
        "log_excerpt": ("string", False),
        "valid": ("boolean", False),
        "misc": ("object", False),
    },
    "builds": {
        "checkout_id": ("id", True),
        "id": ("id", True),
        "origin": ("origin", True),
        "comment": ("string", False),
        "start_time": ("string", False),
        "duration": ("number", False),
        "architecture": ("arch", False),
        "command": ("string", False),
        "compiler": ("string", False),
        "input_files": ("resources", False),
        "output_files": ("resources", False),
        "config_name": ("string", False),
        "config_url": ("uri", False),
        "log_url": ("uri", False),
        "log_excerpt": ("string", False),
        "valid": ("boolean", False),
        "misc": ("object", False),
    },
    "tests": {
        "build_id": ("id", True),
        "id": ("id", True),
        "origin": ("origin", True),
        "environment": ("environment", False),
        "path": ("path", False),
        "comment": ("string", False),
        "log_url": ("uri", False),
        "log_excerpt": ("string", False),
        "status": ("status", False),
        "waived": ("boolean", False),
        "start_time": ("string", False),
        "duration": ("number", False),
        "output_files": ("resources", False),
        "misc": ("object", False),
    },
}
