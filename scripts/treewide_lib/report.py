"""The maintainer's one page: report.md and a static report.html (no
external assets; every piece of tree content is escaped)."""

import html
import json
from pathlib import Path
from .matrix import code_summary, details as matrix_details


def _made_by(hunk):
    return ", ".join(f"{m['source']} ({', '.join(m['rules'])})" if m["rules"] else m["source"]
                     for m in hunk.get("made_by", [])) or ", ".join(hunk["sources"])


def _sources(prov, patch):
    out = []
    for h in prov.get(patch, []):
        for s in h["sources"]:
            if s not in out:
                out.append(s)
    return out


def _checkpatch_cell(ck):
    if ck["clean"]:
        return "clean"
    kinds = sorted({m["type"] for m in ck["messages"]})
    state = "explained" if ck["explained"] else "UNEXPLAINED"
    return f"{len(ck['messages'])} message(s), {state}: {', '.join(kinds)}"


def model(data, rep, prov, matrix=None, boots=None):
    """Everything the page shows, as plain data (rendered twice: Markdown and HTML)."""
    t = rep["tree"]
    patches = [{"patch": p["patch"], "subject": p["subject"], "step": p["step"], "files": p["files"],
                "sites": p.get("sites", 0), "sources": _sources(prov, p["patch"]),
                "checkpatch": _checkpatch_cell(p["checkpatch"]), "messages": p["checkpatch"]["messages"],
                "to": p["maintainers"]["to"], "cc": p["maintainers"]["cc"],
                "hunks": prov.get(p["patch"], [])} for p in data["patches"]]
    verify = data.get("verify", {})
    return {
        "title": f"DMA-ops series for {t['name']} (Linux {t['version']})",
        "overview": [("Tree", f"{t['name']}, Linux {t['version']}"),
                     ("Generation before", rep["generation_before"]),
                     ("Recipe", rep["recipe"]),
                     ("Toolkit / spatch", f"treewide {data['toolkit_version']} / spatch {data['spatch_version']}"),
                     ("Base commit", data["base"]),
                     ("Patches", str(len(patches))),
                     ("git am on a clean base", "same tree as apply" if verify.get("identical") else
                      ("not checked" if not verify else f"MISMATCH: {verify.get('error') or verify.get('tree')}"))],
        "patches": patches,
        "steps": [(s["name"], s["status"], s["reason"]) for s in rep["steps"]],
        "residuals": rep["residuals"],
        "invariants": [(n, i["what"], i["broken_before"], i["broken_after"]) for n, i in rep.get("invariants", {}).items()],
        "matrix": matrix,
        "boot": boots,
    }


def markdown(m):
    out = [f"# {m['title']}", ""]
    out += [f"- **{k}**: {v}" for k, v in m["overview"]] + ["", "## Patches", "",
                                                            "| # | subject | files | sites | made by | checkpatch |",
                                                            "|---|---|---|---|---|---|"]
    for i, p in enumerate(m["patches"], 1):
        cells = [str(i), p["subject"], str(len(p["files"])), str(p["sites"]), ", ".join(p["sources"]), p["checkpatch"]]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    out += ["", "## Steps", ""] + [f"- `{n}`: {st}" + (f": {r}" if r and st != "applied" else "")
                                   for n, st, r in m["steps"]]
    out += ["", f"## Residuals ({len(m['residuals'])})", ""]
    out += [f"- [{r['step']}] {r['kind']}: {r.get('file', '')}:{r.get('line', '')} {r.get('text', r.get('what', ''))}"
            for r in m["residuals"]] or ["None."]
    out += ["", "## Invariants", ""] + [f"- {n} ({w}): " + ("broken" if a else "holds") + " after the series"
                                        + (" (broken before it)" if b else "") for n, w, b, a in m["invariants"]]
    out += ["", "## Maintainers", ""]
    for p in m["patches"]:
        out += [f"- {p['patch']}: To {', '.join(p['to']) or '-'}; Cc {', '.join(p['cc']) or '-'}"]
    out += ["", "## Checkpatch messages that stay", ""]
    msgs = [(p["patch"], x) for p in m["patches"] for x in p["messages"]]
    out += [f"- {pt}:{x['line']}: {x['type']}: {x['message']} ({x['why'] or 'UNEXPLAINED'})" for pt, x in msgs] or ["None."]
    out += ["", "## Provenance", ""]
    for p in m["patches"]:
        out += [f"- {p['patch']}"] + [f"  - {h['file']} `{h['hunk']}`: {_made_by(h)}" for h in p["hunks"]]
    out += ["", "## Build matrix", ""] + (_matrix_md(m["matrix"]) if m["matrix"] else ["Not run for this series."])
    out += ["", "## Boot test", ""] + (_boot_md(m["boot"]) if m["boot"] else ["Not run for this series."])
    return "\n".join(out) + "\n"


def _boot_md(machines):
    """One line per machine: status, each tree's verdict and boot time, why."""
    def tree(t):
        return (f"{t['verdict']} in {t['boot_s']} s" if t.get("boot_s") else t.get("verdict", f"build {t['build']}"))
    return [f"- {b['machine']}: {b['status']} (baseline {tree(b['trees']['baseline'])}, "
            f"patched {tree(b['trees']['patched'])})" + (f": {b['reason']}" if b.get("reason") else "")
            for b in machines]


def _matrix_md(matrix):
    return [f"- {c['cell']}: {c['status']}" + (f" ({c['reason']})" if c.get("reason") else "")
            + f", new {len(c.get('new', []))}, gone {len(c.get('gone', []))}"
            + (f", sparse new {len(c['sparse']['new'])}" if isinstance(c.get("sparse"), dict) else "")
            + (f", unresolved new {len(c['unresolved'])}" if "unresolved" in c else "")
            + (f", pre-existing failures {len(c['preexisting_failures'])}" if c.get("preexisting_failures") else "")
            + (f", code {code_summary(c['code'])}" if c.get("code") else "")
            for c in matrix] + matrix_details(matrix)


CSS = """body{font:14px/1.4 sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse}
td,th{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
.bad{color:#a00;font-weight:bold}code{background:#eee}"""


def _e(x):
    return html.escape(str(x), quote=True)


def page(m):
    h = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{_e(m['title'])}</title>"
         f"<style>{CSS}</style></head><body>", f"<h1>{_e(m['title'])}</h1>", "<table id=overview>"]
    h += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in m["overview"]] + ["</table>"]
    h += ["<h2>Patches</h2><table id=patches><tr><th>#</th><th>subject</th><th>files</th><th>sites</th>"
          "<th>made by</th><th>checkpatch</th></tr>"]
    for i, p in enumerate(m["patches"], 1):
        bad = " class=bad" if "UNEXPLAINED" in p["checkpatch"] else ""
        h.append(f"<tr><td>{i}</td><td>{_e(p['subject'])}</td><td>{len(p['files'])}</td><td>{p['sites']}</td>"
                 f"<td>{_e(', '.join(p['sources']))}</td><td{bad}>{_e(p['checkpatch'])}</td></tr>")
    h += ["</table><h2>Steps</h2><ul id=steps>"]
    h += [f"<li><code>{_e(n)}</code>: {_e(st)}" + (f": {_e(r)}" if r and st != "applied" else "") + "</li>"
          for n, st, r in m["steps"]]
    h += [f"</ul><h2>Residuals ({len(m['residuals'])})</h2><ul id=residuals>"]
    h += [f"<li class=bad>[{_e(r['step'])}] {_e(r['kind'])}: {_e(r.get('file', ''))}:{_e(r.get('line', ''))} "
          f"{_e(r.get('text', r.get('what', '')))}</li>" for r in m["residuals"]] or ["<li>None.</li>"]
    h += ["</ul><h2>Invariants</h2><ul id=invariants>"]
    h += [f"<li{' class=bad' if a else ''}>{_e(n)} ({_e(w)}): {'broken' if a else 'holds'} after the series"
          f"{' (broken before it)' if b else ''}</li>" for n, w, b, a in m["invariants"]]
    h += ["</ul><h2>Maintainers</h2><table id=maintainers><tr><th>patch</th><th>To</th><th>Cc</th></tr>"]
    h += [f"<tr><td>{_e(p['patch'])}</td><td>{_e(', '.join(p['to']))}</td><td>{_e(', '.join(p['cc']))}</td></tr>"
          for p in m["patches"]]
    h += ["</table><h2>Provenance</h2><table id=provenance><tr><th>patch</th><th>file</th><th>hunk</th>"
          "<th>made by</th></tr>"]
    h += [f"<tr><td>{_e(p['patch'])}</td><td>{_e(x['file'])}</td><td><code>{_e(x['hunk'])}</code></td>"
          f"<td>{_e(_made_by(x))}</td></tr>" for p in m["patches"] for x in p["hunks"]]
    h += ["</table><h2>Build matrix</h2><div id=matrix>"]
    h += [_e(line) + "<br>" for line in _matrix_md(m["matrix"])] if m["matrix"] else ["Not run for this series."]
    h += ["</div><h2>Boot test</h2><div id=boot>"]
    h += [_e(line) + "<br>" for line in _boot_md(m["boot"])] if m["boot"] else ["Not run for this series."]
    h += ["</div></body></html>"]
    return "\n".join(h) + "\n"


def write(out_dir, data, rep, prov):
    out_dir = Path(out_dir)
    matrix_file = out_dir / "matrix" / "matrix.json"
    matrix = json.loads(matrix_file.read_text())["cells"] if matrix_file.exists() else None
    boot_file = out_dir / "boot" / "boot.json"
    boots = json.loads(boot_file.read_text())["machines"] if boot_file.exists() else None
    m = model(data, rep, prov, matrix, boots)
    (out_dir / "report.md").write_text(markdown(m))
    (out_dir / "report.html").write_text(page(m))
