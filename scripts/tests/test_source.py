"""The toolkit's own source keeps the kernel's limit of 100 columns
(Documentation/process/coding-style.rst), and every public function of
the package says the types it takes and gives (mypy checks them)."""

import ast
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

    def test_every_public_function_is_annotated(self):
        bare = []
        for path in sorted(SCRIPTS.glob("treewide_lib/**/*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                    a = node.args
                    args = [x for x in a.posonlyargs + a.args + a.kwonlyargs
                            if x.arg not in ("self", "cls")]
                    if node.returns is None or any(x.annotation is None for x in args):
                        bare.append(f"{path.relative_to(SCRIPTS)}:{node.lineno}: {node.name}")
        self.assertEqual(bare, [])

    def test_the_check_sees_the_package(self):
        # A glob that matched nothing would make the check pass on no file.
        self.assertGreater(len([p for p in sources() if p.parent.name == "kbuild"]), 5)


if __name__ == "__main__":
    unittest.main()
