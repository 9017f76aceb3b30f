# SPDX-License-Identifier: GPL-2.0-or-later
#
# kvmmmu-report asks the debuginfod servers of $DEBUGINFOD_URLS for the
# DWARF of a trace's build-id when no local place has it
# (src/dwarf/debuginfod.c, through libdebuginfod.so.1, opened when needed).
#
#   make check-debuginfod [CHECK_DEBUGINFOD_KERNEL=bookworm] [CHECK_DEBUGINFOD_DEB=kvm|dbg]
#       tests/debuginfod/check-debuginfod.sh: elfutils' debuginfod indexes a
#       .deb holding that kernel line's kvm.ko with DWARF (dbg: the cached
#       -dbg package itself, minutes to index) and serves it on 127.0.0.1 in
#       a network namespace of its own; walks --tree and check on a bundled
#       trace decode with what it serves.  Ends with "check-debuginfod: N
#       passed, N failed"; exit 3 when the Debian archive could not give
#       the kernel.  Not part of make check: it fetches a kernel.

# debuginfod indexes .deb archives with bsdtar; ip brings up the
# namespace's loopback; libdebuginfod-dev's header checks the calls
# src/dwarf/debuginfod.c declares itself.
DEB_PACKAGES += debuginfod libarchive-tools iproute2 libdebuginfod1 libdebuginfod-dev

CHECK_DEBUGINFOD_KERNEL ?= bookworm

.PHONY: check-debuginfod
check-debuginfod: $(B)/kvmmmu-report
	@OUT=$(B)/check-debuginfod CHECK_DEBUGINFOD_KERNEL=$(CHECK_DEBUGINFOD_KERNEL) \
		tests/debuginfod/check-debuginfod.sh
