"""Old-form sites and expected end-state code, found by regex in a tree."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .recipe import AnyOf, Pattern
    from .tree import Tree


@dataclass(frozen=True)
class Site:
    kind: str
    file: str
    line: int
    text: str
    what: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.text}"


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def code_only(text: str) -> str:
    """text with comments blanked out, keeping every offset and newline."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def find(tree: Tree, patterns: Iterable[Pattern]) -> list[Site]:
    """Every match of every pattern, as Sites sorted by file and line."""
    out = []
    for pat in patterns:
        for rel in tree.files(pat.query):
            text = tree.read(rel)
            for m in pat.regex.finditer(code_only(text)):
                line = text.count("\n", 0, m.start()) + 1
                first = text[m.start():].split("\n", 1)[0].strip()
                out.append(Site(pat.kind, rel, line, first[:120], pat.what))
    return sorted(set(out), key=lambda s: (s.file, s.line, s.kind))


def missing(tree: Tree, expectations: Iterable[Pattern]) -> list[Pattern]:
    """The expectations no file of their query satisfies."""
    return [e for e in expectations
            if not any(e.regex.search(code_only(tree.read(rel))) for rel in tree.files(e.query))]


def first_match(tree: Tree, pattern: Pattern) -> tuple[str, int] | None:
    """(file, line) of the first match of a pattern, or None."""
    for rel in tree.files(pattern.query):
        text = code_only(tree.read(rel))
        m = pattern.regex.search(text)
        if m:
            return rel, text.count("\n", 0, m.start()) + 1
    return None


def holds(tree: Tree, cond: Pattern | AnyOf) -> tuple[bool, str]:
    """Whether a condition holds, and what was seen, as a phrase."""
    if hasattr(cond, "alternatives"):            # recipe.AnyOf
        seen = [holds(tree, alt) for alt in cond.alternatives]
        held = next((phrase for ok, phrase in seen if ok), None)
        if held:
            return True, f"{cond.what}: {held}"
        return (
            False,
            f"{cond.what} in none of its known shapes ({'; '.join(phrase for _, phrase in seen)})",
        )
    hit = first_match(tree, cond)
    if cond.negate:
        return hit is None, (
            f"{cond.what}" if hit is None else f"not {cond.what}: {hit[0]}:{hit[1]}"
        )
    return hit is not None, (f"{cond.what} ({hit[0]}:{hit[1]})" if hit else f"no {cond.what}")
