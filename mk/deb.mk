# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian packages (debian/): kvmmmu (the report tools, the man page, the
# scripts in /usr/share/kvmmmu) and systemtap-kvmmmu (the tapsets in
# /usr/share/systemtap/tapset, where stap finds them without -I).
#
#   make check-deb [CHECK_DEB_KERNEL=bookworm]
#       tests/deb/check-deb.sh, as root: dpkg-buildpackage -us -uc -b from a
#       clean copy of the tree in $(B)/check-deb, lintian with no error, both
#       packages installed into this machine with dpkg, the installed
#       kvmmmu-report run on a bundled trace, stap -p2 of kvmmmu.zap_step and
#       of every installed script with no -I against that kernel line's
#       files (tests/kernel/fetch-kernel.sh, cached in $(KVMMMU_CACHE)), then
#       both purged.  Ends with "check-deb: N passed, N failed".  Not part of
#       make check: it installs into the machine.

DEB_PACKAGES += debhelper dpkg-dev lintian

CHECK_DEB_KERNEL ?= bookworm

.PHONY: check-deb
check-deb:
	@OUT=$(B)/check-deb CHECK_DEB_KERNEL=$(CHECK_DEB_KERNEL) tests/deb/check-deb.sh
