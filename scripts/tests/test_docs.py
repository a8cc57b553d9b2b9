"""The docs stay true: every make target, subcommand, option and variable
README.md and docs/ name exists, every link inside the repository
resolves, and every target, subcommand and TREEWIDE_* variable is
documented."""

import re
import subprocess
import unittest
from pathlib import Path

from treewide_lib import cli, records

TOP = Path(__file__).resolve().parents[2]
DOCS = [TOP / "README.md", *sorted((TOP / "docs").rglob("*.md"))]
# Kbuild's own targets, which the docs name when they say how a tree is built
KBUILD = {"prepare", "all", "vmlinux", "modules", "olddefconfig", "defconfig", "allnoconfig"}


def targets():
    """The Makefile's targets, as `make help` lists them."""
    r = subprocess.run(
        ["make", "-s", "-C", str(TOP), "help"], capture_output=True, text=True, check=True
    )
    return set(re.findall(r"(?m)^  make (\S+)", r.stdout))


def subcommands():
    """{subcommand: its option strings} of `scripts/treewide`."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.choices and isinstance(a.choices, dict))
    return {
        name: {s for a in p._actions for s in a.option_strings} for name, p in sub.choices.items()
    }


def code_spans(text):
    """Inline code and fenced code of a Markdown text."""
    fenced = re.findall(r"(?ms)^```[^\n]*\n(.*?)^```", text)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"(?ms)^```.*?^```", "", text))
    return fenced + inline


class Docs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.targets = targets()
        cls.commands = subcommands()
        cls.options = set().union(*cls.commands.values())
        cls.texts = {p: p.read_text(encoding="utf-8") for p in DOCS}

    def test_every_make_target_named_exists(self):
        for path, text in self.texts.items():
            for span in code_spans(text):
                for t in re.findall(r"\bmake ([a-z][a-z0-9-]*[a-z0-9])(?![\w/.*-])", span):
                    if t not in KBUILD:
                        with self.subTest(doc=path.name, target=t):
                            self.assertIn(t, self.targets, f"{path.name} names `make {t}`")

    def test_every_subcommand_and_option_named_exists(self):
        for path, text in self.texts.items():
            for span in code_spans(text):
                for cmd, rest in re.findall(r"(?:scripts/)?treewide (\w[\w-]*)([^\n|`]*)", span):
                    if cmd not in self.commands:
                        continue            # prose such as "treewide run"
                    for opt in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest):
                        with self.subTest(doc=path.name, command=cmd, option=opt):
                            self.assertIn(opt, self.commands[cmd] | {"--help"},
                                          f"{path.name}: `treewide {cmd}` has no {opt}")
            for opt in re.findall(r"`(--[a-z][a-z-]*)", text):
                with self.subTest(doc=path.name, option=opt):
                    self.assertIn(opt, self.options | {"--help", "--version", "--debug"},
                                  f"{path.name} names {opt}, which no subcommand has")

    def test_every_target_and_subcommand_is_documented(self):
        text = "\n".join(self.texts.values())
        for t in self.targets:
            with self.subTest(target=t):
                self.assertRegex(text, rf"make {re.escape(t)}\b|`{re.escape(t)}`")
        for c in self.commands:
            with self.subTest(subcommand=c):
                self.assertRegex(text, rf"`{re.escape(c)}`|(?:treewide|make) {re.escape(c)}\b")

    def test_every_environment_variable_is_documented(self):
        used = set()
        for p in (TOP / "scripts").rglob("*.py"):
            used |= set(re.findall(r"\"(TREEWIDE_[A-Z0-9_]+)\"", p.read_text()))
        for p in [*(TOP / "ci").iterdir(), TOP / "Makefile"]:
            used |= set(re.findall(r"\$\(?\{?(TREEWIDE_[A-Z0-9_]+)", p.read_text()))
        used.discard("TREEWIDE_TREE_")
        readme = self.texts[TOP / "README.md"]
        self.assertTrue(used)
        for var in sorted(used):
            with self.subTest(variable=var):
                self.assertIn(f"`{var}", readme)

    def test_every_link_resolves(self):
        for path, text in self.texts.items():
            for link in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z]+:", link):
                    continue
                target, _, anchor = link.partition("#")
                dest = (path.parent / target).resolve() if target else path
                with self.subTest(doc=path.name, link=link):
                    self.assertTrue(dest.exists(), f"{path.name} links {link}")
                    if anchor and dest.suffix == ".md":
                        heads = re.findall(r"(?m)^#+ (.*)$", dest.read_text(encoding="utf-8"))
                        slugs = {
                            re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
                            for h in heads
                        }
                        self.assertIn(anchor, slugs, f"{path.name} links {link}: no such heading")

    def test_no_path_outside_the_repository(self):
        for path, text in self.texts.items():
            with self.subTest(doc=path.name):
                self.assertNotIn("../shared", text)

    def test_every_record_field_is_documented(self):
        # docs/formats.md against the types the runners fill (records.py).
        text = (TOP / "docs" / "formats.md").read_text()

        def section(title):
            start = text.index(title)
            return text[start:text.index("\n## ", start + 1)]

        for kind, title in (
            (records.CellRecord, "## matrix.json"),
            (records.CommitRecord, "## matrix.json"),
            (records.MachineRecord, "## boot.json"),
            (records.BootTreeRecord, "## boot.json"),
            (records.SweepRow, "## sweep.json"),
        ):
            words = set(re.findall(r"\w+", section(title)))
            with self.subTest(kind=kind.__name__):
                self.assertEqual(sorted(set(kind.__annotations__) - words), [])
        for schema in (records.MATRIX_SCHEMA, records.BOOT_SCHEMA, records.SWEEP_SCHEMA):
            self.assertIn(f"(`{schema}`)", text)

    def test_readme_is_short(self):
        self.assertLess(len(self.texts[TOP / "README.md"].splitlines()), 250)


if __name__ == "__main__":
    unittest.main()
