# SPDX-License-Identifier: GPL-2.0-or-later
#
# kernel-lib.sh - sourced by the kernel scripts of tests/kernel/: the kernel
# lines of tests/kernel/lines, an apt of each line's own (its suites, its
# lists, nothing of this machine's apt changed), and resolving a line to the
# newest kernel ABI the archive holds now.
#
# The caller sets `me` (its name in messages) and may set KVMMMU_CACHE.
# Functions that fail print why on stderr and return 1, or 3 when the
# Debian archive cannot give what was asked.

KL_HERE=$(cd "$(dirname "$0")" && pwd)
KL_LINES=${KL_LINES:-$KL_HERE/lines}
KL_CACHE=${KVMMMU_CACHE:-${HOME:?}/.cache/kvmmmu}
# A line's package lists are taken as what the archive holds now for this
# long after an `apt-get update`; one make target calls the scripts many
# times, and one update a target is enough.
KL_APT_MAX_AGE=${KVMMMU_APT_MAX_AGE:-600}

kl_say() { echo "$me: $*" >&2; }

# Temporary files, removed at exit.
KL_TMP=
trap 'rm -f $KL_TMP' EXIT

# kl_line_names: every line name, in table order.
kl_line_names() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$KL_LINES" | awk '{ print $1 }'
}

# kl_line NAME: set L_NAME, L_TOOLCHAIN, L_PATTERN, L_SUITES from its row.
kl_line() {
	row=$(sed -e 's/#.*//' "$KL_LINES" | awk -v n="$1" '$1 == n')
	[ -n "$row" ] || { kl_say "no kernel line named '$1' (lines: $(kl_line_names | tr '\n' ' '))"; return 1; }
	set -- $row
	L_NAME=$1 L_TOOLCHAIN=$2 L_PATTERN=$3
	shift 3
	L_SUITES=$*
}

# kl_line_of KVER: the name of the line whose pattern KVER matches.
kl_line_of() {
	for n in $(kl_line_names); do
		kl_line "$n" || return 1
		if echo "$1" | grep -Eqx "$L_PATTERN"; then echo "$n"; return 0; fi
	done
	kl_say "kernel $1 belongs to none of the lines in tests/kernel/lines"
	return 1
}

# The archive's addresses are this machine's apt's own: the site that
# serves Debian's main suite, and the one that serves its -security suite.
kl_sites() {
	[ -n "${KL_SITE:-}" ] && return 0
	sites=$(apt-get indextargets --format '$(SITE) $(RELEASE)' 2>/dev/null | sort -u)
	KL_SITE=${KVMMMU_MIRROR:-$(echo "$sites" | awk '$2 !~ /-(security|updates|backports)$/ { print $1; exit }')}
	KL_SECURITY_SITE=${KVMMMU_SECURITY_MIRROR:-$(echo "$sites" | awk '$2 ~ /-security$/ { print $1; exit }')}
	[ -n "$KL_SITE" ] || { kl_say "this machine's apt names no Debian archive (set KVMMMU_MIRROR)"; return 1; }
	[ -n "$KL_SECURITY_SITE" ] || KL_SECURITY_SITE=$KL_SITE-security
}

# kl_sources SUITE...: sources.list lines for those suites.
kl_sources() {
	kl_sites || return 1
	for s in "$@"; do
		case $s in
		*-security) echo "deb $KL_SECURITY_SITE $s main" ;;
		*) echo "deb $KL_SITE $s main" ;;
		esac
	done
}

# kl_apt_setup NAME: APT_OPTS for the line's own apt under the cache, its
# lists updated when older than KL_APT_MAX_AGE.  The archive these machines
# reach is a dated snapshot whose Release files are past their Valid-Until
# date, so apt is told not to check it.
kl_apt_setup() {
	kl_line "$1" || return 1
	A=$KL_CACHE/apt/$L_NAME
	mkdir -p "$A/lists/partial" "$A/archives/partial"
	[ -f "$A/status" ] || : > "$A/status"
	kl_sources $L_SUITES > "$A/sources.list.new" || return 1
	APT_OPTS="-o Dir::Etc::SourceList=$A/sources.list -o Dir::Etc::SourceParts=$A/none
		-o Dir::State::Lists=$A/lists -o Dir::State::status=$A/status
		-o Dir::Cache=$A -o Dir::Cache::Archives=$A/archives
		-o Dir::Cache::pkgcache=$A/pkgcache.bin -o Dir::Cache::srcpkgcache=$A/srcpkgcache.bin
		-o Acquire::Check-Valid-Until=false -o APT::Architecture=amd64
		-o APT::Sandbox::User=root"
	now=$(date +%s)
	last=$(cat "$A/updated" 2>/dev/null || echo 0)
	if ! cmp -s "$A/sources.list.new" "$A/sources.list" || [ $((now - last)) -ge "$KL_APT_MAX_AGE" ]; then
		mv "$A/sources.list.new" "$A/sources.list"
		# shellcheck disable=SC2086
		if ! apt-get $APT_OPTS -q update > "$A/update.log" 2>&1 ||
		   grep -q '^[WE]: ' "$A/update.log"; then
			grep '^[WE]: ' "$A/update.log" >&2
			kl_say "apt-get update for $L_NAME ($L_SUITES) failed: the Debian archive is unreachable or lacks these suites"
			return 3
		fi
		echo "$now" > "$A/updated"
	else
		rm -f "$A/sources.list.new"
	fi
}

# kl_show PKG FIELD: FIELD of the archive's candidate of PKG, empty if none.
# Records are kept in KL_SHOWN (each apt-cache call costs half a second);
# kl_show_load PKG... reads many in one call.
KL_SHOWN=
kl_show_load() {
	[ -n "$KL_SHOWN" ] || { KL_SHOWN=$(mktemp); KL_TMP="$KL_TMP $KL_SHOWN"; }
	# shellcheck disable=SC2086
	apt-cache $APT_OPTS show --no-all-versions "$@" >> "$KL_SHOWN" 2>/dev/null || true
	for p in "$@"; do echo "Shown: $p"; echo; done >> "$KL_SHOWN"
}
kl_show() {
	[ -n "$KL_SHOWN" ] && grep -qx "Shown: $1" "$KL_SHOWN" || kl_show_load "$1"
	awk -v p="$1" -v f="$2" 'BEGIN { RS = ""; FS = "\n" }
		{ for (i = 1; i <= NF; i++) if ($i == "Package: " p) break
		  if (i > NF) next
		  for (i = 1; i <= NF; i++) if (index($i, f ": ") == 1) { print substr($i, length(f) + 3); exit } }' "$KL_SHOWN"
}

# kl_depends PKG: the first alternative of each dependency of PKG, a name a line.
kl_depends() {
	kl_show "$1" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/^ *//; s/ *$//; /^$/d'
}

# kl_resolve NAME: the newest kernel ABI of the line whose image, -dbg and
# headers packages the archive holds now (kl_apt_setup first).
kl_resolve() {
	# shellcheck disable=SC2086
	abis=$(apt-cache $APT_OPTS pkgnames linux-image- 2>/dev/null |
		sed -n 's/^linux-image-\(.*\)-dbg$/\1/p' | grep -Ex "$L_PATTERN" | sort -rV)
	# shellcheck disable=SC2086
	names=$(apt-cache $APT_OPTS pkgnames linux- 2>/dev/null)
	for abi in $abis; do
		echo "$names" | grep -Fqx "linux-headers-$abi" || continue
		echo "$names" | grep -Fqx -e "linux-image-$abi" -e "linux-image-$abi-unsigned" || continue
		echo "$abi"
		return 0
	done
	kl_say "the Debian archive has no kernel of line $L_NAME ($L_PATTERN) with its image, -dbg and headers packages in $L_SUITES"
	return 3
}
