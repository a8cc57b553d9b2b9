"""Preprocessor clean-ups that spatch cannot express.

SmPL does not match #if/#else/#endif lines, so a rule can empty a
conditional block or make its branches identical but cannot remove the
directives. Two exact simplifications finish the job, and only for blocks
the rewrite changed (a block that was already like that stays):

- a conditional whose every branch is empty is removed;
- a conditional whose two branches are identical becomes that code.
"""

from __future__ import annotations

import re


_IF = re.compile(r"^\s*#\s*(if|ifdef|ifndef)\b")
_ELSE = re.compile(r"^\s*#\s*else\b")
_ELIF = re.compile(r"^\s*#\s*elif\b")
_ENDIF = re.compile(r"^\s*#\s*endif\b")


def _blocks(lines):
    """(start, else_or_None, end) of innermost conditionals without #elif."""
    stack, out = [], []
    for i, line in enumerate(lines):
        if _IF.match(line):
            stack.append([i, None, False, True])   # start, else, has_elif, innermost
        elif stack and _ELIF.match(line):
            stack[-1][2] = True
        elif stack and _ELSE.match(line):
            stack[-1][1] = i
        elif stack and _ENDIF.match(line):
            start, els, has_elif, innermost = stack.pop()
            if stack:
                stack[-1][3] = False
            if innermost and not has_elif:
                out.append((start, els, i))
    return out


def _simplified(lines, block):
    start, els, end = block
    first = lines[start + 1:els if els is not None else end]
    second = lines[els + 1:end] if els is not None else []
    blank = all(not line.strip() for line in first + second)
    if blank:
        return []
    if els is not None and first == second:
        return first
    return None


def tidy(before: str, after: str) -> str:
    """after, with conditionals the rewrite emptied or made two-faced folded."""
    old = set(_signature(before))
    lines = after.split("\n")
    for block in sorted(_blocks(lines), reverse=True):
        sig = "\n".join(lines[block[0]:block[2] + 1])
        if sig in old:
            continue
        new = _simplified(lines, block)
        if new is not None:
            lines[block[0]:block[2] + 1] = new
    return "\n".join(lines)


def _signature(text):
    lines = text.split("\n")
    return ["\n".join(lines[s:e + 1]) for s, _, e in _blocks(lines)]
