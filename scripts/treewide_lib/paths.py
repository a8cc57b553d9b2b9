"""Where the toolkit's own files are: every path into this checkout, in one place."""

from pathlib import Path

TOP = Path(__file__).resolve().parents[2]              # the checkout
TREEWIDE = TOP / "scripts" / "treewide"                # the command
DIAG_WRAPPER = TOP / "scripts" / "treewide-diag"       # the CC and CHECK wrapper of matrix builds
DATA = TOP / "scripts" / "data"
ARCHES = DATA / "arches.toml"
RELEASES = DATA / "sweep.toml"
SMPL_DIR = TOP / "semantic-patches"
DEFAULT_RECIPE = SMPL_DIR / "recipe.toml"
OVERLAY_DIR = TOP / "kernel-overlay"
INIT_C = OVERLAY_DIR / "boot" / "init.c"
PROBE_DIR = OVERLAY_DIR / "boot" / "probe"
