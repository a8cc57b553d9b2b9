"""The matrix's shared jobserver: makes run under it, and a cell past its
deadline is stopped with everything it started."""

import os
import shutil
import tempfile
import threading
import time
import unittest
from pathlib import Path

from treewide_lib.kbuild import jobserver


class Jobserver(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dir)

    def test_make_gets_the_shared_slots(self):
        (self.dir / "Makefile").write_text("all:\n\t@echo $(MAKEFLAGS)\n")
        rc, out = jobserver.Jobserver(3).run(["make", "-s", "-C", str(self.dir)])
        self.assertEqual(rc, 0)
        self.assertIn("-j3", out)
        self.assertIn("--jobserver-auth=", out)

    def test_deadline_stops_the_make_and_its_children(self):
        pidfile = self.dir / "child.pid"
        (self.dir / "Makefile").write_text(f"all:\n\t@sleep 60 & echo $$! > {pidfile}; wait\n")
        t0 = time.monotonic()
        with self.assertRaises(jobserver.CellTimeout):
            jobserver.Jobserver(2).run(
                ["make", "-s", "-C", str(self.dir)],
                tick=lambda: None,
                every=30,
                deadline=time.monotonic() + 2,
            )
        self.assertLess(time.monotonic() - t0, 30)
        self.assertTrue(
            _gone(int(pidfile.read_text())), "the make's child still runs after the deadline"
        )

    def test_stop_all_ends_every_make_and_refuses_new_ones(self):
        pidfile = self.dir / "child.pid"
        (self.dir / "Makefile").write_text(f"all:\n\t@sleep 60 & echo $$! > {pidfile}; wait\n")
        js, raised = jobserver.Jobserver(2), []

        def cell():
            try:
                js.run(["make", "-s", "-C", str(self.dir)], tick=lambda: None, every=0.2)
            except jobserver.Stopped:
                raised.append(True)

        worker = threading.Thread(target=cell)
        worker.start()
        while not pidfile.exists() or not pidfile.read_text().strip():
            time.sleep(0.05)
        js.stop_all()                      # what Ctrl-C or SIGTERM does in the main thread
        worker.join(20)
        self.assertFalse(worker.is_alive())
        self.assertEqual(raised, [True])
        self.assertTrue(_gone(int(pidfile.read_text())))
        with self.assertRaises(jobserver.Stopped):
            js.run(["true"])

    def test_ticks_while_it_runs(self):
        (self.dir / "Makefile").write_text("all:\n\t@sleep 1\n")
        ticks = []
        rc, _ = jobserver.Jobserver(2).run(
            ["make", "-s", "-C", str(self.dir)], tick=lambda: ticks.append(1), every=0.2
        )
        self.assertEqual(rc, 0)
        self.assertGreaterEqual(len(ticks), 2)


def _gone(pid):
    for _ in range(50):                     # the sleep is reaped by init once its shell is gone
        if not os.path.exists(f"/proc/{pid}") or "Z" in _state(pid):
            return True
        time.sleep(0.1)
    return False


def _state(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


if __name__ == "__main__":
    unittest.main()
