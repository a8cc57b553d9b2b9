"""report.html in headless Chromium: what it shows, and that tree content
cannot inject markup."""

import html.parser
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from treewide_lib import report

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def fixture():
    data = {"toolkit_version": "0.1.0", "spatch_version": "1.1.1", "base": "abc123",
            "verify": {"identical": True},
            "patches": [{"patch": "0001-x.patch", "subject": "treewide: Drop " + HOSTILE, "step": "drop",
                         "files": ["a.h", "b.h"], "sites": 2,
                         "maintainers": {"to": ["A <a@example.org>"], "cc": ["list@example.org"]},
                         "checkpatch": {"clean": False, "explained": False, "messages": [
                             {"level": "WARNING", "type": "LONG_LINE", "message": "long", "line": 9, "why": ""}]}}]}
    rep = {"tree": {"name": "linux-" + HOSTILE, "version": "6.1"}, "generation_before": "B", "recipe": "r",
           "steps": [{"name": "drop", "status": "applied", "reason": ""},
                     {"name": "xen", "status": "not-applicable", "reason": "because " + HOSTILE}],
           "residuals": [{"step": "drop", "kind": "arch get_dma_ops()", "file": "arch/x/a.h", "line": 3,
                          "text": "return a < b && " + HOSTILE}],
           "invariants": {"xen": {"what": "dom0 ok", "broken_before": False, "broken_after": False}}}
    prov = {"0001-x.patch": [{"file": "a.h", "hunk": "@@ -1 +1 @@", "step": "drop", "sources": ["r.cocci"]}]}
    return data, rep, prov


class DomText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


class ReportPage(unittest.TestCase):
    def render_in_chromium(self, page):
        exe = shutil.which("chromium")
        self.assertIsNotNone(exe, "chromium not installed: run `ci/install-deps test`")
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "report.html"
            f.write_text(page)
            r = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", f"--user-data-dir={tmp}/profile", "--dump-dom", f.as_uri()],
                               capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(r.returncode, 0, r.stderr[-500:])
        dom = DomText()
        dom.feed(r.stdout)
        return dom, r.stdout

    def test_shows_the_review_and_escapes_tree_content(self):
        data, rep, prov = fixture()
        dom, raw = self.render_in_chromium(report.page(report.model(data, rep, prov)))
        text = " ".join(dom.text)
        self.assertNotIn("img", dom.tags)
        self.assertEqual(dom.tags.count("script"), 0)
        self.assertIn(HOSTILE, text)                          # shown literally, as text
        for expected in ("treewide: Drop", "same tree as apply", "1 message(s), UNEXPLAINED: LONG_LINE",
                         "not-applicable", "arch/x/a.h:3", "A <a@example.org>", "r.cocci", "holds after the series",
                         "Not run for this series."):
            self.assertIn(expected, text)
        self.assertIn('id="patches"', raw)
        self.assertNotIn("http", raw.split("<body")[0].lower().replace("http-equiv", ""))   # no external assets

    def test_markdown_has_the_same_facts(self):
        data, rep, prov = fixture()
        md = report.markdown(report.model(data, rep, prov))
        self.assertIn("| 1 | treewide: Drop", md)
        self.assertIn("LONG_LINE: long (UNEXPLAINED)", md)
        self.assertIn("## Residuals (1)", md)

    def test_matrix_findings_are_listed_not_counted(self):
        data, rep, prov = fixture()
        cell = {"cell": "arm64", "status": "regression", "new": ["a.c: error: x " + HOSTILE], "gone": [],
                "sparse": {"new": ["b.c: warning: sparse y"], "gone": [], "unchanged": []},
                "code": {"compared": 2, "differs": ["c.o: f"]}, "preexisting_failures": ["d.o"],
                "unresolved": ["foo: referenced by e.o"]}
        m = report.model(data, rep, prov, [cell])
        md = report.markdown(m)
        for line in ("- arm64: regression, new 1, gone 0, sparse new 1, unresolved new 1, pre-existing failures 1, "
                     "code 1 differ", "- NEW UNRESOLVED REFERENCE in arm64: foo: referenced by e.o",
                     f"- NEW in arm64: a.c: error: x {HOSTILE}", "- SPARSE NEW in arm64: b.c: warning: sparse y",
                     "- CODE DIFFERS in arm64: c.o: f", "- pre-existing failure in arm64: d.o"):
            self.assertIn(line, md)
        dom, _ = self.render_in_chromium(report.page(m))
        self.assertNotIn("img", dom.tags)
        self.assertIn("SPARSE NEW in arm64: b.c: warning: sparse y", " ".join(dom.text))

    def test_boot_results_are_shown_per_machine(self):
        data, rep, prov = fixture()
        ok = {"build": "ok", "verdict": "pass", "boot_s": 2.1}
        machines = [{"machine": "x86_64-pc", "status": "ok", "reason": "", "trees": {"baseline": ok, "patched": ok}},
                    {"machine": "arm64-xen-dom0", "status": "regression", "reason": "patched " + HOSTILE,
                     "trees": {"baseline": ok, "patched": {"build": "failed", "reason": "x"}}}]
        m = report.model(data, rep, prov, None, machines)
        md = report.markdown(m)
        self.assertIn("- x86_64-pc: ok (baseline pass in 2.1 s, patched pass in 2.1 s)", md)
        self.assertIn(f"- arm64-xen-dom0: regression (baseline pass in 2.1 s, patched build failed): patched {HOSTILE}",
                      md)
        dom, _ = self.render_in_chromium(report.page(m))
        self.assertIn(f"patched {HOSTILE}", " ".join(dom.text))


if __name__ == "__main__":
    unittest.main()
