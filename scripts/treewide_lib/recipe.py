"""The series recipe: ordered steps, their SmPL rules and old-form sites."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ToolError
from .paths import DEFAULT_RECIPE, OVERLAY_DIR


@dataclass(frozen=True)
class Query:
    """Which files of a tree something looks at: globs, less the excluded
    ones, holding the grep string and, where given, matching the `match`
    regex (a prefilter as precise as the rule's sites: spatch parses only
    files that can hold one)."""
    paths: tuple
    grep: str = ""
    exclude: tuple = ()
    match: re.Pattern | None = None


@dataclass(frozen=True)
class Pattern:
    """A regex over the files of a query: an old-form site, an expectation,
    or a condition (negate: it holds when nothing matches)."""
    query: Query
    regex: re.Pattern
    kind: str
    what: str
    negate: bool = False

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        return (self,)


@dataclass(frozen=True)
class AnyOf:
    """A condition that holds when one of its alternatives does (the shapes
    one arch may be in); the phrase names the alternative that held."""
    what: str
    alternatives: tuple

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        return self.alternatives


@dataclass(frozen=True)
class When:
    """A state of the tree that decides a step's status without running it."""
    status: str
    reason: str
    all: tuple
    evidence: tuple


@dataclass(frozen=True)
class Invariant:
    """Something no step may break: broken when all its conditions hold."""
    name: str
    what: str
    broken_when: tuple


@dataclass(frozen=True)
class Rule:
    smpl: Path
    query: Query


@dataclass(frozen=True)
class SkipIf:
    rule: Rule
    reason: str


@dataclass(frozen=True)
class Upstream:
    """An upstream commit a step makes again (a backport names it), or
    one it fixes (Fixes:, on a tree where step `when_done` was already done:
    the tree had the commit before the series)."""
    commit: str
    subject: str
    author: str = ""
    release: str = ""
    link: str = ""
    when_done: str = ""
    signed_off: bool = False        # the author's Signed-off-by was seen on it

    @property
    def fixes_line(self) -> str:
        return f'Fixes: {self.commit[:12]} ("{self.subject}")'


@dataclass
class Step:
    name: str
    subject: str
    changelog: str
    split_reason: str               # why the step is one commit, said in its changelog
    noop: bool
    gen_from: str = ""
    gen_to: str = ""
    pending: str = ""
    overlay: tuple = ()
    when: list = field(default_factory=list)
    sites: list = field(default_factory=list)
    expect: list = field(default_factory=list)
    rules: list = field(default_factory=list)
    skip_if: SkipIf | None = None
    upstream: tuple = ()            # Upstream commits the step makes again
    upstream_note: str = ""         # what upstream did instead, where no commit is recorded
    fixes: Upstream | None = None
    maintainers: tuple = ()         # MAINTAINERS sections a mainline patch is addressed To


@dataclass
class Virtual:
    """Defined for a rule when some file of the query matches `if_any`, or
    when none matches `unless` (with require_files, only if the query
    selects at least one file), or when every condition of `all` holds.
    A `capture` virtual is a value: the first group of the first match in
    the query's files, given to spatch as -D name=value (an SmPL
    `identifier virtual.name`); undefined when nothing matches."""
    name: str
    why: str
    query: Query | None
    unless: re.Pattern | None = None
    if_any: re.Pattern | None = None
    require_files: bool = True
    all: tuple = ()
    capture: re.Pattern | None = None


@dataclass
class Recipe:
    path: Path
    name: str
    title: str
    goal: str
    steps: list
    virtuals: list
    invariants: list = field(default_factory=list)
    series: dict = field(default_factory=dict)

    @property
    def final_generation(self) -> str:
        return next((s.gen_to for s in reversed(self.steps) if s.gen_to), "")


def _query(d, where):
    paths = d.get("paths")
    if not paths or not isinstance(paths, list):
        raise ToolError(f"{where}: no 'paths' list", "give the globs of the files it looks at")
    match = _regex(d["match"], where) if "match" in d else None
    return Query(tuple(paths), d.get("grep", ""), tuple(d.get("exclude", ())), match)


def _regex(text, where):
    try:
        return re.compile(text)
    except re.error as e:
        raise ToolError(f"{where}: bad regex ({e})", "fix the regex in the recipe") from e


def _rule(d, base, where):
    smpl = base / d["smpl"]
    if not smpl.is_file():
        raise ToolError(f"{where}: {smpl} does not exist", "fix the 'smpl' entry of the recipe")
    return Rule(smpl, _query(d, where))


def _pattern(d, where, kind_default="expected"):
    return Pattern(
        _query(d, where),
        _regex(d["regex"], where),
        d.get("kind", kind_default),
        d.get("what", d.get("kind", "")),
        bool(d.get("negate", False)),
    )


def _condition(d, where):
    """A condition of [[step.when.all]]: a pattern, or `any` of several."""
    if "any" not in d:
        return _pattern(d, where)
    if not d["any"]:
        raise ToolError(
            f"{where}: 'any' of {d.get('what', '?')} lists no alternative", "fix the recipe"
        )
    return AnyOf(d.get("what", ""), tuple(_pattern(c, f"{where} any") for c in d["any"]))


WHEN_STATUSES = ("already-done", "not-applicable")


def _when(d, where):
    if d.get("status") not in WHEN_STATUSES:
        raise ToolError(
            f"{where}: status must be one of {', '.join(WHEN_STATUSES)}",
            "fix the [[step.when]] entry",
        )
    return When(
        d["status"],
        d.get("reason", ""),
        tuple(_condition(c, f"{where} all") for c in d.get("all", [])),
        tuple(_pattern(c, f"{where} evidence") for c in d.get("evidence", [])),
    )


def _step(d, base):
    where = f"step {d.get('name', '?')}"
    if d.get("split", "none") != "none":
        raise ToolError(
            (
                f"{where}: split = {d['split']!r}: a step is one commit (a tree between the parts"
                " of a step would not build)"
            ),
            "leave `split` out, and make two steps if two commits are meant",
        )
    step = Step(
        name=d["name"],
        subject=d["subject"],
        changelog=d.get("changelog", "").strip(),
        split_reason=d.get("split_reason", ""),
        noop=bool(d.get("noop", False)),
        gen_from=d.get("from", ""),
        gen_to=d.get("to", ""),
        pending=d.get("pending", ""),
        overlay=tuple(d.get("overlay", ())),
    )
    step.when = [_when(w, f"{where} when") for w in d.get("when", [])]
    step.upstream = tuple(_upstream(u, f"{where} upstream") for u in d.get("upstream", []))
    step.fixes = _upstream(d["fixes"], f"{where} fixes") if "fixes" in d else None
    step.upstream_note, step.maintainers = d.get("upstream_note", ""), tuple(
        d.get("maintainers", ())
    )
    for rel in step.overlay:
        if not (OVERLAY_DIR / rel).is_file():
            raise ToolError(f"{where}: overlay file {OVERLAY_DIR / rel} does not exist",
                            "fix the 'overlay' entry of the recipe")
    step.sites = [_pattern(s, f"{where} site") for s in d.get("sites", [])]
    step.expect = [_pattern(s, f"{where} expect") for s in d.get("expect", [])]
    step.rules = [_rule(r, base, f"{where} rule") for r in d.get("rules", [])]
    if "skip_if" in d:
        s = d["skip_if"]
        step.skip_if = SkipIf(_rule(s, base, f"{where} skip_if"), s["reason"])
    if not step.pending and not step.rules:
        raise ToolError(f"{where}: no rules", "add [[step.rules]] or mark the step 'pending'")
    return step


def _upstream(d, where):
    if not re.fullmatch(r"[0-9a-f]{40}", d.get("commit", "")) or not d.get("subject"):
        raise ToolError(
            f"{where}: an upstream commit needs its full 40-digit id and its subject",
            "look both up in the kernel's history and fix the recipe",
        )
    return Upstream(
        **{
            k: d[k]
            for k in ("commit", "subject", "author", "release", "link", "when_done", "signed_off")
            if k in d
        }
    )


def _virtual(name, d):
    where = f"virtual {name}"
    if sum(k in d for k in ("unless", "if_any", "all", "capture")) != 1:
        raise ToolError(f"{where}: give exactly one of 'unless', 'if_any', 'all' and 'capture'",
                        "fix the [virtuals] entry")
    if "all" in d:
        return Virtual(
            name, d.get("why", ""), None, all=tuple(_pattern(c, f"{where} all") for c in d["all"])
        )
    regex = {k: _regex(d[k], where) for k in ("unless", "if_any", "capture") if k in d}
    if "capture" in d and regex["capture"].groups != 1:
        raise ToolError(
            f"{where}: a capture regex needs exactly one group", "fix the [virtuals] entry"
        )
    return Virtual(
        name,
        d.get("why", ""),
        _query(d, where),
        require_files=bool(d.get("require_files", True)),
        **regex,
    )


def load(path: Path | str = DEFAULT_RECIPE) -> Recipe:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ToolError(
            f"recipe {path} not found", "pass an existing recipe with --recipe"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ToolError(
            f"recipe {path} cannot be read ({e.strerror if isinstance(e, OSError) else e})",
            "pass a readable recipe file with --recipe",
        ) from None
    except tomllib.TOMLDecodeError as e:
        raise ToolError(f"recipe {path} is not valid TOML ({e})", "fix its syntax") from e
    base = path.parent
    head = data.get("recipe", {})
    virtuals = [_virtual(name, v) for name, v in data.get("virtuals", {}).items()]
    steps = [_step(s, base) for s in data.get("step", [])]
    names = [s.name for s in steps]
    if len(set(names)) != len(names):
        raise ToolError(f"recipe {path} repeats a step name", "give every step its own name")
    invariants = [
        Invariant(
            i["name"],
            i.get("what", i["name"]),
            tuple(_pattern(c, f"invariant {i['name']}") for c in i.get("broken_when", [])),
        )
        for i in data.get("invariant", [])
    ]
    return Recipe(
        path,
        head.get("name", path.stem),
        head.get("title", ""),
        head.get("goal", ""),
        steps,
        virtuals,
        invariants,
        data.get("series", {}),
    )


def until(rec: Recipe, name: str) -> Recipe:
    """The recipe cut after step `name`."""
    names = [s.name for s in rec.steps]
    if name not in names:
        raise ToolError(f"no step '{name}' in recipe {rec.path}", f"choose from {', '.join(names)}")
    return Recipe(rec.path, rec.name, rec.title, rec.goal, rec.steps[:names.index(name) + 1],
                  rec.virtuals, rec.invariants, rec.series)
