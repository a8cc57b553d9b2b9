"""Object code compared per function: objdump of an object in two trees,
cached by the objects' size and mtime."""

import json
import re
import subprocess
from pathlib import Path

from .errors import ToolError
from .txn import write_atomic


def _stat(path: Path) -> list[int] | None:
    st = path.stat()
    return [st.st_mtime_ns, st.st_size]


# -r: in an object not yet linked, a call or a load shows its target only as a
# relocation; without it a call to another function disassembles the same.
OBJDUMP = ["-d", "-r", "--no-show-raw-insn"]


def functions(objdump: str, obj: Path) -> dict[str, str]:
    """{function: normalised disassembly, relocations included} of one object."""
    r = subprocess.run([objdump, *OBJDUMP, str(obj)], capture_output=True, text=True,
                       errors="replace", check=False)
    if r.returncode != 0:
        raise ToolError(
            f"{objdump} failed on {obj}: {(r.stderr.strip().splitlines() or ['?'])[-1]}",
            "check that the cross binutils are installed and the object is not truncated",
        )
    funcs: dict[str, list[str]] = {}
    cur = None
    for line in r.stdout.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
        elif cur is not None and line.strip():
            body = re.sub(r"^\s*[0-9a-f]+:\s*", "", line)
            body = re.sub(r"\b[0-9a-f]+ <([^>]+)>", r"<\1>", body)
            cur.append(body)
    return {k: "\n".join(v) for k, v in funcs.items()}


def compare_code(objdump: str, base_out: Path, patched_out: Path, objs: list[str],
                 cache: Path | None = None) -> list[str]:
    """Functions whose code differs, per object; an object objdump cannot
    read is a difference. cache (a JSON file) keeps the answer for object
    pairs that did not change since the last run with the same objdump flags."""
    old = json.loads(cache.read_text()) if cache and cache.is_file() else {}
    new, differs = {}, []
    for o in objs:
        key = [_stat(base_out / o), _stat(patched_out / o), OBJDUMP]
        if old.get(o, {}).get("key") == key:
            diff = old[o]["differs"]
        else:
            try:
                a, b = functions(objdump, base_out / o), functions(objdump, patched_out / o)
                diff = [fn for fn in sorted(set(a) | set(b)) if a.get(fn) != b.get(fn)]
            except ToolError as e:
                diff = [f"(not compared: {e.cause})"]
        new[o] = {"key": key, "differs": diff}
        differs += [f"{o}: {fn}" for fn in diff]
    if cache:
        write_atomic(cache, json.dumps(new))
    return differs
