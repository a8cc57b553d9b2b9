"""Every SmPL rule against its kernel-shaped fixture pairs."""

import os
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from treewide_lib.paths import SMPL_DIR  # noqa: E402
from treewide_lib.recipe import load  # noqa: E402
from treewide_lib.spatch import Spatch  # noqa: E402
from treewide_lib.encoding import ENC  # noqa: E402

from . import smpl_fixtures as fixtures  # noqa: E402


class Fixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spatch = Spatch(jobs=1)

    def test_every_fixture(self):
        found = fixtures.discover()
        self.assertTrue(found, "no fixtures found")
        # one spatch per fixture, as many at once as there are cores
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            runs = pool.map(
                lambda fx: fixtures.run(self.spatch, fx) if fx.rule.is_file() else (None, None),
                found,
            )
            for fx, (actual, problems) in zip(found, runs):
                with self.subTest(fixture=fx.name):
                    self.assertTrue(fx.rule.is_file(), f"{fx.rule} missing")
                    self.assertTrue(fx.expected.is_file(), f"{fx.expected} missing")
                    self.assertEqual(problems, [])
                    self.assertEqual(actual, fx.expected.read_text(**ENC))

    def test_every_patch_rule_has_a_fixture_that_changes_something(self):
        rules = {r.smpl for s in load().steps for r in s.rules}
        changing = {fx.rule for fx in fixtures.discover()
                    if fx.input.read_text(**ENC) != fx.expected.read_text(**ENC)}
        self.assertEqual(sorted(p.name for p in rules - changing), [])

    def test_every_rule_has_the_kernel_header(self):
        for smpl in SMPL_DIR.glob("*.cocci"):
            text = smpl.read_text()
            with self.subTest(rule=smpl.name):
                self.assertRegex(text, r"(?m)^/// \S")
                self.assertRegex(text, r"(?m)^// Confidence: ")
                self.assertRegex(text, r"(?m)^// Options: ")
                self.assertRegex(text, r"(?m)^virtual (patch|report)")


if __name__ == "__main__":
    unittest.main()
