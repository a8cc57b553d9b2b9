"""The review page in headless Chromium: the diff with the rule that made
each hunk, the checks per patch, the matrix grid, and that tree content
cannot inject markup; report.md carries the same facts.

Screenshots go to $TREEWIDE_SCREENSHOTS when set (else a scratch
directory). With $TREEWIDE_SERIES_OUT naming the OUT of a real series run
(with OUT/matrix), that series' page is rendered and checked too."""

import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
from pathlib import Path

from treewide_lib import patchfile, report, report_html, report_md, smpl_rules
from treewide_lib.records import FOLDING

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'

SMPL = """/// Drops the argument.
// Confidence: High

virtual patch

@definition depends on patch@
identifier bus;
@@
 get_arch_dma_ops(
- struct bus_type *bus
+ void
 )
 {...}

@script:python depends on definition@
@@
print("treewide-rule definition")

@@
expression E;
@@
- old_call(E)
+ new_call(E)
"""

PATCH = """From 0123 Mon Sep 17 00:00:00 2001
From: A <a@example.org>
Date: Thu, 13 Apr 2017 12:00:00 +0000
Subject: [PATCH 1/1] treewide: Drop
 the bus argument

Drop it everywhere. {hostile}

Signed-off-by: A <a@example.org>
---
 arch/x/include/asm/dma-mapping.h | 8 +++-----

diff --git a/arch/x/include/asm/dma-mapping.h b/arch/x/include/asm/dma-mapping.h
index 1..2 100644
--- a/arch/x/include/asm/dma-mapping.h
+++ b/arch/x/include/asm/dma-mapping.h
@@ -10,4 +10,4 @@ extern struct dma_map_ops x_ops;
 
-static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
+static inline struct dma_map_ops *get_arch_dma_ops(void)
 {{
 \treturn a < b ? &x_ops : NULL; /* {hostile} */
@@ -30,5 +30,2 @@ static void f(void)
 {{
-#ifdef CONFIG_X
-#endif
-- 
 }}
-- 
2.39.5
""".format(hostile=HOSTILE)

NAME = "0001-treewide-Drop.patch"


def fixture(tmp):
    smpl = Path(tmp) / "drop.cocci"
    smpl.write_text(SMPL)
    data = {
        "toolkit_version": "0.1.0",
        "spatch_version": "1.1.1",
        "base": "abc123",
        "verify": {"identical": True},
        "sources": {"drop.cocci": str(smpl)},
        "patches": [
            {
                "patch": NAME,
                "subject": "treewide: Drop " + HOSTILE,
                "step": "drop",
                "noop": True,
                "files": ["arch/x/include/asm/dma-mapping.h"],
                "sites": 2,
                "maintainers": {"to": ["A <a@example.org>"], "cc": ["list@example.org"]},
                "checkpatch": {
                    "clean": False,
                    "explained": False,
                    "messages": [
                        {
                            "level": "WARNING",
                            "type": "LONG_LINE",
                            "message": "long",
                            "line": 9,
                            "why": "",
                        }
                    ],
                },
            }
        ],
    }
    rep = {
        "tree": {"name": "linux-" + HOSTILE, "version": "6.1"},
        "generation_before": "B",
        "recipe": "r",
        "steps": [
            {"name": "drop", "status": "applied", "reason": ""},
            {"name": "xen", "status": "not-applicable", "reason": "because " + HOSTILE},
        ],
        "residuals": [
            {
                "step": "drop",
                "kind": "arch get_dma_ops()",
                "file": "arch/x/a.h",
                "line": 3,
                "text": "return a < b && " + HOSTILE,
            }
        ],
        "invariants": {"xen": {"what": "dom0 ok", "broken_before": False, "broken_after": False}},
    }
    prov = {
        NAME: [
            {
                "file": "arch/x/include/asm/dma-mapping.h",
                "hunk": "@@ -10,4 +10,4 @@",
                "step": "drop",
                "sources": ["drop.cocci"],
                "made_by": [{"source": "drop.cocci", "rules": ["definition"]}],
            },
            {
                "file": "arch/x/include/asm/dma-mapping.h",
                "hunk": "@@ -30,5 +30,2 @@",
                "step": "drop",
                "sources": [FOLDING],
                "made_by": [{"source": FOLDING, "rules": []}],
            },
        ]
    }
    return data, rep, prov, {NAME: PATCH}


def cell(name, status="ok", **kw):
    rec = {
        "cell": name,
        "arch": name,
        "status": status,
        "new": [],
        "gone": [],
        "new_failures": [],
        "preexisting_failures": [],
        "unresolved": [],
        "objects_built": 3,
        "selected": 3,
        "sparse": {"new": [], "gone": [], "unchanged": 0},
        "code": {"compared": 3, "differs": []},
        "config": {"XEN": "y"},
        "reproduce": f"treewide matrix T --cell {name}",
    }
    rec.update(kw)
    return rec


def sweep_data():
    row = {
        "name": "linux-4.10.17",
        "version": "4.10.17",
        "generation_before": "A",
        "generation_after": "B",
        "steps": {"drop": {"status": "skipped", "reason": "sparc uses " + HOSTILE}},
        "changed_files": ["a"],
        "residuals": [],
        "parse_failures": 0,
        "second_pass": {"changed_files": []},
        "wall_s": 9.5,
        "check": [],
    }
    return {"steps": ["drop"], "trees": [row]}


class DomText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.ids, self.cls = [], [], set(), {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if "class" in a:
            self.cls.setdefault(a["class"], 0)
            self.cls[a["class"]] += 1

    def handle_data(self, data):
        self.text.append(data)


def chromium(*args, timeout=120):
    exe = shutil.which("chromium")
    if exe is None:
        raise AssertionError("chromium not installed: run `ci/install-deps test`")
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if r.returncode != 0:
        raise AssertionError(f"chromium exit {r.returncode}: {r.stderr[-500:]}")
    return r.stdout


def png_size(path):
    head = Path(path).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


class Page:
    """A page rendered by Chromium: its DOM (after our script ran) and a screenshot."""

    def __init__(self, page_html, shot_name):
        self.tmp = tempfile.TemporaryDirectory()
        f = Path(self.tmp.name) / "report.html"
        f.write_text(page_html)
        self.raw = chromium("--dump-dom", f.as_uri())
        self.dom = DomText()
        self.dom.feed(self.raw)
        self.text = " ".join(self.dom.text)
        shots = Path(os.environ.get("TREEWIDE_SCREENSHOTS") or self.tmp.name)
        shots.mkdir(parents=True, exist_ok=True)
        self.shot = shots / shot_name
        chromium(
            "--window-size=1400,1800", "--hide-scrollbars", f"--screenshot={self.shot}", f.as_uri()
        )
        self.size = png_size(self.shot)


class ReviewPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        data, rep, prov, texts = fixture(cls.tmp.name)
        matrix = [
            cell(
                "arm64",
                "regression",
                new=["a.c:3: error: x " + HOSTILE],
                unresolved=["foo: referenced by e.o"],
                code={"compared": 2, "differs": ["c.o: f"]},
            ),
            cell("x86_64", preexisting_failures=["d.o"]),
        ]
        boots = [
            {
                "machine": "x86_64-pc",
                "arch": "x86_64",
                "status": "ok",
                "reason": "",
                "trees": {
                    "baseline": {"build": "ok", "verdict": "pass", "boot_s": 2.1},
                    "patched": {"build": "ok", "verdict": "pass", "boot_s": 2.0},
                },
            }
        ]
        cls.m = report.model(data, rep, prov, texts, matrix, boots, sweep_data())
        cls.page = Page(report_html.render(cls.m), "fixture.png")

    def test_tree_content_is_text_never_markup(self):
        self.assertNotIn("img", self.page.dom.tags)
        self.assertEqual(self.page.dom.tags.count("script"), 1)          # ours, and only ours
        self.assertIn(HOSTILE, self.page.text)
        self.assertIn(f"linux-{HOSTILE}", self.page.text)
        head = self.page.raw.split("<body")[0].lower().replace("http-equiv", "")
        self.assertNotIn("http", head)                                    # no external assets

    def test_each_hunk_shows_its_lines_and_the_rule_that_made_it(self):
        text, ids = self.page.text, self.page.dom.ids
        self.assertIn(
            "-static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)", text
        )
        self.assertIn("+static inline struct dma_map_ops *get_arch_dma_ops(void)", text)
        self.assertIn("drop.cocci: definition", text)
        self.assertIn('href="#rule-drop.cocci-definition"', self.page.raw)
        self.assertIn("rule-drop.cocci-definition", ids)  # the link has its target
        self.assertIn("- struct bus_type *bus", text)  # the rule's own text is on the page
        self.assertIn("not made by a rule: the toolkit's #if folding", text)
        self.assertIn("p1-h2", ids)

    def test_checks_per_patch_and_the_matrix_grid(self):
        checks = self.m["patches"][0]["checks"]
        self.assertEqual(
            {k: c["state"] for k, c in checks.items()},
            {
                "checkpatch": "fail",
                "git am": "pass",
                "build": "fail",
                "object code": "fail",
                "boot": "pass",
                "residuals": "fail",
            },
        )
        arm64 = next(r for r in self.m["grid"] if r["cell"] == "arm64")
        self.assertEqual([arm64["columns"][c]["state"] for c in report.GRID],
                         ["pass", "pass", "fail", "pass", "fail", "fail", "none", "none"])
        x86 = next(r for r in self.m["grid"] if r["cell"] == "x86_64")
        self.assertEqual(x86["columns"]["build"]["state"], "warn")
        self.assertEqual(x86["columns"]["boot"]["text"], "x86_64-pc ok")
        self.assertIn("cell-arm64", self.page.dom.ids)
        self.assertIn("NEW in arm64: a.c:3: error: x " + HOSTILE, self.page.text)
        self.assertIn("treewide matrix T --cell arm64", self.page.text)
        self.assertIn("pre-existing failure in x86_64: d.o", self.page.text)
        self.assertGreaterEqual(self.page.dom.cls.get("fail", 0), 4)

    def test_summary_says_why_it_is_not_safe(self):
        state, line = self.m["verdict"]
        self.assertEqual(state, "fail")
        self.assertTrue(
            line.startswith("Not ready to send: patch 1 checkpatch: 1 message(s), UNEXPLAINED"),
            line,
        )
        self.assertIn(line, self.page.text)

    def test_releases_and_screenshot(self):
        self.assertIn("sparc uses " + HOSTILE, self.page.text)
        self.assertIn("A → B", self.page.text)
        self.assertEqual(self.page.size, (1400, 1800))

    def test_markdown_has_the_same_facts(self):
        md = report_md.render(self.m)
        self.assertIn(
            (
                "```diff\n \n-static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type"
                " *bus)\n"
            ),
            md,
        )
        self.assertIn("made by: drop.cocci (rule definition)", md)
        self.assertIn("| arm64 | arm64 | ok: XEN=y | ok: 3/3 objects | FAIL: 1 new, 0 gone |", md)
        self.assertIn("rule `definition` (line 6):", md)
        self.assertIn("- NEW UNRESOLVED REFERENCE in arm64: foo: referenced by e.o", md)
        self.assertIn("| linux-4.10.17 | 4.10.17 | A → B | skipped |", md)
        self.assertIn(self.m["verdict"][1], md)


class Verdict(unittest.TestCase):
    def model(self, matrix, boots=None, needs=None):
        with tempfile.TemporaryDirectory() as tmp:
            data, rep, prov, texts = fixture(tmp)
            data["patches"][0]["checkpatch"] = {"clean": True, "explained": True, "messages": []}
            data["needs"] = needs or {
                "cells": [c["cell"] for c in matrix or []],
                "machines": [],
                "xen": [],
            }
            rep["residuals"] = []
            return report.model(data, rep, prov, texts, matrix, boots)

    def test_ready_only_when_every_cell_built_every_commit_and_every_machine_booted(self):
        ok = {
            "commit": "c1",
            "patch": NAME,
            "subject": "s",
            "status": "ok",
            "not_built": [],
            "new": [],
            "new_vs_previous": [],
        }
        needs = {"cells": ["arm64", "x86_64"], "machines": ["x86_64-pc"], "xen": ["arm64-xen-dom0"]}
        boots = [{"machine": "x86_64-pc", "arch": "x86", "status": "ok", "trees": {}},
                 {"machine": "arm64-xen-dom0", "arch": "arm64", "status": "ok", "trees": {}}]
        one_cell = self.model([cell("arm64", commits=[ok])], needs=needs)
        self.assertEqual(one_cell["verdict"][0], "todo")
        self.assertIn("1 of 2 build cells not run (x86_64): make matrix", one_cell["verdict"][1])
        self.assertIn(
            "1 boot machine(s) not passed (x86_64-pc not run): make boot", one_cell["missing"]
        )
        no_commits = self.model([cell("arm64"), cell("x86_64")], boots, needs=needs)
        self.assertEqual(
            no_commits["missing"],
            ["2 cell(s) not built at every commit (arm64, x86_64): make matrix EACH_COMMIT=1"],
        )
        no_xen = self.model(
            [cell("arm64", commits=[ok]), cell("x86_64", commits=[ok])], boots[:1], needs=needs
        )
        self.assertEqual(
            no_xen["missing"],
            ["1 Xen dom0 probe(s) not passed (arm64-xen-dom0 not run): make boot"],
        )
        ready = self.model(
            [cell("arm64", commits=[ok]), cell("x86_64", commits=[ok])], boots, needs=needs
        )
        state, line = ready["verdict"]
        self.assertEqual((state, ready["missing"]), ("pass", []))
        self.assertTrue(line.startswith("Ready to send: 1 patch(es)"), line)
        self.assertIn(
            (
                "- Built in 2 arch/config cell(s), before and after the series and at every commit:"
                " 2 ok;"
            ),
            " ".join(" ".join(ready["testing"]).split()),
        )
        self.assertTrue(
            all(len(line) <= 75 for t in ready["testing"] for line in t.split("\n")),
            ready["testing"],
        )

    def test_a_commit_that_does_not_build_fails_its_own_patch(self):
        commit = {
            "commit": "c1",
            "patch": NAME,
            "subject": "s",
            "status": "not-bisectable",
            "not_built": ["a.o"],
            "new": [],
            "new_vs_previous": [],
        }
        m = self.model(
            [
                cell("arm64", "regression", commits=[commit]),
                cell("x86_64", commits=[dict(commit, status="ok")]),
            ]
        )
        build = m["patches"][0]["checks"]["build"]
        self.assertEqual((build["state"], build["text"]),
                         ("fail", "at this commit, 2 cell(s): not bisectable in arm64"))
        row = next(r for r in m["grid"] if r["cell"] == "arm64")
        self.assertEqual(row["columns"]["each commit"]["state"], "fail")
        self.assertIn("NOT BISECTABLE in arm64", " ".join(row["findings"]))

    def test_a_stable_patch_without_an_upstream_commit_is_not_ready(self):
        with tempfile.TemporaryDirectory() as tmp:
            data, rep, prov, texts = fixture(tmp)
            data["patches"][0]["checkpatch"] = {"clean": True, "explained": True, "messages": []}
            data["target"], rep["residuals"] = {"kind": "stable"}, []
            state, line = report.model(data, rep, prov, texts)["verdict"]
            data["patches"][0]["upstream"] = "ade1229caed9433921b69e20bd6fadf1bba9558e"
            self.assertEqual(report.model(data, rep, prov, texts)["verdict"][0], "todo")
        self.assertEqual(
            (state, line),
            (
                "fail",
                (
                    "Not ready to send: patch 1 has no upstream commit, which "
                    "stable-kernel-rules.rst asks of every stable patch"
                ),
            ),
        )

    def test_without_a_matrix_it_is_not_checked_yet(self):
        self.assertEqual(self.model(None)["verdict"][0], "todo")

    def test_a_make_that_died_or_sparse_that_did_not_finish_is_no_pass(self):
        died = {
            k: v
            for k, v in cell("arm64", "error", reason="make ... was killed by signal 9").items()
            if k in ("cell", "arch", "status", "reason", "config", "reproduce")
        }
        unchecked = cell(
            "x86_64", sparse={"new": [], "gone": [], "unchanged": 0, "not_checked": ["a.o"]}
        )
        m = self.model([died, unchecked])
        self.assertEqual(m["verdict"][0], "fail")
        rows = {r["cell"]: r["columns"] for r in m["grid"]}
        self.assertEqual((rows["arm64"]["build"]["state"], rows["arm64"]["build"]["text"]),
                         ("fail", "make ... was killed by signal 9"))
        self.assertEqual(rows["x86_64"]["sparse"]["state"], "none")
        self.assertIn(
            "1 object(s) not checked: sparse did not finish", rows["x86_64"]["sparse"]["text"]
        )

    def test_a_lost_config_option_is_not_safe(self):
        state, line = self.model([cell("arm64", "config-lost", reason="XEN lost")])["verdict"]
        self.assertEqual(state, "fail")
        self.assertIn("(arm64)", line)


class Parsers(unittest.TestCase):
    def test_hunks_are_read_by_their_counts(self):
        p = patchfile.parse(PATCH)
        self.assertEqual(p.subject, "[PATCH 1/1] treewide: Drop the bus argument")
        self.assertTrue(p.changelog.startswith("Drop it everywhere."))
        self.assertEqual(len(p.hunks), 2)
        removed = "static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)"
        self.assertEqual(p.hunks[0].lines[1], ("-", 11, None, removed))
        self.assertEqual(p.hunks[0].context, "extern struct dma_map_ops x_ops;")
        self.assertEqual(
            p.hunks[1].removed, ["#ifdef CONFIG_X", "#endif", "- "]
        )  # not the signature
        self.assertEqual(p.hunks[1].lines[-1], (" ", 34, 31, "}"))

    def test_rules_are_cut_at_their_headers(self):
        blocks = smpl_rules.split(SMPL)
        self.assertEqual(
            [(n, first) for n, first, _ in blocks], [(None, 1), ("definition", 6), (None, 19)]
        )
        self.assertIn("treewide-rule definition", blocks[1][2])  # the script rule stays with it


@unittest.skipUnless(
    os.environ.get("TREEWIDE_SERIES_OUT"), "set TREEWIDE_SERIES_OUT to a real series OUT"
)
class RealSeries(unittest.TestCase):
    """The page of a real series with its matrix: every hunk of the first
    patch file and a matrix cell's state are on it."""

    def test_real_series_page(self):
        out = Path(os.environ["TREEWIDE_SERIES_OUT"])
        data, rep, prov = (
            json.loads((out / f).read_text())
            for f in ("series.json", "apply.json", "provenance.json")
        )
        report.write(out, data, rep, prov)
        page = Page((out / "report.html").read_text(), f"{rep['tree']['name']}.png")
        first = patchfile.parse((out / "series" / data["patches"][0]["patch"]).read_text())
        for h in first.hunks:
            self.assertIn(h.header, page.text)
            for kind, _, _, text in h.lines[:3]:
                self.assertIn(kind + text, page.text)
        made = next(
            m for h in prov[data["patches"][0]["patch"]] for m in h["made_by"] if m["rules"]
        )
        self.assertIn(f"{made['source']}: {made['rules'][0]}", page.text)  # the rule's name, linked
        self.assertIn(report.rule_anchor(made["source"], made["rules"][0]), page.dom.ids)
        cells = json.loads((out / "matrix" / "matrix.json").read_text())["cells"]
        row = re.search(
            rf'<tr class="row"><td><a href="#cell-{cells[0]["cell"]}">.*?</tr>', page.raw, re.S
        )
        self.assertIsNotNone(row, "the cell's row in the grid")
        want = [c["state"] for c in report.grid(cells, None)[0]["columns"].values()][
            :-1
        ]  # all but boot
        self.assertEqual(re.findall(r'<td class="(\w+)"', row.group())[: len(want)], want)
        print(
            f"\n{out}/report.html: {(out / 'report.html').stat().st_size} bytes, screenshot"
            f" {page.shot}"
        )


if __name__ == "__main__":
    unittest.main()
