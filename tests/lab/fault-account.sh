#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fault-account.sh TRACE N CHECK: the accounting of a zap_unsync capture made
# by a test build of the tapsets with -DKVMMMU_FAULT_EVERY=N and stap -t
# (make lab-faults).  Every Nth walk reads its pages at an address that
# faults, so that walk and each of its steps must cost exactly one record,
# counted in the trailer's faults, and nothing else may be lost:
#   - stap's hit report counts the step probes' runs, zap and sync (their
#     lines are read by their shape: SystemTap may lose the report's heading
#     at exit), S = the step records + the steps dropped; so the walks
#     dropped are (zap and sync walks share the ids)
#     W = faults - (S - step records);
#   - the walk ids taken are 1..M with M = the walk records + W; the ids
#     present must be exactly those of 1..M that are not multiples of N,
#     and W must be floor(M / N);
#   - kvmmmu-report check (its output in CHECK) fails on the loss and on
#     nothing else, and summary names the faults;
#   - STAPRUN, staprun's messages, has no error, and a kprobe missed only
#     where the kernel counts a fault in a kprobe handler as one (5.10's
#     kprobe_fault_handler did; SystemTap then reports the probe skipped,
#     though its handler ran to the end): one for each walk dropped, as
#     each makes one faulting read.
# Prints what it found; exit 0 when every count holds, 1 otherwise.
set -eu
[ $# -eq 4 ] || { echo "usage: $0 TRACE N CHECK STAPRUN" >&2; exit 2; }
t=$1 n=$2 chk=$3 staprun=$4
me="lab: faults: $(basename "$t" .trace)"
fail=0
bad() { echo "$me: FAILED: $*" >&2; fail=1; }

faults=$(awk '$1 == "end" { f += $7 } END { print f + 0 }' "$t")
steps=$(awk '$1 == "step" { n++ } END { print n + 0 }' "$t")
walks=$(awk '$1 == "walk" { n++ } END { print n + 0 }' "$t")
hits=$(awk '/statement\("mmu_(zap_unsync|sync)_children@/ && /\), hits: [0-9]+, cycles: / { h = $0; sub(/.*, hits: /, "", h); sub(/,.*/, "", h); s += h }
	END { print s + 0 }' "$t")
[ "$hits" -gt 0 ] || bad "no hit count for the step probes in stap's hit report (stap -t)"
dropped_steps=$((hits - steps))
dropped_walks=$((faults - dropped_steps))
m=$((walks + dropped_walks))
echo "$me: the walks of ids a multiple of $n faulted: trailer faults $faults = $dropped_walks walks + $dropped_steps steps" \
	"(probe hits $hits, step records $steps, walk records $walks, walk ids 1..$m)"
[ "$dropped_walks" -gt 0 ] || bad "no walk was dropped: was the tapset built with -DKVMMMU_FAULT_EVERY=$n?"
[ "$dropped_walks" -eq $((m / n)) ] ||
	bad "$dropped_walks walks dropped, expected $((m / n)) (the multiples of $n up to $m)"
# The ids: exactly 1..M but the multiples of N, each once.
awk -v m="$m" -v n="$n" '
	$1 == "walk" { id = $5; seen[id]++
		if (id < 1 || id > m) { printf "walk id %s outside 1..%d\n", id, m; e = 1 }
		else if (id % n == 0) { printf "walk id %s is a multiple of %d but was written\n", id, n; e = 1 }
		else if (seen[id] > 1) { printf "walk id %s written twice\n", id; e = 1 } }
	END { for (i = 1; i <= m; i++) if (i % n && !seen[i]) { printf "walk id %d missing\n", i; e = 1 }
	      exit e }' "$t" >&2 || bad "the walk ids are not 1..$m less the multiples of $n"
# Steps of the walks written: none of a dropped walk's.
awk -v n="$n" '$1 == "step" && $5 % n == 0 { e = 1; printf "step of dropped walk %s written\n", $5 } END { exit e }' "$t" >&2 ||
	bad "steps of dropped walks were written"
# check: the loss fails it, and nothing else; summary names the faults.
grep -q "^FAIL nothing lost or skipped: lost: $faults records dropped on kernel read faults\$" "$chk" ||
	bad "kvmmmu-report check did not fail on exactly the $faults faults: $(grep 'nothing lost' "$chk")"
others=$(grep '^FAIL' "$chk" | grep -v 'nothing lost or skipped' || true)
[ -z "$others" ] || bad "kvmmmu-report check failed on more than the loss: $others"
missed=$(awk '/^WARNING: Skipped due to missed kprobe on/ { s += $NF } END { print s + 0 }' "$staprun")
others=$(grep '^WARNING\|^ERROR' "$staprun" | grep -v '^WARNING: Skipped due to missed kprobe on' |
	grep -vx "WARNING: Number of errors: 0, skipped probes: $missed" || true)
[ -z "$others" ] || bad "stap reported more than missed kprobes: $others"
if [ "$missed" -ne 0 ]; then
	echo "$me: the kernel counted $missed kprobes missed, one for each faulting read"
	[ "$missed" -eq "$dropped_walks" ] || bad "$missed kprobes missed, expected 0 or the $dropped_walks walks dropped"
fi
report=${KVMMMU_REPORT:-build/kvmmmu-report}
"$report" summary "$t" 2>&1 | grep -q "^lost: $faults records dropped on kernel read faults\$" ||
	bad "kvmmmu-report summary does not say the $faults faults"
exit $fail
