"""report.md: the review page's facts in plain Markdown, for mail and terminals."""

from __future__ import annotations

from typing import Any


WORD = {"pass": "ok", "fail": "FAIL", "warn": "warn", "none": "-"}


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _row(cells):
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _table(head, rows):
    return [_row(head), "|" + "---|" * len(head)] + [_row(r) for r in rows]


def _fenced(text, lang=""):
    fence = "```"
    while fence in text:
        fence += "`"
    return [fence + lang, text, fence]


def _state(c):
    return f"{WORD[c['state']]}: {c['text']}"


def _patch(p, total):
    out = [
        "",
        f"## Patch {p['n']}/{total}: {p['subject']}",
        "",
        f"- file: {p['patch']}" + (" (MISSING from the series directory)" if p["missing"] else ""),
        f"- step: `{p['step']}`, {len(p['files'])} file(s), {p['sites']} site(s)",
        f"- To: {', '.join(p['to']) or '-'}",
        f"- Cc: {', '.join(p['cc']) or '-'}",
        "",
        "Checks:",
        "",
    ]
    out += [f"- **{WORD[c['state']]}** {name}: {c['text']}" for name, c in p["checks"].items()]
    out += (
        ["", "### Changelog", ""] + _fenced(p["changelog"] or "(none)", "text") + ["", "### Diff"]
    )
    for h in p["hunks"]:
        made = "; ".join(
            f"{m['source']}" + (f" (rule {', '.join(m['rules'])})" if m["rules"] else "")
            for m in h["made_by"]
        )
        out += [
            "",
            f"`{h['file']}` `{h['header']}` {h['context']}".rstrip(),
            "; ".join(x for x in (made and f"made by: {made}", h["note"]) if x),
            "",
        ]
        out += _fenced("\n".join(kind + text for kind, _, _, text in h["lines"]), "diff")
    return out


def _matrix(m):
    if m["grid"] is None:
        return ["Not run for this series."]
    out = _table(
        ["cell", "arch", *m["grid_columns"]],
        [
            [r["cell"], r["arch"], *(_state(r["columns"][c]) for c in m["grid_columns"])]
            for r in m["grid"]
        ],
    )
    for r in m["grid"]:
        if r["findings"] or r["status"] != "ok":
            out += [
                "",
                f"**{r['cell']}**: {r['status']}" + (f" ({r['reason']})" if r["reason"] else ""),
            ]
            out += r["findings"] + [f"- reproduce: `{r['reproduce']}`"]
    pre = [line for r in m["grid"] for line in r["preexisting"]]
    out += [
        "",
        "Pre-existing failures (already in the baseline, not counted against the series):",
        "",
    ]
    return out + (pre or ["None."])


def _boot(boots):
    if boots is None:
        return ["Not run for this series."]
    return _table(
        ["machine", "arch", "status", "baseline", "patched", "why"],
        [
            [
                b["machine"],
                b["arch"],
                b["status"],
                b["outcome"]["baseline"],
                b["outcome"]["patched"],
                b.get("reason", ""),
            ]
            for b in boots
        ],
    )


def _sources(sources):
    out = []
    for s in sources:
        out += [
            "",
            f"### {s['name']}",
            "",
            f"From `{s['path']}`" + (f": {s['error']}" if s["error"] else ""),
            "",
        ]
        for b in s["blocks"]:
            out += (
                ([f"rule `{b['rule']}` (line {b['first']}):", ""] if b["rule"] else [])
                + _fenced(b["text"])
                + [""]
            )
    return out


def render(m: dict[str, Any]) -> str:
    state, line = m["verdict"]
    out = [f"# {m['title']}", "", f"**{line}**", ""] + [f"- **{k}**: {v}" for k, v in m["overview"]]
    out += ["", "## Testing (as the mail says it)", ""] + m["testing"]
    out += ["", "## Patches", ""] + _table(
        ["#", "subject", "files", *m["check_names"]],
        [
            [
                p["n"],
                p["subject"],
                len(p["files"]),
                *(WORD[p["checks"][c]["state"]] for c in m["check_names"]),
            ]
            for p in m["patches"]
        ],
    )
    for p in m["patches"]:
        out += _patch(p, len(m["patches"]))
    out += ["", "## Build matrix", ""] + _matrix(m)
    out += ["", "## Boot test", ""] + _boot(m["boot"])
    if m["releases"]:
        out += ["", "## Releases", ""] + _table(m["releases"]["head"], m["releases"]["rows"])
        out += [""] + m["releases"]["reasons"]
    out += ["", "## Steps", ""] + [f"- `{n}`: {st}" + (f": {r}" if r and st != "applied" else "")
                                   for n, st, r in m["steps"]]
    out += ["", f"## Residuals ({len(m['residuals'])})", ""]
    out += [
        f"- [{r['step']}] {r['kind']}:"
        f" {r.get('file', '')}:{r.get('line', '')} {r.get('text', r.get('what', ''))}"
        for r in m["residuals"]
    ] or ["None."]
    out += ["", "## Invariants", ""] + [
        f"- {n} ({w}): "
        + ("broken" if a else "holds")
        + " after the series"
        + (" (broken before it)" if b else "")
        for n, w, b, a in m["invariants"]
    ]
    out += ["", "## Checkpatch messages that stay", ""]
    msgs = [(p["patch"], x) for p in m["patches"] for x in p["messages"]]
    out += [
        f"- {pt}:{x['line']}: {x['type']}: {x['message']} ({x['why'] or 'UNEXPLAINED'})"
        for pt, x in msgs
    ] or ["None."]
    out += ["", "## Semantic patches and overlay files that made the hunks"] + _sources(
        m["sources"]
    )
    return "\n".join(out) + "\n"
