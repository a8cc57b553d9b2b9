# Front door of the treewide toolkit. See README.md.
#   make deps                  install the Debian packages (as root)
#   make apply [KSRC=DIR]      rewrite a kernel tree in place (default: Debian 6.1 source)
#   make series [KSRC=DIR] [OUT=DIR] [SIGNOFF='Name <email>'] [FORCE=1]
#                              the patch series, cover letter, report (default: Debian 6.1 source)
#   make report OUT=DIR        render report.md/html of a series again
#   make range-diff OLD=DIR NEW=DIR   how a series changed between two runs
#   make matrix [KSRC=DIR] [ARCHES=a,b] [CELLS=a,b] [SHARD=i/N] [FULL=1|CHECK_SELECTION=1] [LINK=1] [OUT=DIR]
#                              build-test every arch x config cell, baseline vs patched
#   make matrix-merge OUT=DIR SHARDS="dir1 dir2"   merge shard outputs
#   make boot [KSRC=DIR] [ARCHES=a,b] [MACHINES=a,b] [OUT=DIR] [BOOT_TIMEOUT=S]
#                              boot small baseline and patched kernels under QEMU, DMA test
#   make sweep [TREES="dir1 dir2"] [OUT=DIR]   the recipe as a dry run over many trees,
#                              against scripts/data/sweep.toml (default: the Debian trees and
#                              every linux-* folder of $TREEWIDE_TREES)
#   make bench-apply [KSRC=DIR]  time apply per step (dry run: the tree is not written)
#   make bench-series [KSRC=DIR] time whole series runs
#   make bench-boot [KSRC=DIR] [MACHINES=a,b] [OUT=DIR]  boot build and boot times, cold and warm
#   make bench-matrix [KSRC=DIR] [CELLS=a,b] [FULL_CELL=parisc|none] [FULL_FROM=DIR] [OUT=DIR] [SERIES=DIR]
#                              matrix cold/warm times, selection vs a full build;
#                              SERIES: every commit of that series built too
#   make build-check [KSRC=DIR] [PATCHED=DIR] [CELLS=arm,arm64]
#                              build touched objects unpatched and patched, compare
#   make test                  all tests

PYTHON   ?= /usr/bin/python3
TREEWIDE := $(PYTHON) scripts/treewide
OUT      ?=
JOBS     ?= $(shell nproc)
# A tree ci/kernel-tree unpacks; make stops if it cannot (its reason is printed above).
kernel_tree = $(or $(shell ci/kernel-tree $(1)),$(error ci/kernel-tree $(1) gave no tree))
ksrc      = $(if $(KSRC),$(KSRC),$(call kernel_tree,6.1 work))
outflag   = $(if $(OUT),--out "$(OUT)")
comma    := ,

.PHONY: deps deps-kernel deps-cross deps-boot boot apply sweep series report range-diff bench-apply bench-series bench-boot bench-report bench-matrix build-check matrix matrix-merge test test-smpl test-scripts test-overlay test-trees test-sweep test-matrix test-boot

deps:
	ci/install-deps core test build

deps-kernel:
	ci/install-deps kernel-sources

deps-cross:
	ci/install-deps cross

deps-boot:
	ci/install-deps boot
	ci/xen-hypervisor >/dev/null

apply:
	$(TREEWIDE) apply -j $(JOBS) $(outflag) "$(ksrc)"

sweep:
	$(TREEWIDE) sweep -j $(JOBS) --out "$(if $(OUT),$(OUT),out/sweep)" --expect scripts/data/sweep.toml \
		$(if $(TREES),$(TREES),"$(call kernel_tree,6.1)" "$(call kernel_tree,6.12)" $(wildcard $(TREEWIDE_TREES)/linux-*))

matrix:
	$(TREEWIDE) matrix -j $(JOBS) $(outflag) $(foreach c,$(subst $(comma), ,$(CELLS)),--cell $(c)) \
		$(foreach a,$(subst $(comma), ,$(ARCHES)),--arch $(a)) \
		$(if $(SHARD),--shard $(SHARD)) $(if $(FULL),--full) $(if $(CHECK_SELECTION),--check-selection) \
		$(if $(CELL_TIMEOUT),--cell-timeout $(CELL_TIMEOUT)) $(if $(LINK),--link) $(if $(EACH_COMMIT),--each-commit) \
		$(if $(NO_SPARSE),--no-sparse) $(if $(NO_CODE),--no-code) $(if $(RANGE),--range "$(RANGE)") $(if $(GIT),--git "$(GIT)") "$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

matrix-merge:
	$(TREEWIDE) matrix-merge "$(OUT)" $(SHARDS)

boot:
	$(TREEWIDE) boot -j $(JOBS) $(outflag) $(foreach m,$(subst $(comma), ,$(MACHINES)),--machine $(m)) \
		$(foreach a,$(subst $(comma), ,$(ARCHES)),--arch $(a)) $(if $(BOOT_TIMEOUT),--timeout $(BOOT_TIMEOUT)) \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

series:
	$(TREEWIDE) series -j $(JOBS) $(outflag) $(if $(SIGNOFF),--signoff "$(SIGNOFF)") $(if $(FORCE),--force) \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

report:
	$(TREEWIDE) report "$(OUT)"

range-diff:
	$(TREEWIDE) range-diff "$(OLD)" "$(NEW)"

bench-apply:
	$(TREEWIDE) bench-apply -j $(JOBS) "$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

bench-series:
	$(TREEWIDE) bench-series -j $(JOBS) "$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

# Boot machines: cold, warm-ccache and rerun build and boot times per tree.
bench-boot:
	$(TREEWIDE) bench-boot -j $(JOBS) $(outflag) $(foreach m,$(subst $(comma), ,$(MACHINES)),--machine $(m)) \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

# Size of a series' review page, its render time and its load time in Chromium.
bench-report:
	$(TREEWIDE) bench-report "$(OUT)"

# Cold, warm and fresh-directory matrix times, then one cell built whole
# (FULL_CELL=none skips it). About an hour on 2 cores for every cell.
bench-matrix:
	$(TREEWIDE) bench-matrix -j $(JOBS) $(outflag) $(foreach c,$(subst $(comma), ,$(CELLS)),--cell $(c)) \
		$(if $(FULL_CELL),--full-cell $(FULL_CELL)) $(if $(FULL_FROM),--full-from "$(FULL_FROM)") \
		$(if $(LINK),--link) $(if $(NO_SPARSE),--no-sparse) $(if $(SERIES),--series "$(SERIES)") \
		"$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"

test: test-smpl test-scripts test-overlay test-trees test-sweep test-matrix test-boot

test-smpl:
	$(PYTHON) -m unittest -v scripts/tests/test_fixtures.py

test-scripts:
	cd scripts && $(PYTHON) -m unittest -v tests.test_cpp_tidy tests.test_recipe tests.test_apply tests.test_hostile tests.test_buildcheck tests.test_linkrefs tests.test_report tests.test_select tests.test_jobserver tests.test_spatch tests.test_each_commit

test-overlay:
	$(MAKE) -C kernel-overlay/tests BUILD="$(CURDIR)/out/overlay-tests" test

test-sweep:
	cd scripts && $(PYTHON) -m unittest -v tests.test_sweep

test-matrix:
	cd scripts && $(PYTHON) -m unittest -v tests.test_matrix

# Real kernels under QEMU: the initramfs and /init on the host, then Debian
# 6.1 booted on x86_64 baseline and patched, and a run-time DMA breakage caught.
test-boot:
	cd scripts && TREEWIDE_BOOT_TESTS=1 $(PYTHON) -m unittest -v tests.test_boot

test-trees:
	cd scripts && $(PYTHON) -m unittest -v tests.test_debian_trees tests.test_overlay tests.test_series

# Build the objects the Xen overlay touches (arm, arm64) before and after.
build-check:
	$(TREEWIDE) build-check -j $(JOBS) $(outflag) $(if $(PATCHED),--patched "$(PATCHED)") \
		$(foreach c,$(subst $(comma), ,$(CELLS)),--cell $(c)) "$(if $(KSRC),$(KSRC),$(call kernel_tree,6.1))"
