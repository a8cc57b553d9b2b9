"""make bench-report: how big the review page of a series is and how fast
it renders, in our Python and in headless Chromium.

Per run: the time `treewide report` takes to write report.md and
report.html, their sizes, and the page's load time in Chromium (from
navigation start to the load event, read from the page itself by a probe
script added to a scratch copy only), plus the wall time of the whole
Chromium process (its start-up included). The first Chromium run uses a
new profile; the figure printed for each is the first run's and the
median of the next five.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from . import report
from .errors import ToolError


PROBE = (
    "<script>addEventListener('load',function(){"
    "document.documentElement.setAttribute('data-load-ms',performance.now().toFixed(1))})</script>"
)
RUNS = 6


def _series(out):
    try:
        return [
            json.loads((out / f).read_text())
            for f in ("series.json", "apply.json", "provenance.json")
        ]
    except FileNotFoundError as e:
        raise ToolError(
            f"{out} holds no series ({Path(e.filename).name} missing)",
            "pass the OUT of `treewide series`",
        ) from None


def _chromium(page, profile):
    exe = shutil.which("chromium")
    if not exe:
        raise ToolError(
            "chromium not found", "run `ci/install-deps test` (Debian package chromium)"
        )
    t0 = time.monotonic()
    try:
        r = subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(
            "chromium did not finish loading the page in 300 s",
            "check that chromium runs headless "
            "here (`chromium --headless --dump-dom about:blank`)",
        ) from None
    wall = time.monotonic() - t0
    m = re.search(r'data-load-ms="([\d.]+)"', r.stdout)
    if r.returncode != 0 or not m:
        raise ToolError(
            f"chromium exited {r.returncode} without the page's load time: "
            + r.stderr.strip()[-300:],
            "check that chromium runs headless here (`chromium --headless --dump-dom about:blank`)",
        )
    return float(m[1]), wall


def _line(what, first, rest, unit):
    median = statistics.median(rest)
    return (f"  {what:<34} first {first:8.1f} {unit}   "
            f"median of next {len(rest)}: {median:8.1f} {unit}")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    data, rep, prov = _series(out)
    renders = []
    for _ in range(RUNS):
        t0 = time.monotonic()
        report.write(out, data, rep, prov)
        renders.append((time.monotonic() - t0) * 1000)
    html_file, md = out / "report.html", out / "report.md"
    hunks = sum(len(h) for h in prov.values())
    cells = (
        json.loads((out / "matrix/matrix.json").read_text())["cells"]
        if (out / "matrix/matrix.json").is_file()
        else []
    )
    files = len({f for p in data["patches"] for f in p["files"]})
    print(
        f"bench-report: {out}: {len(data['patches'])} patch(es), {files} file(s), {hunks} hunk(s), "
        f"{len(cells)} matrix cell(s)"
    )
    print(
        f"  report.html {html_file.stat().st_size / 1024:.0f} KiB, "
        f"report.md {md.stat().st_size / 1024:.0f} KiB"
    )
    loads, walls = [], []
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html_file.read_text().replace("</body>", PROBE + "</body>"))
        for _ in range(RUNS):
            load, wall = _chromium(page, Path(tmp) / "profile")
            loads.append(load)
            walls.append(wall * 1000)
    print(_line("treewide report (md + html)", renders[0], renders[1:], "ms"))
    print(_line("page load in Chromium (to onload)", loads[0], loads[1:], "ms"))
    print(_line("Chromium process (start-up incl.)", walls[0], walls[1:], "ms"))
    return 0
