# Front door of the treewide toolkit. `make help` lists the targets and
# their variables (from the `##` comments below); README.md and docs/ say more.
#
# Variables: KSRC=DIR (default: Debian's 6.1 source, unpacked into the cache),
# OUT=DIR, JOBS=N (default: nproc), PYTHON (default /usr/bin/python3).

PYTHON   ?= /usr/bin/python3
TREEWIDE := $(PYTHON) scripts/treewide
OUT      ?=
JOBS     ?= $(shell nproc)
# A tree ci/kernel-tree unpacks; make stops if it cannot (its reason is printed above).
kernel_tree = $(or $(shell ci/kernel-tree $(1)),$(error ci/kernel-tree $(1) gave no tree))
ksrc      = $(if $(KSRC),$(KSRC),$(call kernel_tree,6.1 work))
outflag   = $(if $(OUT),--out "$(OUT)")
comma    := ,


.DEFAULT_GOAL := help
.PHONY: $(shell sed -n 's/^\([a-z][a-z0-9-]*\):.*/\1/p' $(firstword $(MAKEFILE_LIST)))

## Everything the toolkit and its whole test suite need, as root (idempotent)
deps:
	ci/install-deps

## Every cross compiler of the arch table, for the whole build matrix
deps-cross:
	ci/install-deps cross

## Rewrite KSRC in place (default: a work copy of Debian 6.1); report in OUT
apply:
	$(TREEWIDE) apply -j $(JOBS) $(outflag) "$(ksrc)"

## The recipe as a dry run over TREES="dir..." against scripts/data/sweep.toml
sweep:
	$(TREEWIDE) sweep -j $(JOBS) --out "$(if $(OUT),$(OUT),out/sweep)" --expect scripts/data/sweep.toml \
		$(if $(TREES),$(TREES),"$(call kernel_tree,6.1)" "$(call kernel_tree,6.12)" $(wildcard $(TREEWIDE_TREES)/linux-*))

## Build-test every arch x config cell, baseline vs patched [CELLS= ARCHES= SHARD=i/N FULL=1 LINK=1 EACH_COMMIT=1 ...]
matrix:
	$(TREEWIDE) matrix -j $(JOBS) $(outflag) $(foreach c,$(subst $(comma), ,$(CELLS)),--cell $(c)) \
		$(foreach a,$(subst $(comma), ,$(ARCHES)),--arch $(a)) \
		$(if $(SHARD),--shard $(SHARD)) $(if $(FULL),--full) $(if $(CHECK_SELECTION),--check-selection) \
		$(if $(CELL_TIMEOUT),--cell-timeout $(CELL_TIMEOUT)) $(if $(LINK),--link) $(if $(EACH_COMMIT),--each-commit) \
		$(if $(NO_SPARSE),--no-sparse) $(if $(NO_CODE),--no-code) $(if $(RANGE),--range "$(RANGE)") $(if $(GIT),--git "$(GIT)") "$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

## Merge the matrix outputs of SHARDS="dir..." into OUT
matrix-merge:
	$(TREEWIDE) matrix-merge "$(OUT)" $(SHARDS)

## Boot baseline and patched kernels under QEMU and Xen, DMA test [MACHINES= ARCHES= BOOT_TIMEOUT= VIA=lava|lab LAVA_URL=]
boot:
	$(TREEWIDE) boot -j $(JOBS) $(outflag) $(foreach m,$(subst $(comma), ,$(MACHINES)),--machine $(m)) \
		$(if $(VIA),--via $(VIA)) $(if $(LAVA_URL),--lava-url $(LAVA_URL)) \
		$(foreach a,$(subst $(comma), ,$(ARCHES)),--arch $(a)) $(if $(BOOT_TIMEOUT),--boot-timeout $(BOOT_TIMEOUT)) \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

## The patch series of KSRC, with cover letter and review page, in OUT [SIGNOFF= FOR= FORCE=1]
series:
	$(TREEWIDE) series -j $(JOBS) $(outflag) $(if $(SIGNOFF),--signoff "$(SIGNOFF)") $(if $(FORCE),--force) \
		$(if $(FOR),--for $(FOR)) \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

## Render OUT/report.md and report.html of a series again
report:
	$(TREEWIDE) report "$(OUT)"

## A series' builds and tests as KCIDB v4 data, in OUT/kcidb.json
kcidb:
	$(TREEWIDE) kcidb "$(OUT)"

## How a series changed between two runs: OLD=dir NEW=dir
range-diff:
	$(TREEWIDE) range-diff "$(OLD)" "$(NEW)"

## Time apply per step on KSRC (a dry run)
bench-apply:
	$(TREEWIDE) bench-apply -j $(JOBS) "$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

## Time whole series runs on KSRC
bench-series:
	$(TREEWIDE) bench-series -j $(JOBS) "$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

## Boot machines' build and boot times, cold, warm ccache and rerun [VIA=lava: and through LAVA]
bench-boot:
	$(TREEWIDE) bench-boot -j $(JOBS) $(outflag) $(foreach m,$(subst $(comma), ,$(MACHINES)),--machine $(m)) \
		$(if $(filter lava,$(VIA)),--lava) \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

## A series' review page: size, render time, load time in Chromium (OUT=series)
bench-report:
	$(TREEWIDE) bench-report "$(OUT)"

## Matrix times cold, warm and warm-ccache, then one cell whole (FULL_CELL=none skips it)
bench-matrix:
	$(TREEWIDE) bench-matrix -j $(JOBS) $(outflag) $(foreach c,$(subst $(comma), ,$(CELLS)),--cell $(c)) \
		$(if $(FULL_CELL),--full-cell $(FULL_CELL)) $(if $(FULL_FROM),--full-from "$(FULL_FROM)") \
		$(if $(LINK),--link) $(if $(NO_SPARSE),--no-sparse) $(if $(SERIES),--series "$(SERIES)") \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

## The fast tier, before every commit: type check, rules, fixtures, the tool on small trees (no kernel tree)
check:
	$(MAKE) -s -C kernel-overlay/tests BUILD="$(CURDIR)/out/overlay-tests" test
	cd scripts && mypy treewide_lib
	cd scripts && $(PYTHON) -m tests.run -j $(JOBS) check

## Every test: check, then the Debian trees, the sweep, real builds and real boots
test: check
	cd scripts && $(PYTHON) -m tests.run -j $(JOBS) trees sweep matrix boot

## One tier of `make test`: the real Debian 6.1 and 6.12 trees (apply, series, overlay)
test-trees:
	cd scripts && $(PYTHON) -m tests.run -j $(JOBS) trees

## One tier of `make test`: the release sweep (every tree of TREEWIDE_TREES too)
test-sweep:
	cd scripts && $(PYTHON) -m tests.run sweep

## One tier of `make test`: real cross builds, baseline against patched
test-matrix:
	cd scripts && $(PYTHON) -m tests.run matrix

## One tier of `make test`: real kernels booted under QEMU and Xen
test-boot:
	cd scripts && $(PYTHON) -m tests.run boot

## This list
help:
	@awk '/^## /{h=substr($$0,4); next} /^[a-z][a-z0-9-]*:/{if(h!=""){sub(/:.*/,"",$$1); printf "  make %-14s %s\n",$$1,h}; h=""; next} {h=""}' $(MAKEFILE_LIST)
