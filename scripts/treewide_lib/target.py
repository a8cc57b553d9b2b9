"""Whom a series is for, and what follows from it (submitting-patches.rst,
stable-kernel-rules.rst):

- mainline: [PATCH], To the maintainers of the MAINTAINERS sections each
  step names (Cc everyone else get_maintainer.pl lists), the user as author;
- stable: [PATCH x.y] for the release the tree is, To stable@vger.kernel.org,
  Cc the authors of the upstream commits; a step that makes an upstream
  commit again names it ("commit <sha> upstream.") and keeps its author;
- vendor: attribution as for stable, [PATCH], nobody addressed but the
  user's --to/--cc."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .paths import RELEASES

if TYPE_CHECKING:
    from .recipe import Step


KINDS = ("mainline", "stable", "vendor")
STABLE_LIST = "stable@vger.kernel.org"
_MAINTAINS = ("maintainer:", "supporter:", "odd fixer:")     # get_maintainer.pl roles a patch is To


@dataclass(frozen=True)
class Target:
    kind: str
    why: str                 # how the kind was chosen, for the first line of output
    release: str             # "6.1": the x.y of the tree
    to: tuple = ()           # --to, --cc: always added
    cc: tuple = ()
    auto: bool = True        # False: --no-auto-cc

    @property
    def prefix(self) -> str:
        return f"PATCH {self.release}" if self.kind == "stable" else "PATCH"

    @property
    def backport(self) -> bool:
        return self.kind in ("stable", "vendor")


def choose(version: str, given: str | None = None,
           newest: tuple[int, ...] | None = None) -> tuple[str, str]:
    """(kind, why) for a tree of `version` ("6.1.192", "6.13-rc2",
    "5.4.0-vendor"): --for when given; a -rc or a release newer than
    `newest` (the newest the toolkit knows) is mainline; another
    EXTRAVERSION is a vendor's; a released x.y or x.y.z is stable."""
    if given:
        return given, "chosen with --for"
    m = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?(.*)$", version or "")
    if not m:
        return "vendor", f"version {version!r} is not one of a kernel release"
    extra, xy = m.group(4), (int(m.group(1)), int(m.group(2)))
    if re.fullmatch(r"-rc\d+", extra):
        return "mainline", f"Linux {version} is a release candidate"
    if extra:
        return "vendor", f"Linux {version} carries EXTRAVERSION {extra!r}: a vendor's tree"
    if newest and xy > newest:
        return "mainline", f"Linux {version} is newer than the releases the toolkit knows"
    return "stable", f"Linux {version} is a release: its {xy[0]}.{xy[1]}.y stable tree"


def for_tree(version: str, given: str | None = None, to: Iterable[str] = (), cc: Iterable[str] = (),
             auto: bool = True) -> Target:
    """The Target of a tree of `version`: --for when given, else choose()'s."""
    kind, why = choose(version, given, newest_known())
    return Target(kind, why, release_of(version), tuple(to), tuple(cc), auto)


def release_of(version: str) -> str:
    m = re.match(r"^(\d+\.\d+)", version or "")
    return m.group(1) if m else version


def recipients(target: Target, listed: list[tuple[str, str]], sections: Iterable[str],
               authors: Iterable[str]) -> dict[str, list[str]]:
    """{"to": [...], "cc": [...]} of one patch. listed: get_maintainer.pl's
    [(who, role)]; sections: the MAINTAINERS sections its step addresses;
    authors: of the upstream commits it makes again."""
    to, cc = [], []
    if target.auto and target.kind == "mainline":
        named = [
            w for w, role in listed if _section(role) in sections and role.startswith(_MAINTAINS)
        ]
        if not named:  # a tree whose MAINTAINERS lacks the sections: its maintainers
            named = [w for w, role in listed if role.startswith(_MAINTAINS)]
        to, cc = named, [w for w, _ in listed if w not in named]
    elif target.auto and target.kind == "stable":
        to, cc = [STABLE_LIST], list(authors)
    to = _unique(to + list(target.to))
    return {"to": to, "cc": [w for w in _unique(cc + list(target.cc)) if w not in to]}


def _section(role):
    """"maintainer:DMA MAPPING HELPERS" -> "DMA MAPPING HELPERS"."""
    return role.split(":", 1)[1].strip() if ":" in role else ""


def _unique(items):
    return list(dict.fromkeys(items))


def newest_known(path: Path = RELEASES) -> tuple[int, ...] | None:
    """(x, y) of the newest release of the sweep's release list."""
    releases = tomllib.loads(path.read_text()).get("release", [])
    return max((tuple(int(n) for n in r["release"].split(".")) for r in releases), default=None)


@dataclass(frozen=True)
class Credit:
    """Who a step's commits are by, and what their message says of where they come from."""
    author: str | None = None        # "Name <email>" when not the user
    head: tuple = ()                 # lines before the changelog ("commit <sha> upstream.")
    notes: tuple = ()                # paragraphs after it
    tags: tuple = ()                 # Fixes:, Link:, the upstream Signed-off-by


def attribution(step: Step, target: Target, done: set[str]) -> Credit:
    """The Credit of a step's commits for the target; done: the names of
    the steps the tree had already done before the series. A backport
    keeps the upstream author where the recipe records the author's
    Signed-off-by (seen on the upstream commit or its mail), and names
    them otherwise."""
    up = step.upstream[0] if step.upstream else None
    head: list[str] = []
    notes: list[str] = []
    tags: list[str] = []
    author = None
    if step.upstream_note:
        notes.append(step.upstream_note[0].upper() + step.upstream_note[1:] + ".")
    if target.backport and up:
        head = [f"commit {up.commit} upstream.", ""]
        by = "" if up.signed_off else f"Upstream commit by {up.author}. "
        notes.append(
            f"[ {by}Made on this tree by the semantic patch below rather than cherry-picked; "
            "the changelog is this series' own. ]"
        )
        tags += [f"Link: {up.link}"] if up.link else []
        if up.signed_off:
            author = up.author
            tags.append(f"Signed-off-by: {up.author}")
    if step.fixes and step.fixes.when_done in done:
        tags.insert(0, step.fixes.fixes_line)
    return Credit(author, tuple(head), tuple(notes), tuple(tags))
