"""Coccinelle-style fixture pairs: name.c|.h input beside name.res expected.

Fixtures live in semantic-patches/tests/<rule>/ for rule <rule>.cocci. A
fixture's first line may name virtual rules to define, as
`/* treewide-test: -D constops */` (a value: `-D name=value`). The rule is
applied the way apply does
it (patch mode, then the #if tidy-up), so a fixture shows what a user gets.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from treewide_lib.cpp_tidy import tidy
from treewide_lib.paths import SMPL_DIR
from treewide_lib.spatch import SmPL
from treewide_lib.encoding import ENC

TESTS = SMPL_DIR / "tests"


@dataclass
class Fixture:
    rule: Path
    input: Path
    expected: Path

    @property
    def name(self):
        return f"{self.rule.stem}/{self.input.name}"

    def defines(self):
        first = self.input.read_text(**ENC).split("\n", 1)[0]
        m = re.search(r"treewide-test:(.*?)\*/", first)
        return set(re.findall(r"-D\s*(\w+(?:=\w+)?)", m.group(1))) if m else set()


def discover():
    out = []
    for d in sorted(p for p in TESTS.iterdir() if p.is_dir()):
        rule = SMPL_DIR / f"{d.name}.cocci"
        for src in sorted(d.iterdir()):
            if src.suffix in (".c", ".h"):
                out.append(Fixture(rule, src, src.with_suffix(".res")))
    return out


class _FileTree:
    """The one-file 'tree' Spatch.run needs."""

    def __init__(self, path):
        self.path = path

    def read(self, rel):
        return self.path.read_text(**ENC)


def run(spatch, fixture):
    """(actual output, problems) for one fixture."""
    results, _ = spatch.run(SmPL.load(fixture.rule), "patch", fixture.defines(),
                            _FileTree(fixture.input), [fixture.input.name])
    r = results[0]
    before = fixture.input.read_text(**ENC)
    actual = before if r.text is None else tidy(before, r.text)
    problems = [f"spatch failed: {r.failed}"] if r.failed else []
    problems += [f"parse error: {line}" for line in r.parse_errors]
    return actual, problems
