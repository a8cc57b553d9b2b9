"""The maintainer's review page: what the series changes, what made each
hunk, and what was checked, per patch and per build cell. One model, two
renderings: report.md (report_md) and a static report.html (report_html)."""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any, cast

from . import mail, patchfile, readiness, report_html, report_md, smpl_rules
from .encoding import ENC
from .paths import OVERLAY_DIR, SMPL_DIR
from .records import (BOOT_FAILED, FOLDING, MATRIX_FAILED, CellRecord, matrix_details,
                      sweep_reasons, sweep_table)


CHECKS = ("checkpatch", "git am", "build", "object code", "boot", "residuals")
GRID = (
    "configure",
    "build",
    "new diagnostics",
    "sparse",
    "object code",
    "link",
    "each commit",
    "boot",
)


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)


def rule_anchor(source: str, rule: str | None = None) -> str:
    return f"rule-{slug(source)}" + (f"-{rule}" if rule else "")


def _check(state, text):
    """state: pass, fail, warn (pre-existing, explained), none (not run or not applicable)."""
    return {"state": state, "text": text}


def _count(items, word):
    return f"{len(items)} {word}{'' if len(items) == 1 else 's'}"


# --- per patch --------------------------------------------------------------------------------


def _checkpatch(ck):
    if ck["clean"]:
        return _check("pass", "clean")
    kinds = ", ".join(sorted({m["type"] for m in ck["messages"]}))
    if ck["explained"]:
        return _check("warn", f"{len(ck['messages'])} message(s), explained: {kinds}")
    return _check("fail", f"{len(ck['messages'])} message(s), UNEXPLAINED: {kinds}")


def _git_am(verify):
    if not verify:
        return _check("none", "not checked (the series ran without verification)")
    if verify.get("identical"):
        return _check("pass", "git am on a clean base gives the same tree as apply")
    return _check("fail", f"git am MISMATCH: {verify.get('error') or verify.get('tree')}")


def _build(matrix, patch):
    if matrix is None:
        return _check("none", "not run: make matrix")
    at = [(c["cell"], r) for c in matrix for r in c.get("commits", []) if r["patch"] == patch]
    if at:  # the matrix built every commit (--each-commit)
        bad = [
            f"{r['status'].replace('-', ' ')} in {cell}" for cell, r in at if r["status"] != "ok"
        ]
        text = f"at this commit, {len(at)} cell(s): " + (
            "; ".join(bad) if bad else "every one builds, 0 new"
        )
        return _check("fail" if bad else "pass", text)
    by: dict[str, list[str]] = {}
    for c in matrix:
        by.setdefault(c["status"], []).append(c["cell"])
    text = f"after the whole series, {len(matrix)} cells: " + ", ".join(
        f"{len(v)} {k}" for k, v in sorted(by.items())
    )
    if any(s in MATRIX_FAILED for s in by):
        return _check(
            "fail", text + " (" + ", ".join(c for s in MATRIX_FAILED for c in by.get(s, [])) + ")"
        )
    return _check("warn" if set(by) - {"ok"} else "pass", text)


def _object_code(noop, matrix):
    if noop is None:
        return _check("none", "unknown: this series.json predates the record of no-op steps")
    if not noop:
        return _check("none", "not a no-op step: it changes code on purpose")
    if matrix is None:
        return _check("none", "not run: make matrix")
    codes = [
        (c["cell"], c["code"])
        for c in matrix
        if c.get("code") and not c["code"].get("not_compared")
    ]
    differs = [f"{cell}: {', '.join(code['differs'])}" for cell, code in codes if code["differs"]]
    if differs:
        return _check("fail", "object code differs: " + "; ".join(differs))
    if not codes:
        return _check("none", "no cell compared object code")
    return _check(
        "pass", f"identical in {len(codes)} cell(s), {sum(c['compared'] for _, c in codes)} objects"
    )


def boot_state(status: str) -> str:
    return "fail" if status in BOOT_FAILED else "pass" if status in ("ok", "fixed") else "warn"


def _boot_outcome(t):
    """One tree's boot in a few words: its verdict and boot time, or how its build ended."""
    return (
        f"{t['verdict']} in {t['boot_s']} s"
        if t.get("boot_s")
        else t.get("verdict", f"build {t['build']}")
    )


def _boot(boots):
    if boots is None:
        return _check("none", "not run: make boot")
    states = {boot_state(b["status"]) for b in boots}
    return _check(
        "fail" if "fail" in states else "warn" if "warn" in states else "pass",
        ", ".join(f"{b['machine']} {b['status']}" for b in boots),
    )


def _residuals(rep, step):
    left = [r for r in rep["residuals"] if r["step"] == step]
    return (
        _check("fail", _count(left, "residual") + " left by this step")
        if left
        else _check("pass", "none left")
    )


def _note(made_by):
    if not made_by:
        return "no rule or overlay file of this step shares these lines"
    if all(m["source"] == FOLDING for m in made_by):
        return (
            "not made by a rule: the toolkit's #if folding (a conditional the rules left empty "
            "or with identical branches)"
        )
    return ""


def _hunks(n, parsed, prov):
    out = []
    for i, h in enumerate(parsed.hunks):
        entry = prov[i] if i < len(prov) and prov[i]["file"] == h.file else {}
        made = [
            dict(
                m,
                anchor=rule_anchor(m["source"]),
                rule_ids=[(r, rule_anchor(m["source"], r)) for r in m["rules"]],
            )
            for m in entry.get("made_by", [])
        ]
        out.append(
            {
                "id": f"p{n}-h{i + 1}",
                "file": h.file,
                "header": h.header,
                "context": h.context,
                "lines": h.lines,
                "made_by": made,
                "note": _note(made),
            }
        )
    return out


def _patch(n, p, text, rep, prov, verify, matrix, boots):
    parsed = patchfile.parse(text) if text is not None else patchfile.Patch(p["subject"], "", [])
    checks = {
        "checkpatch": _checkpatch(p["checkpatch"]),
        "git am": _git_am(verify),
        "build": _build(matrix, p["patch"]),
        "object code": _object_code(p.get("noop"), matrix),
        "boot": _boot(boots),
        "residuals": _residuals(rep, p["step"]),
    }
    return {
        "n": n,
        "id": f"patch-{n}",
        "patch": p["patch"],
        "subject": p["subject"],
        "step": p["step"],
        "files": p["files"],
        "sites": p.get("sites", 0),
        "changelog": parsed.changelog,
        "to": p["maintainers"]["to"],
        "cc": p["maintainers"]["cc"],
        "messages": p["checkpatch"]["messages"],
        "checks": checks,
        "hunks": _hunks(n, parsed, prov.get(p["patch"], [])),
        "upstream": p.get("upstream"),
        "missing": text is None,
    }


# --- the build matrix as a grid -------------------------------------------------------------------


def _configure(r):
    if r["status"] == "config-lost":
        return _check("fail", r["reason"])
    if "configure/prepare fails" in r.get("reason", ""):
        return _check("warn" if r["status"] == "baseline-broken" else "fail", r["reason"])
    config = r.get("config") or {}
    return _check("pass", " ".join(f"{k}={v}" for k, v in config.items()) or "configured")


def _grid_build(r):
    if r["status"] in ("error", "timeout"):  # a make that died or was stopped: nothing compared
        return _check("fail", r["reason"])
    if "new_failures" not in r:
        return _check("none", "not reached")
    if r["new_failures"]:
        return _check("fail", f"{_count(r['new_failures'], 'object')} no longer build")
    if r.get("preexisting_failures"):
        return _check(
            "warn",
            f"{len(r['preexisting_failures'])} pre-existing failure(s), "
            f"{r.get('objects_built', 0)}/{r.get('selected', 0)} objects",
        )
    return _check("pass", f"{r.get('objects_built', 0)}/{r.get('selected', 0)} objects")


def _grid_diags(r):
    if "new" not in r:
        return _check("none", "not reached")
    return _check(
        "fail" if r["new"] else "pass", f"{len(r['new'])} new, {len(r.get('gone', []))} gone"
    )


def _grid_sparse(r):
    sp = r.get("sparse")
    if not isinstance(sp, dict):
        return _check("none", sp or "not reached")
    text = f"{len(sp['new'])} new, {len(sp['gone'])} gone"
    if sp.get("not_checked"):  # a part sparse did not finish on is no pass
        return _check(
            "fail" if sp["new"] else "none",
            f"{text}; {len(sp['not_checked'])} object(s) not checked: sparse did not finish",
        )
    return _check("fail" if sp["new"] else "pass", text)


def _grid_code(r):
    code = r.get("code")
    if not code:
        return _check("none", "not compared")
    if code.get("not_compared"):
        return _check("none", code["not_compared"])  # the reason says "not compared"
    return _check(
        "fail" if code["differs"] else "pass",
        f"{len(code['differs'])} differ" if code["differs"] else f"{code['compared']} identical",
    )


def _grid_link(r):
    if "unresolved" not in r:
        return _check("none", "not reached")
    return _check(
        "fail" if r["unresolved"] else "pass", f"{len(r['unresolved'])} new unresolved reference(s)"
    )


def _grid_commits(r):
    if "commits" not in r:
        return _check("none", "not built per commit (--each-commit)")
    bad = [f"{c['patch']}: {c['status']}" for c in r["commits"] if c["status"] != "ok"]
    return _check(
        "fail" if bad else "pass", "; ".join(bad) or f"{len(r['commits'])} commit(s) build, 0 new"
    )


def _grid_boot(machines):
    if machines is None:
        return _check("none", "not run")
    if not machines:
        return _check("none", "no boot machine for this arch")
    state = _boot(machines)["state"]
    return _check(state, ", ".join(f"{b['machine']} {b['status']}" for b in machines))


def grid(matrix: list[dict[str, Any]],
         boots: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    rows = []
    for r in sorted(matrix, key=lambda r: r["cell"]):
        machines = None if boots is None else [b for b in boots if b["arch"] == r["arch"]]
        lines = matrix_details([cast(CellRecord, r)])
        cols = dict(
            zip(
                GRID,
                (
                    _configure(r),
                    _grid_build(r),
                    _grid_diags(r),
                    _grid_sparse(r),
                    _grid_code(r),
                    _grid_link(r),
                    _grid_commits(r),
                    _grid_boot(machines),
                ),
            )
        )
        rows.append(
            {
                "cell": r["cell"],
                "arch": r["arch"],
                "id": f"cell-{slug(r['cell'])}",
                "status": r["status"],
                "reason": r.get("reason", ""),
                "columns": cols,
                "boot_ids": [f"boot-{slug(b['machine'])}" for b in machines or []],
                "findings": [line for line in lines if "pre-existing failure" not in line],
                "preexisting": [line for line in lines if "pre-existing failure" in line],
                "reproduce": r.get("reproduce", ""),
                "make": r.get("make", ""),
            }
        )
    return rows


# --- the page as data -----------------------------------------------------------------------------


def _sources(prov, paths):
    """The text of every semantic patch (cut into rules) and overlay file that made a hunk."""
    names = sorted(
        {m["source"] for hs in prov.values() for h in hs for m in h.get("made_by", [])} - {FOLDING}
    )
    out = []
    for name in names:
        default = (
            OVERLAY_DIR / name.removeprefix("kernel-overlay/")
            if name.startswith("kernel-overlay/")
            else SMPL_DIR / name
        )
        path = Path(paths.get(name, default))
        try:
            text = path.read_text(**ENC)
        except OSError as e:
            out.append(
                {
                    "name": name,
                    "id": rule_anchor(name),
                    "path": str(path),
                    "blocks": [],
                    "error": f"text not found ({e.strerror})",
                }
            )
            continue
        blocks = (
            smpl_rules.split(text) if name.endswith(".cocci") else [(None, 1, text.rstrip("\n"))]
        )
        out.append(
            {
                "name": name,
                "id": rule_anchor(name),
                "path": str(path),
                "error": "",
                "blocks": [
                    {"rule": r, "first": first, "text": t, "id": rule_anchor(name, r) if r else ""}
                    for r, first, t in blocks
                ],
            }
        )
    return out


def _releases(sw):
    if not sw:
        return None
    head, rows = sweep_table(sw["trees"], sw["steps"])
    return {
        "head": head,
        "rows": rows,
        "reasons": sweep_reasons(sw["trees"], sw["steps"]).splitlines(),
    }


def verdict(m: dict[str, Any]) -> tuple[str, str]:
    """(state, one line): pass = ready to send, fail = not (what failed),
    todo = not yet (what has not run: readiness.missing)."""
    bad = [
        f"patch {p['n']} {name}: {c['text']}"
        for p in m["patches"]
        for name, c in p["checks"].items()
        if c["state"] == "fail"
    ]
    bad = list(dict.fromkeys(bad))
    bad += [f"invariant {n} broken after the series" for n, _, _, after in m["invariants"] if after]
    bad += [f"{p['patch']} missing from the series directory" for p in m["patches"] if p["missing"]]
    if m["target"] == "stable":
        bad += [
            f"patch {p['n']} has no upstream commit, which stable-kernel-rules.rst asks of "
            "every stable patch"
            for p in m["patches"]
            if not p["upstream"]
        ]
    if bad:
        more = f"; and {len(bad) - 6} more" if len(bad) > 6 else ""
        return "fail", "Not ready to send: " + "; ".join(bad[:6]) + more
    if m["missing"]:
        return "todo", "Not ready to send yet: " + "; ".join(m["missing"])
    return "pass", (
        f"Ready to send: {len(m['patches'])} patch(es), checkpatch clean or explained, "
        f"git am gives the same tree, {len(m['matrix'])} build cell(s) built at every commit "
        f"without a new diagnostic, {len(m['boot'] or [])} boot machine(s) ok, no residual"
    )


def testing(m: dict[str, Any]) -> list[str]:
    """The Testing: section of the mail, from the same facts as the page."""
    am = _git_am(m["verify"])["state"]
    out = [
        "- git am of the patches on a clean checkout of the base "
        + {
            "pass": "gives the tree the toolkit's rewrite gives.",
            "none": "was not checked.",
            "fail": "does NOT give the tree the toolkit's rewrite gives.",
        }[am]
    ]
    cells = m["matrix"]
    if cells is None:
        out.append("- Not built yet (make matrix).")
    else:
        by = Counter(c["status"] for c in cells)
        every = all(c.get("commits") for c in cells)
        out.append(
            f"- Built in {len(cells)} arch/config cell(s), before and after the series"
            + (" and at every commit" if every else "")
            + ": "
            + ", ".join(f"{n} {s}" for s, n in sorted(by.items()))
            + "; new compiler or sparse "
            "diagnostics: " + str(sum(len(c.get("new", [])) for c in cells)) + "."
        )
    boots = m["boot"]
    if boots is None:
        out.append("- Not booted yet (make boot).")
    else:
        out.append(
            "- Booted in QEMU, before and after: "
            + ", ".join(f"{b['machine']} {b['status']}" for b in boots)
            + "."
        )
    out += ["- Still to run: " + "; ".join(m["missing"]) + "."] if m["missing"] else []
    return [
        textwrap.fill(
            line, 72, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False
        )
        for line in out
    ]


def model(data: dict[str, Any], rep: dict[str, Any], prov: dict[str, Any], texts: dict[str, str],
          matrix: list[dict[str, Any]] | None = None, boots: list[dict[str, Any]] | None = None,
          sw: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the page shows, as plain data. texts: {patch file name: its text}."""
    t = rep["tree"]
    verify = data.get("verify", {})
    patches = [
        _patch(n, p, texts.get(p["patch"]), rep, prov, verify, matrix, boots)
        for n, p in enumerate(data["patches"], 1)
    ]
    m = {
        "title": f"DMA-ops series for {t['name']} (Linux {t['version']})",
        "overview": [
            ("Tree", f"{t['name']}, Linux {t['version']}"),
            ("Generation before", rep["generation_before"]),
            ("Recipe", rep["recipe"]),
            (
                "Toolkit / spatch",
                f"treewide {data['toolkit_version']} / spatch {data['spatch_version']}",
            ),
            (
                "Base commit",
                data["base"]
                if data.get("base_is_real", True)
                else "none: the tree is not a git checkout",
            ),
            ("Patches", str(len(patches))),
            ("git am on a clean base", _git_am(verify)["text"]),
        ],
        "patches": patches,
        "steps": [(s["name"], s["status"], s["reason"]) for s in rep["steps"]],
        "residuals": rep["residuals"],
        "invariants": [
            (n, i["what"], i["broken_before"], i["broken_after"])
            for n, i in rep.get("invariants", {}).items()
        ],
        "matrix": matrix,
        "grid": grid(matrix, boots) if matrix is not None else None,
        "boot": boots
        and [
            dict(
                b,
                state=boot_state(b["status"]),
                id=f"boot-{slug(b['machine'])}",
                outcome={label: _boot_outcome(t) for label, t in b["trees"].items()},
            )
            for b in boots
        ],
        "releases": _releases(sw),
        "sources": _sources(prov, data.get("sources", {})),
        "verify": verify,
        "target": data.get("target", {}).get("kind"),
    }
    m["missing"] = (
        readiness.missing(data["needs"], matrix, boots, data["patches"])
        if "needs" in data
        else ["this series.json does not say which cells and machines it needs: make series again"]
    )
    m["verdict"] = verdict(m)
    m["testing"] = testing(m)
    m["check_names"], m["grid_columns"] = CHECKS, GRID
    return m


def _json(path, key):
    return json.loads(path.read_text())[key] if path.is_file() else None


def write(out_dir: Path, data: dict[str, Any], rep: dict[str, Any],
          prov: dict[str, Any]) -> dict[str, Any]:
    """report.md and report.html from a series OUT and the matrix, boot and
    sweep runs written into it (OUT/matrix, OUT/boot, OUT/sweep)."""
    out_dir = Path(out_dir)
    texts = {}
    for p in data["patches"]:
        f = out_dir / "series" / p["patch"]
        if f.is_file():
            texts[p["patch"]] = f.read_text(**ENC)
    sw = out_dir / "sweep" / "sweep.json"
    m = model(
        data,
        rep,
        prov,
        texts,
        _json(out_dir / "matrix" / "matrix.json", "cells"),
        _json(out_dir / "boot" / "boot.json", "machines"),
        json.loads(sw.read_text()) if sw.is_file() else None,
    )
    (out_dir / "report.md").write_text(report_md.render(m))
    (out_dir / "report.html").write_text(report_html.render(m))
    first = out_dir / "series" / (data.get("cover") or data["patches"][0]["patch"])
    if first.is_file():
        mail.set_testing(first, m["testing"])
    return m
