# kvmmmu - SystemTap tapsets for the KVM x86 shadow MMU and a report generator.
# SPDX-License-Identifier: GPL-2.0-or-later

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR  ?= $(DATADIR)/man
# stap looks in its own tapset directory without -I (SYSTEMTAP_TAPSET or -I for others).
TAPSETDIR ?= /usr/share/systemtap/tapset
SCRIPTDIR ?= $(DATADIR)/kvmmmu/scripts

# Downloads (kernel packages) are cached here, outside the work tree, and reused.
KVMMMU_CACHE ?= $(HOME)/.cache/kvmmmu
export KVMMMU_CACHE

CC      ?= gcc
# The libraries of every command; mk/html.mk adds those of the HTML page,
# which only kvmmmu-report-html links (src/cli/html-exec.c says why).
BASE_PKGS := glib-2.0 libdw
PKGS    := $(BASE_PKGS)
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
# '=' not ':=': pkg-config runs when a rule needs it, after `make deps` in
# `make deps report` has installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
BASE_LIBS  = $(shell pkg-config --libs $(BASE_PKGS) 2>/dev/null)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -Isrc $(PKG_CFLAGS) -MMD -MP

SHELL := /bin/bash
B := build

# Every Debian package the project needs to build, test and capture.
DEB_PACKAGES := gcc make pkg-config libglib2.0-dev libdw-dev libelf-dev \
	systemtap diffutils json-glib-tools time gawk graphviz

all: $(B)/kvmmmu-report

include mk/report.mk
-include mk/tapsets.mk
-include mk/lab.mk
include mk/fuzz.mk
include mk/sanitize.mk
include mk/bench.mk
include mk/html.mk

.PHONY: all clean deps
clean:
	rm -rf $(B) report

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps: all installed"; fi

.PHONY: install
install: $(B)/kvmmmu-report $(B)/kvmmmu-report-html
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(TAPSETDIR) $(DESTDIR)$(SCRIPTDIR)
	install -m 755 $(B)/kvmmmu-report $(B)/kvmmmu-report-html $(DESTDIR)$(BINDIR)/
	install -m 644 docs/kvmmmu-report.1 $(DESTDIR)$(MANDIR)/man1/
	@for f in tapsets/*.stp tapsets/*.stpm; do [ -f "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(TAPSETDIR)/ || true; done
	@for f in scripts/*.stp; do [ -f "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(SCRIPTDIR)/ || true; done
