# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tapsets and scripts: parse checks, build checks against Debian kernels, and
# compiling a script into a module for a kernel that is not running.
#
#   make check-tapsets-parse
#       the tapset checks that need no kernel package, part of `make check`
#       (tests/tapset-checks.sh): stap -p1 of every tapset and script, no
#       function open to unprivileged (stapusr) scripts (every one reads
#       kernel memory or module state), embedded C in kvmmmu_runtime.stp
#       only, tapsets/kvmmmu_format.stpm what records.h generates.
#
#   make tapset-format
#       write tapsets/kvmmmu_format.stpm again from src/format/records.h.
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

.PHONY: check-tapsets-parse check-tapsets tapset-module kernels

# The checks that need no kernel (tests/tapset-checks.sh, part of make
# check): stap -p1 of every tapset and script, no function open to stapusr,
# embedded C in kvmmmu_runtime.stp only, the generated format fresh.
check-tapsets-parse: $(B)/kvmmmu_format.stpm
	@tests/tapset-checks.sh $(B)/kvmmmu_format.stpm

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

# The reference part of docs/tapsets.md, from the tapsets' doc comments.
.PHONY: tapset-doc
tapset-doc:
	@{ sed '/^<!-- everything below is written by make tapset-doc -->$$/q' docs/tapsets.md; \
	   echo; tests/tapset-reference.sh; } > $(B)/tapsets.md.new && cat $(B)/tapsets.md.new > docs/tapsets.md
