# SPDX-License-Identifier: GPL-2.0-or-later
#
# pkg-config, asked by each binary for its own libraries.
#
#   $(call pkg,--cflags|--libs,PACKAGES)
#       pkg-config's answer for PACKAGES, asked once per make run and only
#       when a recipe that needs it runs: after `make deps` in `make deps
#       report` has installed pkg-config and the libraries, and never for a
#       binary that is not being built (kvmmmu-report builds without the
#       HTML page's cairo and Graphviz).  When pkg-config cannot answer, its
#       own words go to stderr and make stops there, naming the target, the
#       pkg-config packages missing and the Debian packages that have them,
#       before any compiler reports a missing header.
#
# PKG_CONFIG names another pkg-config (a cross one, or a test's).
PKG_CONFIG ?= pkg-config

pkg_empty :=
pkg_space := $(pkg_empty) $(pkg_empty)

# The Debian package holding each pkg-config file the build asks for.
pkg_deb.glib-2.0 := libglib2.0-dev
pkg_deb.libdw := libdw-dev
pkg_deb.libelf := libelf-dev
pkg_deb.cairo := libcairo2-dev
pkg_deb.libgvc := libgraphviz-dev

pkg_key = pkg_answer.$(subst $(pkg_space),.,$(strip $1 $2))
pkg = $(if $(filter undefined,$(origin $(pkg_key))),$(eval $(pkg_key) := $$(call pkg_ask,$1,$2)))$($(pkg_key))

# .SHELLSTATUS is that of the $(shell) just before it, left to right.
pkg_ask = $(shell $(PKG_CONFIG) $1 $2)$(if $(filter 0,$(.SHELLSTATUS)),,$(call pkg_fail,$2))
pkg_missing = $(foreach p,$1,$(if $(shell $(PKG_CONFIG) --exists $p && echo yes),,$p))
pkg_fail = $(if $(shell command -v $(PKG_CONFIG)),$(call pkg_fail_named,$(strip $(or $(call pkg_missing,$1),$1))),$(error \
	$@ needs $(PKG_CONFIG), which is not installed (Debian: pkg-config; `make deps` installs every package the build needs)))
pkg_fail_named = $(error $@ needs $1, which $(PKG_CONFIG) does not find\
	(Debian: $(foreach p,$1,$(or $(pkg_deb.$p),$p)); `make deps` installs every package the build needs)$(if \
	$(filter $(REPORT_PKGS),$1),,; `make $(B)/kvmmmu-report` builds the report without them))

# make check-light-build: tests/build/check-light-build.sh, kvmmmu-report
# built afresh in $(B)/check-light with pkg-config and (as root) the
# compiler seeing neither cairo nor Graphviz, then run; and
# kvmmmu-report-html refused there with the message above.  A build of its
# own, so not part of make check.
.PHONY: check-light-build
check-light-build:
	@OUT=$(B)/check-light tests/build/check-light-build.sh
