#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tapset-reference.sh - the tapset reference of docs/tapsets.md, extracted
# from the doc comments of the tapsets (the "/** probe kvmmmu.x - summary"
# and "/** sfunction f - summary" blocks, as SystemTap's own tapset
# reference is made): one section per probe alias and public function, in
# file order, with its variables or arguments and its context.
# `make tapset-doc` puts it in docs/tapsets.md; make check fails while the
# two differ.
set -eu
cd "$(dirname "$0")/.."
for f in tapsets/kvmmmu_walk.stp tapsets/kvmmmu_sync.stp tapsets/kvmmmu_roots.stp tapsets/kvmmmu_roots_return.stp \
	 tapsets/kvmmmu_records.stp tapsets/kvmmmu_format.stpm tapsets/kvmmmu_runtime.stp; do
	awk -v file="$f" '
	function flush_item() {
		if (item != "") { print "- `" iname "`: " item; item = "" }
	}
	function flush_para() {
		if (para != "") { print para; print ""; para = "" }
	}
	/^\/\*\*$/ { inside = 1; head = ""; next }
	inside && /^ \*\/$/ {
		inside = 0; flush_item(); if (listed) print ""; flush_para(); sig = 1; next
	}
	inside {
		line = $0; sub(/^ \* ?/, "", line)
		if (head == "") {
			head = line
			kind = head; sub(/ .*/, "", kind)
			name = head; sub(/^[a-z]+ /, "", name); sub(/ - .*/, "", name)
			summary = head; sub(/^[^-]* - /, "", summary)
			print "### " (kind == "probe" ? "probe " : "") "`" name "`"
			print ""; print summary " (`" file "`)"; print ""
			listed = 0; item = ""; para = ""
			next
		}
		if (line ~ /^@[a-z_0-9]+:/) {
			flush_item(); listed = 1
			iname = line; sub(/:.*/, "", iname); sub(/^@/, "", iname)
			item = line; sub(/^@[a-z_0-9]+: */, "", item)
			next
		}
		if (line == "") { flush_item(); if (listed) { print ""; listed = 0 }; flush_para(); next }
		if (item != "") { sub(/^ +/, "", line); item = item " " line; next }
		para = para == "" ? line : para " " line
		next
	}
	sig && /^function / {
		s = $0; sub(/[ \t]*(%?\{.*)?$/, "", s); sub(/^function /, "", s)
		print "```"; print s; print "```"; print ""; sig = 0; next
	}
	sig && /^probe / { sig = 0 }
	' "$f"
done
