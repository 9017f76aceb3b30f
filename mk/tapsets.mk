# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tapsets and scripts: parse checks, build checks against Debian kernels, and
# compiling a script into a module for a kernel that is not running.
#
#   make check-tapsets-parse
#       stap -p1 on every tapset and script (no kernel package needed; part
#       of `make check`), and no tapset function is open to unprivileged
#       (stapusr) scripts: every one reads kernel memory or module state.
#
#   make check-tapsets [KERNEL="bookworm sid"] [KVER=6.1.0-56-amd64]
#       stap -p4 of every script and tests/buildok/*.stp for each kernel: the
#       lines KERNEL names (tests/kernel/lines; none: every line), each
#       resolved to the newest kernel ABI the Debian archive holds now, or
#       the exact ABIs KVER pins.  Each line builds with its own release's
#       systemtap and gcc (this machine's for bookworm and bookworm-6.12, a
#       chroot for the others).  Kernel packages and chroots are cached in
#       $(KVMMMU_CACHE) and made again when the archive moved; one PASS/FAIL
#       line per script per kernel, SKIP (with the archive's words) for a
#       kernel the archive no longer holds; fails when any build fails.
#
#   make kernels
#       what each line resolves to now, its systemtap, and whether its files
#       are cached (cached, stale: the archive moved, absent).
#
#   make tapset-module KERNEL=sid SCRIPT=scripts/zap_unsync.stp OUT=dir [NAME=zap_unsync]
#       compile SCRIPT into OUT/NAME.ko for that line's newest kernel (or
#       KVER=...; NAME defaults to the script's base name) with the line's
#       systemtap: stap -p4 -r $(KVMMMU_CACHE)/KVER/build \
#       -R $(KVMMMU_CACHE)/KVER/runtime -I tapsets -m NAME SCRIPT.
#       Run it on that kernel with that release's `staprun -o FILE OUT/NAME.ko
#       [global=value ...]` (script globals are module parameters:
#       duration_s=10, interval_ms=500).
#
#   tests/kernel/fetch-kernel.sh LINE|KVER
#       what the targets above call first: makes $(KVMMMU_CACHE)/KVER/
#       (boot/, modules/, dbg/, build/, runtime/; see the script) and prints
#       its path.

STAP ?= stap

# Every kernel line by name; KVER= pins exact kernel ABIs, KERNEL= picks lines.
KERNEL_LINES := $(shell tests/kernel/fetch-kernel.sh --lines)
KERNELS = $(if $(KVER),$(KVER),$(if $(KERNEL),$(KERNEL),$(KERNEL_LINES)))

DEB_PACKAGES += kmod xz-utils zstd patch mmdebstrap util-linux

TAPSET_FILES := $(wildcard tapsets/*.stp)
TAPSET_SCRIPTS := $(wildcard scripts/*.stp)
TAPSET_BUILDOK := $(wildcard tests/buildok/*.stp)

.PHONY: check-tapsets-parse check-tapsets tapset-module kernels

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
	if grep -n 'unprivileged' $(TAPSET_FILES) > $$tmp/marks; then \
		echo "FAIL tapsets mark functions unprivileged (they read kernel memory: stapdev only)"; \
		sed 's/^/    /' $$tmp/marks; fail=$$((fail + 1)); \
	else pass=$$((pass + 1)); fi; \
	if $(STAP) -p2 --privilege=stapusr -r $$tmp -I tapsets \
		-e 'probe begin { println(__kvmmmu_zap_gather(0, 0, 0, 0, 0, 0, 0)) }' >/dev/null 2>$$tmp/err || \
	   ! grep -q "function may not be used when --privilege=stapusr" $$tmp/err; then \
		echo "FAIL a stapusr script may call __kvmmmu_zap_gather (it reads kernel memory)"; \
		sed 's/^/    /' $$tmp/err; fail=$$((fail + 1)); \
	else pass=$$((pass + 1)); fi; \
	rm -rf $$tmp; \
	echo "check-tapsets-parse: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

check-tapsets:
	@tests/kernel/check-tapsets.sh $(KERNELS)

kernels:
	@printf '%-14s %-22s %-10s %-10s %s\n' line kernel toolchain systemtap cache; \
	for k in $(KERNELS); do \
		r=$$(tests/kernel/fetch-kernel.sh -n "$$k") || r="$$k ? ? ? (the archive could not answer)"; \
		printf '%-14s %-22s %-10s %-10s %s\n' $$r; \
	done

tapset-module:
	@[ -n "$(KVER)$(KERNEL)" ] && [ -n "$(SCRIPT)" ] && [ -n "$(OUT)" ] || \
		{ echo "usage: make tapset-module KERNEL=line|KVER=... SCRIPT=scripts/NAME.stp OUT=DIR [NAME=...]"; exit 2; }
	@tests/kernel/stap-module.sh "$(firstword $(KERNELS))" "$(SCRIPT)" "$(OUT)" $(NAME)
