# kvmmmu - SystemTap tapsets for the KVM x86 shadow MMU and a report generator.
# SPDX-License-Identifier: GPL-2.0-or-later

PREFIX  ?= /usr/local
DESTDIR ?=

# Downloads (kernel packages) are cached here, outside the work tree, and reused.
KVMMMU_CACHE ?= $(HOME)/.cache/kvmmmu
export KVMMMU_CACHE

CC      ?= gcc
# Each binary asks pkg-config for its own libraries (mk/pkg.mk): kvmmmu-report
# for these alone; mk/html.mk adds those of the HTML page to HTML_PKGS, which
# only kvmmmu-report-html links (src/cli/html-exec.c says why).
REPORT_PKGS := glib-2.0 libdw
HTML_PKGS   := $(REPORT_PKGS)
# Every library: the unit tests, the generator and the fuzz targets link
# what both binaries do.
PKGS     = $(HTML_PKGS)
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
# '=' not ':=': pkg-config runs when a rule needs it, after `make deps` in
# `make deps report` has installed it.
PKG_CFLAGS = $(call pkg,--cflags,$(PKGS))
PKG_LIBS   = $(call pkg,--libs,$(PKGS))
# The compiler's flags with those of the pkg-config packages $1.
CFLAGS_FOR = -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -Isrc $(call pkg,--cflags,$1) -MMD -MP
ALL_CFLAGS = $(call CFLAGS_FOR,$(PKGS))

SHELL := /bin/bash
B := build

# Every Debian package the project needs to build, test and capture.
DEB_PACKAGES := gcc make pkg-config libglib2.0-dev libdw-dev libelf-dev \
	systemtap diffutils json-glib-tools time gawk graphviz \
	python3-prometheus-client tmux

all: $(B)/kvmmmu-report $(B)/kvmmmu-report-html $(B)/kvmmmu

include mk/pkg.mk
include mk/report.mk
-include mk/tapsets.mk
-include mk/lab.mk
include mk/fuzz.mk
include mk/sanitize.mk
include mk/bench.mk
include mk/html.mk
include mk/install.mk
include mk/deb.mk
include mk/debuginfod.mk

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

