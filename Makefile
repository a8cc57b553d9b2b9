# Front door of the treewide toolkit. See README.md.
#   make deps                  install the Debian packages (as root)
#   make apply [KSRC=DIR]      rewrite a kernel tree in place (default: Debian 6.1 source)
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

.PHONY: deps deps-kernel apply bench-apply build-check test test-smpl test-scripts test-overlay test-trees

deps:
	ci/install-deps core test build

deps-kernel:
	ci/install-deps kernel-sources

apply:
	$(TREEWIDE) apply -j $(JOBS) $(outflag) "$(ksrc)"

bench-apply:
	$(TREEWIDE) bench-apply -j $(JOBS) "$(ksrc)"

test: test-smpl test-scripts test-overlay test-trees

test-smpl:
	$(PYTHON) -m unittest -v scripts/tests/test_fixtures.py

test-scripts:
	cd scripts && $(PYTHON) -m unittest -v tests.test_cpp_tidy tests.test_recipe tests.test_apply tests.test_buildcheck

test-overlay:
	$(MAKE) -C kernel-overlay/tests BUILD="$(CURDIR)/out/overlay-tests" test

test-trees:
	cd scripts && $(PYTHON) -m unittest -v tests.test_debian_trees tests.test_overlay

# Build the objects the Xen overlay touches (arm, arm64) before and after.
build-check:
	$(TREEWIDE) build-check -j $(JOBS) $(outflag) $(if $(PATCHED),--patched "$(PATCHED)") \
		$(foreach c,$(subst $(comma), ,$(CELLS)),--cell $(c)) "$(if $(KSRC),$(KSRC),$$(ci/kernel-tree 6.1))"
