"""report.html: one static page, no external assets, every piece of tree
content escaped. Readable without JavaScript (everything is open and
linked); a few lines of script add collapse buttons, a failing-cells
filter and j/k to step through the hunks."""

from __future__ import annotations

import html
from typing import Any

from .paths import DATA


STATE = {"pass": "ok", "fail": "FAIL", "warn": "warn", "none": "–"}

# The page's style and its few controls (fold files, only failing cells, j/k
# between hunks), inlined so that the page stands alone.
CSS = (DATA / "report.css").read_text().strip()
JS = (DATA / "report.js").read_text().strip()


def _e(x):
    return html.escape(str(x), quote=True)


def _badge(name, c):
    return (
        f"<span class={c['state']} title=\"{_e(c['text'])}\">{_e(name)}: {STATE[c['state']]}</span>"
    )


def _table(head, rows, attrs=""):
    return (
        [f"<table{attrs}><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
        + ["<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows]
        + ["</table>"]
    )


def _made_by(h):
    links = []
    for m in h["made_by"]:
        anchor = m.get("anchor")
        if m["source"].startswith("#"):
            links += [] if h["note"] else [_e(m["source"])]     # the note says it
        elif m["rules"]:
            links += [
                f"<a href=\"#{_e(rule)}\">{_e(m['source'])}: {_e(name)}</a>"
                for name, rule in m["rule_ids"]
            ]
        else:
            links.append(f"<a href=\"#{_e(anchor)}\">{_e(m['source'])}</a>")
    made = f"made by {', '.join(links)}" if links else ""
    return "; ".join(x for x in (made, _e(h["note"])) if x)


def _diff_rows(lines):
    out = []
    for kind, old, new, text in lines:
        cls = {"+": " class=a", "-": " class=d", "\\": " class=x"}.get(kind, "")
        out.append(f"<tr{cls}><td class=n>{old or ''}<td class=n>{new or ''}<td>{_e(kind + text)}")
    return out


def _patch(p, total):
    h = [
        f"<section id={p['id']}><h2>{p['n']}/{total}: {_e(p['subject'])}</h2>",
        "<p class=checks>" + "".join(_badge(n, c) for n, c in p["checks"].items()) + "</p>",
        "<ul>"
        + "".join(f"<li><b>{_e(n)}</b>: {_e(c['text'])}</li>" for n, c in p["checks"].items())
        + "</ul>",
        f"<p>Patch file <code>{_e(p['patch'])}</code>"
        + (" <b class=fail>missing from the series directory</b>" if p["missing"] else "")
        + f", step <code>{_e(p['step'])}</code>, {len(p['files'])} file(s),"
        f" {p['sites']} site(s)</p>",
        (
            f"<p><b>To</b>: {_e(', '.join(p['to']) or '-')}<br><b>Cc</b>:"
            f" {_e(', '.join(p['cc']) or '-')}</p>"
        ),
        f"<details><summary>Changelog</summary><pre>{_e(p['changelog'])}</pre></details>",
    ]
    files: dict[str, list] = {}
    for hk in p["hunks"]:
        files.setdefault(hk["file"], []).append(hk)
    for name, hunks in files.items():
        h.append(f"<details class=file open><summary>{_e(name)}</summary>")
        for hk in hunks:
            h += [
                f"<div class=hunk id={hk['id']}><div class=head><a"
                f" href=\"#{hk['id']}\">{_e(hk['header'])}</a> <span"
                f" class=muted>{_e(hk['context'])}</span> · {_made_by(hk)}</div><table class=diff>"
            ]
            h += _diff_rows(hk["lines"]) + ["</table></div>"]
        h.append("</details>")
    return h + ["</section>"]


def _grid(m):
    if m["grid"] is None:
        return ["<p>Not run for this series.</p>"]
    h = ["<table class=grid id=grid><tr><th>cell</th><th>arch</th>"
         + "".join(f"<th>{_e(c)}</th>" for c in m["grid_columns"]) + "</tr>"]
    for r in m["grid"]:
        cells = []
        for col in m["grid_columns"]:
            c = r["columns"][col]
            target = r["boot_ids"][0] if col == "boot" and r["boot_ids"] else r["id"]
            cells.append(
                f"<td class={c['state']} title=\"{_e(c['text'])}\"><a href=\"#{target}\">"
                f"{STATE[c['state']]}</a> <span class=muted>{_e(c['text'][:40])}</span></td>"
            )
        h.append(
            "<tr class=row><td><a"
            f" href=\"#{r['id']}\">{_e(r['cell'])}</a></td><td>{_e(r['arch'])}</td>"
            + "".join(cells)
            + "</tr>"
        )
    h.append("</table><h3>Findings per cell</h3>")
    for r in m["grid"]:
        h += [f"<div id={r['id']}><p><b>{_e(r['cell'])}</b>: {_e(r['status'])}"
              + (f" ({_e(r['reason'])})" if r["reason"] else "") + "</p><ul>"]
        h += [f"<li>{_e(line.removeprefix('- '))}</li>" for line in r["findings"]]
        h += [f"<li>reproduce: <code>{_e(r['reproduce'])}</code></li></ul></div>"]
    pre = [line for r in m["grid"] for line in r["preexisting"]]
    h += [
        "<h3>Pre-existing failures</h3><p class=muted>Already in the baseline: not counted against"
        " the series.</p><ul>"
    ] + ([f"<li>{_e(line.removeprefix('- '))}</li>" for line in pre] or ["<li>None.</li>"])
    return h + ["</ul>"]


def _boot(boots):
    if boots is None:
        return ["<p>Not run for this series.</p>"]
    h = [
        "<table id=boot-table><tr><th>machine</th><th>arch</th><th>status</th>"
        "<th>baseline</th><th>patched</th><th>why</th><th>reproduce</th></tr>"
    ]
    for b in boots:
        h.append(
            f"<tr id={b['id']}><td>{_e(b['machine'])}</td><td>{_e(b['arch'])}</td>"
            f"<td class={b['state']}>{_e(b['status'])}</td><td>{_e(b['outcome']['baseline'])}</td>"
            f"<td>{_e(b['outcome']['patched'])}</td><td>{_e(b.get('reason', ''))}</td>"
            f"<td><code>{_e(b.get('reproduce', ''))}</code></td></tr>"
        )
    return h + ["</table>"]


def _sources(sources):
    h = []
    for s in sources:
        h.append(f"<section id={_e(s['id'])}><h3>{_e(s['name'])}</h3><p class=muted>{_e(s['path'])}"
                 + (f": {_e(s['error'])}" if s["error"] else "") + "</p>")
        for b in s["blocks"]:
            ident = f" id={_e(b['id'])}" if b["id"] else ""
            label = (
                f"rule <b>{_e(b['rule'])}</b>, line {b['first']}"
                if b["rule"]
                else f"line {b['first']}"
            )
            h.append(
                f"<div class=rule{ident}><div"
                f" class=muted>{label}</div><pre>{_e(b['text'])}</pre></div>"
            )
        h.append("</section>")
    return h


def _toc(m):
    items = [("summary", "Summary"), ("patches", "Patches")]
    items += [(p["id"], f"{p['n']}: {p['subject']}") for p in m["patches"]]
    items += [("matrix", "Build matrix"), ("boot", "Boot test")] + [
        ("releases", "Releases")
    ] * bool(m["releases"])
    items += [
        ("steps", "Steps"),
        ("residuals", "Residuals"),
        ("invariants", "Invariants"),
        ("rules", "Semantic patches"),
    ]
    return (
        "<nav><ol>"
        + "".join(f"<li><a href=\"#{i}\">{_e(t)}</a></li>" for i, t in items)
        + "</ol></nav>"
    )


def render(m: dict[str, Any]) -> str:
    state, line = m["verdict"]
    h = [
        (
            "<!DOCTYPE html><html lang=en><head><meta"
            f" charset=utf-8><title>{_e(m['title'])}</title><style>{CSS}</style></head><body>"
        ),
        f"<h1>{_e(m['title'])}</h1>",
        f"<p id=summary class=\"verdict {state}\">{_e(line)}</p>",
        _toc(m),
        "<div id=tools></div>",
        "<table id=overview>",
    ] + [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in m["overview"]]
    h += (
        ["</table><h2 id=testing>Testing (as the mail says it)</h2><ul>"]
        + [f"<li>{_e(t.removeprefix('- '))}</li>" for t in m["testing"]]
        + ["</ul>"]
    )
    h += [
        "<h2 id=patches>Patches</h2>"
        "<table><tr><th>#</th><th>subject</th><th>files</th><th>checks</th></tr>"
    ]
    h += [
        f"<tr><td>{p['n']}</td><td><a"
        f" href=\"#{p['id']}\">{_e(p['subject'])}</a></td><td>{len(p['files'])}</td><td"
        f" class=checks>{''.join(_badge(n, c) for n, c in p['checks'].items())}</td></tr>"
        for p in m["patches"]
    ]
    h.append("</table>")
    for p in m["patches"]:
        h += _patch(p, len(m["patches"]))
    h += (
        ["<h2 id=matrix>Build matrix</h2>"]
        + _grid(m)
        + ["<h2 id=boot>Boot test</h2>"]
        + _boot(m["boot"])
    )
    if m["releases"]:
        h += ["<h2 id=releases>Releases</h2>"] + _table(
            m["releases"]["head"], m["releases"]["rows"]
        )
        h += (
            ["<ul>"]
            + [f"<li>{_e(r.removeprefix('- '))}</li>" for r in m["releases"]["reasons"]]
            + ["</ul>"]
        )
    h += ["<h2 id=steps>Steps</h2><ul>"] + [
        f"<li><code>{_e(n)}</code>: {_e(st)}"
        + (f": {_e(r)}" if r and st != "applied" else "")
        + "</li>"
        for n, st, r in m["steps"]
    ]
    h += [f"</ul><h2 id=residuals>Residuals ({len(m['residuals'])})</h2><ul>"]
    h += [
        f"<li class=fail>[{_e(r['step'])}] {_e(r['kind'])}:"
        f" {_e(r.get('file', ''))}:{_e(r.get('line', ''))} "
        f"{_e(r.get('text', r.get('what', '')))}</li>"
        for r in m["residuals"]
    ] or ["<li>None.</li>"]
    h += ["</ul><h2 id=invariants>Invariants</h2><ul>"]
    h += [
        f"<li{' class=fail' if a else ''}>{_e(n)} ({_e(w)}): {'broken' if a else 'holds'} after the"
        f" series{' (broken before it)' if b else ''}</li>"
        for n, w, b, a in m["invariants"]
    ]
    h += [
        "</ul><h2 id=rules>Semantic patches and overlay files that made the hunks</h2>"
    ] + _sources(m["sources"])
    h += [f"<script>{JS}</script></body></html>"]
    return "\n".join(h) + "\n"
