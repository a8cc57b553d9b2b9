# Front door of the treewide toolkit. See README.md.
#   make deps                  install the Debian packages (as root)
#   make apply [KSRC=DIR]      rewrite a kernel tree in place (default: Debian 6.1 source)
#   make series [KSRC=DIR] [OUT=DIR] [SIGNOFF='Name <email>'] [FORCE=1]
#                              the patch series, cover letter, report (default: Debian 6.1 source)
#   make report OUT=DIR        render report.md/html of a series again
#   make range-diff OLD=DIR NEW=DIR   how a series changed between two runs
#   make bench-apply [KSRC=DIR]  time apply per step
#   make build-check [KSRC=DIR] [PATCHED=DIR] [CELLS=arm,arm64]
#                              build touched objects unpatched and patched, compare
#   make test                  all tests

PYTHON   ?= /usr/bin/python3
TREEWIDE := $(PYTHON) scripts/treewide
OUT      ?=
JOBS     ?= $(shell nproc)
ksrc      = $(if $(KSRC),$(KSRC),$$(ci/kernel-tree 6.1 work))
outflag   = $(if $(OUT),--out "$(OUT)")
comma    := ,

.PHONY: deps deps-kernel apply series report range-diff bench-apply build-check test test-smpl test-scripts test-overlay test-trees

deps:
	ci/install-deps core test build

deps-kernel:
	ci/install-deps kernel-sources

apply:
	$(TREEWIDE) apply -j $(JOBS) $(outflag) "$(ksrc)"

series:
	$(TREEWIDE) series -j $(JOBS) $(outflag) $(if $(SIGNOFF),--signoff "$(SIGNOFF)") $(if $(FORCE),--force) \
		"$(if $(KSRC),$(KSRC),$$(ci/kernel-tree 6.1))"

report:
	$(TREEWIDE) report "$(OUT)"

range-diff:
	$(TREEWIDE) range-diff "$(OLD)" "$(NEW)"

bench-apply:
	$(TREEWIDE) bench-apply -j $(JOBS) "$(ksrc)"

test: test-smpl test-scripts test-overlay test-trees

test-smpl:
	$(PYTHON) -m unittest -v scripts/tests/test_fixtures.py

test-scripts:
	cd scripts && $(PYTHON) -m unittest -v tests.test_cpp_tidy tests.test_recipe tests.test_apply tests.test_buildcheck tests.test_report

test-overlay:
	$(MAKE) -C kernel-overlay/tests BUILD="$(CURDIR)/out/overlay-tests" test

test-trees:
	cd scripts && $(PYTHON) -m unittest -v tests.test_debian_trees tests.test_overlay tests.test_series

# Build the objects the Xen overlay touches (arm, arm64) before and after.
build-check:
	$(TREEWIDE) build-check -j $(JOBS) $(outflag) $(if $(PATCHED),--patched "$(PATCHED)") \
		$(foreach c,$(subst $(comma), ,$(CELLS)),--cell $(c)) "$(if $(KSRC),$(KSRC),$$(ci/kernel-tree 6.1))"
