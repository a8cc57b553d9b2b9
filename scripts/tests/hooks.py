"""Extract and normalise C function definitions, to compare two trees' hooks."""

import re

from treewide_lib.sites import code_only

TOKEN = re.compile(r"[A-Za-z_]\w*|\d\w*|->|&&|\|\||==|!=|[^\s\w]")


def definitions(text, name):
    """The text of every definition of function `name` (signature to closing brace)."""
    clean = code_only(text)
    out = []
    for m in re.finditer(r"(?m)^[^\n;{}#]*\b%s\s*\([^;{]*\)\s*\{" % re.escape(name), clean):
        depth, i = 0, m.end() - 1
        while i < len(clean):
            depth += {"{": 1, "}": -1}.get(clean[i], 0)
            if depth == 0:
                break
            i += 1
        out.append(clean[m.start():i + 1])
    return out


def tokens(code, drop=("const",)):
    """code as tokens, the given keywords left out."""
    return [t for t in TOKEN.findall(code) if t not in drop]


def body(defn):
    return defn[defn.index("{"):]


def signature(defn):
    return defn[:defn.index("{")]
