"""The toolkit's own source keeps the kernel's limit of 100 columns
(Documentation/process/coding-style.rst)."""

import unittest

from .support import SCRIPTS

LIMIT = 100


def sources():
    yield SCRIPTS / "treewide"
    yield from sorted(SCRIPTS.glob("treewide_lib/**/*.py"))
    yield from sorted(SCRIPTS.glob("tests/*.py"))


class Source(unittest.TestCase):
    def test_every_line_fits_in_100_columns(self):
        long = [f"{p.relative_to(SCRIPTS)}:{n}: {len(line)} columns"
                for p in sources() for n, line in enumerate(p.read_text().splitlines(), 1)
                if len(line) > LIMIT]
        self.assertEqual(long, [])

    def test_the_check_sees_the_package(self):
        # A glob that matched nothing would make the check pass on no file.
        self.assertGreater(len([p for p in sources() if p.parent.name == "kbuild"]), 5)


if __name__ == "__main__":
    unittest.main()
