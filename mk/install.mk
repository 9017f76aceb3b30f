# SPDX-License-Identifier: GPL-2.0-or-later
#
#   make install [PREFIX=/usr/local] [DESTDIR=...]
#       the three binaries, the man pages, the tapsets into
#       $(DATADIR)/systemtap/tapset and the scripts (executable: they start
#       with #!/usr/bin/env stap) into $(DATADIR)/kvmmmu/scripts.  stap
#       finds tapsets without -I only in its own directory,
#       /usr/share/systemtap/tapset, which is this one with PREFIX=/usr (the
#       Debian package); under any other PREFIX, give stap
#       `-I $(PREFIX)/share/systemtap/tapset` (README.md, Install).
#   make uninstall [PREFIX=...] [DESTDIR=...]
#       removes exactly the files install put there, and kvmmmu's own
#       directories once empty (not bin/, man1/ or systemtap/tapset/,
#       which are shared).
#   make check-install
#       tests/run-install.sh (part of make check): install into a scratch
#       DESTDIR, the files and their modes, the installed report run on a
#       bundled trace, uninstall, nothing left.

BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
TAPSETDIR  ?= $(DATADIR)/systemtap/tapset
PKGDATADIR ?= $(DATADIR)/kvmmmu
SCRIPTDIR  ?= $(PKGDATADIR)/scripts

INSTALL_BINS    := kvmmmu-report kvmmmu-report-html kvmmmu
INSTALL_MANS    := docs/kvmmmu-report.1 docs/kvmmmu.1
INSTALL_TAPSETS := $(wildcard tapsets/*.stp tapsets/*.stpm)
INSTALL_SCRIPTS := $(wildcard scripts/*.stp)

.PHONY: install uninstall check-install
install: $(INSTALL_BINS:%=$(B)/%)
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(TAPSETDIR)' '$(DESTDIR)$(SCRIPTDIR)'
	install -m 755 $(INSTALL_BINS:%=$(B)/%) '$(DESTDIR)$(BINDIR)/'
	install -m 644 $(INSTALL_MANS) '$(DESTDIR)$(MANDIR)/man1/'
	install -m 644 $(INSTALL_TAPSETS) '$(DESTDIR)$(TAPSETDIR)/'
	install -m 755 $(INSTALL_SCRIPTS) '$(DESTDIR)$(SCRIPTDIR)/'

uninstall:
	rm -f $(INSTALL_BINS:%='$(DESTDIR)$(BINDIR)/%') \
	  $(foreach f,$(INSTALL_MANS),'$(DESTDIR)$(MANDIR)/man1/$(notdir $f)') \
	  $(foreach f,$(INSTALL_TAPSETS),'$(DESTDIR)$(TAPSETDIR)/$(notdir $f)') \
	  $(foreach f,$(INSTALL_SCRIPTS),'$(DESTDIR)$(SCRIPTDIR)/$(notdir $f)')
	@for d in '$(DESTDIR)$(SCRIPTDIR)' '$(DESTDIR)$(PKGDATADIR)'; do \
	  [ -d "$$d" ] || continue; \
	  if [ -z "$$(ls -A "$$d")" ]; then rmdir "$$d" || exit 1; \
	  else echo "uninstall: $$d kept: it holds files make install did not put there"; fi; done

check-install: $(INSTALL_BINS:%=$(B)/%)
	@KVMMMU_REPORT=$(B)/kvmmmu-report tests/run-install.sh
