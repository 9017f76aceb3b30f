# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tapsets and scripts: parse checks, build checks against Debian kernels, and
# compiling a script into a module for a kernel that is not running.
#
#   make check-tapsets-parse
#       stap -p1 on every tapset and script (no kernel package needed; part
#       of `make check`).
#
#   make check-tapsets [KVER="6.1.0-56-amd64 6.12.117+deb12-amd64"]
#       stap -p4 of every script and tests/buildok/*.stp for each KVER (the
#       default is TAPSET_KVERS below).  Kernel packages are fetched from the
#       Debian archive into $(KVMMMU_CACHE) and reused; one PASS/FAIL line per
#       script per kernel; fails when any build fails or a kernel cannot be
#       fetched.
#
#   make tapset-module KVER=6.1.0-56-amd64 SCRIPT=scripts/zap_unsync.stp OUT=dir [NAME=zap_unsync]
#       compile SCRIPT into OUT/NAME.ko for KVER (NAME defaults to the
#       script's base name) with
#           stap -p4 -r $(KVMMMU_CACHE)/KVER/build -R $(KVMMMU_CACHE)/KVER/runtime \
#                -I tapsets -m NAME SCRIPT
#       Run it on that kernel with `staprun -o FILE OUT/NAME.ko [global=value ...]`
#       (script globals are module parameters: duration_s=10, interval_ms=500).
#
#   tests/kernel/fetch-kernel.sh KVER
#       what the two targets above call first: makes $(KVMMMU_CACHE)/KVER/
#       (boot/, modules/, dbg/, build/, runtime/; see the script) and prints
#       its path.

TAPSET_KVERS ?= 6.1.0-56-amd64 6.12.117+deb12-amd64
STAP ?= stap

TAPSET_FILES := $(wildcard tapsets/*.stp)
TAPSET_SCRIPTS := $(wildcard scripts/*.stp)
TAPSET_BUILDOK := $(wildcard tests/buildok/*.stp)

.PHONY: check-tapsets-parse check-tapsets tapset-module

# stap -p1 needs no kernel, but it reads the .config, Module.symvers and
# kernel.release of a build tree: a fake empty one stands in.  Tapset files
# cannot be run as scripts: stap parses them all with any script and warns
# 'tapset "FILE" has errors' for a broken one.
check-tapsets-parse:
	@command -v $(STAP) >/dev/null || { echo "check-tapsets-parse: $(STAP) not found (make deps)"; exit 1; }
	@pass=0; fail=0; tmp=$$(mktemp -d); \
	touch $$tmp/.config $$tmp/Module.symvers; mkdir -p $$tmp/include/config; \
	echo 6.1.0-0-amd64 > $$tmp/include/config/kernel.release; \
	$(STAP) -p1 -r $$tmp -I tapsets -e 'probe never {}' >/dev/null 2>$$tmp/tapsets.err; \
	for f in $(TAPSET_FILES); do \
		if grep -q "\"$$f\" has errors" $$tmp/tapsets.err; then \
			echo "FAIL p1 $$f"; sed 's/^/    /' $$tmp/tapsets.err; fail=$$((fail + 1)); \
		else pass=$$((pass + 1)); fi; \
	done; \
	for f in $(TAPSET_SCRIPTS) $(TAPSET_BUILDOK); do \
		if $(STAP) -p1 -r $$tmp -I tapsets $$f >/dev/null 2>$$tmp/err && \
		   ! grep -q 'has errors' $$tmp/err; then \
			pass=$$((pass + 1)); \
		else \
			echo "FAIL p1 $$f"; sed 's/^/    /' $$tmp/err; fail=$$((fail + 1)); \
		fi; \
	done; \
	rm -rf $$tmp; \
	echo "check-tapsets-parse: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

check-tapsets:
	@tests/kernel/check-tapsets.sh $(if $(KVER),$(KVER),$(TAPSET_KVERS))

tapset-module:
	@[ -n "$(KVER)" ] && [ -n "$(SCRIPT)" ] && [ -n "$(OUT)" ] || \
		{ echo "usage: make tapset-module KVER=... SCRIPT=scripts/NAME.stp OUT=DIR [NAME=...]"; exit 2; }
	@tests/kernel/stap-module.sh "$(KVER)" "$(SCRIPT)" "$(OUT)" $(NAME)
