#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# probe-cost.sh [KERNEL ...] - what our probes cost in the kernel, against the
# seed's scripts (tests/lab/seed-style/), on the same lab workload.
#
# For each KERNEL (a kernel line or an exact ABI, as make lab takes) one lab boot (run-lab.sh) runs
# the workload once under each script, every module built with `stap -t`:
#   ours:       scripts/zap_unsync.stp, root_hpa.stp, mmu_load_rate.stp
#   seed-style: tests/lab/seed-style/zap_unsync_seed.stp, root_hpa_seed.stp,
#               mmu_load_rate_seed.stp
# stap writes its probe hit report (hits and min/avg/max cycles of each
# probe handler) at the end of each trace.  For every probe this script
# takes hits x average cycles, sums them per script and per set, counts the
# bytes each script wrote before the report, and counts the events both
# sets saw (walks, steps, kvm_mmu_load calls, vcpu_run entries) from the
# traces and the hit reports: a ratio holds only when they are equal.
#
# Each kernel is booted PROBE_COST_RUNS times (default 3): under QEMU TCG a
# hit that the host deschedules counts millions of cycles, so one run's
# hits x average can move by a third.  Every run's totals are kept; the
# ratios are those of the medians (ours, seed-style: the median of the
# per-run totals, each the same sum of hits x average over the same events
# as in a single run), and the per-probe table is that of the run whose
# ours/seed is the median.
#
# Writes $PROBE_COST_OUT (default bench/probe-cost.md) and ends with one
# line per kernel:  probe-cost: KVER ours/seed=R
# Exit 0 when every kernel ran and its events matched, 1 otherwise, 3 when
# the Debian archive could not give a kernel.
#
# Environment (all optional):
#   PROBE_COST_ARGS  workload arguments (default below: ten times the
#                    iterations of `make lab`, for more hits per probe)
#   PROBE_COST_OUT   the markdown file written
#   PROBE_COST_QEMU_ARGS  QEMU's accelerator options (see QARGS below)
#   PROBE_COST_RUNS  lab boots per kernel (default 3)
#   PROBE_COST_REPORT_ONLY  when set, no lab run: the tables are made
#                    again from the results already in LAB_OUT
#   LAB_OUT          where run-lab.sh leaves the results (default
#                    lab-out/probe-cost; run N of a kernel in runN/KVER)
set -u

me=probe-cost
say() { echo "$me: $*" >&2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
case ${PROBE_COST_OUT:-} in ''|/*) ;; *) PROBE_COST_OUT=$(pwd)/$PROBE_COST_OUT ;; esac
case ${LAB_OUT:-} in ''|/*) ;; *) LAB_OUT=$(pwd)/$LAB_OUT ;; esac
cd "$top"

[ $# -gt 0 ] || set -- bookworm bookworm-6.12
ARGS=${PROBE_COST_ARGS:---vcpus 2 --iterations 200 --spaces 5 --regions 3}
MD=${PROBE_COST_OUT:-bench/probe-cost.md}
# QEMU's accelerator options, as make lab boots.  Under TCG the guest's
# cycle counter follows host time: when the host deschedules QEMU inside a
# handler (other jobs on a 2-core machine), that hit counts millions of
# cycles, and a few such hits can weigh more than all the others.
# (-icount would count instructions instead, but the lab's kernel did
# not boot with it in 120 s.)
QARGS=${PROBE_COST_QEMU_ARGS:--accel tcg,thread=multi}
LAB_OUT=${LAB_OUT:-lab-out/probe-cost}
RUNS=${PROBE_COST_RUNS:-3}
OURS="zap_unsync root_hpa mmu_load_rate"
SEED="zap_unsync_seed root_hpa_seed mmu_load_rate_seed"
mkdir -p "$(dirname "$MD")"

# The scripts in pairs, so both of a pair run close together in the boot.
scripts=
for s in $OURS; do
	scripts="$scripts scripts/$s.stp tests/lab/seed-style/${s}_seed.stp"
done

# report TRACE: one line per probe of stap's hit report:
#   "<probe> <hits> <avg_cycles> <hits*avg> <min_cycles> <hits*min>", probe shortened to its
#   function or line (module("kvm").function("f@file:n").return -> f.return).
report() {
	awk '
	/\), hits: [0-9]+, cycles: / {
		p = $0; sub(/, \(.*/, "", p)
		sub(/^module\("[^"]*"\)\./, "", p); sub(/^kernel\./, "", p)
		if (match(p, /^function\("[^"@]*/)) {
			f = substr(p, 11, RLENGTH - 10); rest = p; sub(/^function\("[^"]*"\)/, "", rest); p = f rest
		} else if (match(p, /^statement\("[^"@]*@[^"]*:[0-9]+"\)/)) {
			s = substr(p, 12, RLENGTH - 13); f = s; sub(/@.*/, "", f); n = s; sub(/.*:/, "", n)
			rest = p; sub(/^statement\("[^"]*"\)/, "", rest); p = f ":" n rest
		}
		gsub(/ /, "", p)
		h = $0; sub(/.*, hits: /, "", h); sub(/,.*/, "", h)
		a = $0; sub(/.*min\//, "", a); sub(/avg.*/, "", a)
		m = $0; sub(/.*cycles: /, "", m); sub(/min.*/, "", m)
		printf "%s %d %d %.0f %d %.0f\n", p, h, a, h * a, m, h * m
	}' "$1"
}

# bytes TRACE: what the script wrote, stap's own reports at the end left out.
bytes() { awk '/^----- / { exit } { n += length($0) + 1 } END { print n + 0 }' "$1"; }
# hits TRACE PATTERN: hits of the probes whose short name matches PATTERN.
hits() { report "$1" | awk -v p="$2" '$1 ~ p { n += $2 } END { print n + 0 }'; }
# total TRACE [EXCLUDE]: hits x average summed over the probes (but those
# whose short name matches the regular expression EXCLUDE).
total() { report "$1" | awk -v x="${2:-^$}" '$1 !~ x { n += $4 } END { printf "%.0f\n", n }'; }
# floor TRACE [EXCLUDE]: hits x minimum summed the same way: what the hits
# would cost if none was slowed by anything else (a lower bound).
floor() { report "$1" | awk -v x="${2:-^$}" '$1 !~ x { n += $6 } END { printf "%.0f\n", n }'; }
# The probes of root_hpa.stp (and only there) that record what no seed script sees: every
# kvm_mmu_load() with its latency, every page-table switch.
ONLY_OURS='^(kvm_mmu_load|kvm_mmu_new_pgd|kvm_mmu_new_cr3)[.]'
# The probes that run once per session whatever the workload: begin, end
# and error (ours: header, trailer, batch setup; the seed's mmu_load_rate:
# its last histogram).  Under TCG a single hit of one can weigh as much as
# a thousand event hits (a host deschedule inside it counts millions of
# cycles), so the event probes are also compared without them, in both sets.
ONCE='^(begin|end|error)([(].*)?$'

# contention TRACE: stap's refresh report of lock contention, summed.
contention() { awk '/lock contention occurred/ { for (i = 1; i <= NF; i++) if ($i == "occurred") n += $(i + 1) } END { print n + 0 }' "$1"; }
fmt() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }

{
	echo "# Kernel-side probe cost: our scripts and the seed's"
	echo
	echo "Made by \`make lab-probe-cost\` ($(date -u +%Y-%m-%d)): \`tests/lab/probe-cost.sh $*\`,"
	echo "workload \`kvm-workload --stop $ARGS\`, every module built with \`stap -t\`,"
	echo "QEMU \`$QARGS\`, $RUNS boot(s) per kernel."
	echo "Cycles are stap's per-probe average (handler only) times hits, summed."
	echo "The ratio compares the same events: root_hpa's load and switch probes, which"
	echo "record what no seed script sees, are left out of it (\"all probes\" keeps them)."
	echo
} > "$MD.tmp"

# median: the middle of the numbers on stdin (the lower middle of an even count).
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# measure O: one run's results (O = a run-lab.sh KVER directory).  Sets the
# event counts, same (yes/no), per script co_S cs_S ce_S fo_S fs_S yo_S ys_S
# eo_S es_S, and the totals to ts eo_sum fo fs bo bs.
measure() {
	O=$1
	walks_o=$(awk '$1 == "walk"' "$O/zap_unsync.trace" | wc -l)
	steps_o=$(awk '$1 == "step"' "$O/zap_unsync.trace" | wc -l)
	walks_s=$(grep -c '^Dump pages after mmu_unsync_walk' "$O/zap_unsync_seed.trace")
	steps_s=$(grep -c '^Dump parents after for_each_sp' "$O/zap_unsync_seed.trace")
	loads_o=$(awk '$1 == "load_rate" { n += $9 } END { print n + 0 }' "$O/mmu_load_rate.trace")
	loads_s=$(hits "$O/mmu_load_rate_seed.trace" '^kvm_mmu_load$')
	loadrec_o=$(awk '$1 == "load"' "$O/root_hpa.trace" | wc -l)
	runs_o=$(hits "$O/root_hpa.trace" '^kvm_arch_vcpu_ioctl_run')
	runs_s=$(hits "$O/root_hpa_seed.trace" '^vcpu_run$')
	switch_o=$(awk '$1 == "switch"' "$O/root_hpa.trace" | wc -l)
	snaps_o=$(awk '$1 == "vcpu_root" { s[$5] = 1 } END { print length(s) }' "$O/root_hpa.trace")
	lines_s=$(grep -c '^vcpu\[' "$O/root_hpa_seed.trace")
	same=yes
	[ "$walks_o" = "$walks_s" ] && [ "$steps_o" = "$steps_s" ] &&
	[ "$loads_o" = "$loads_s" ] && [ "$loadrec_o" = "$loads_s" ] &&
	[ "$runs_o" = "$runs_s" ] || same=no
	to=0; ts=0; bo=0; bs=0; eo_sum=0; fo=0; fs=0; vo=0; vs=0
	for s in $OURS; do
		co=$(total "$O/$s.trace"); cs=$(total "$O/${s}_seed.trace")
		x='^$'
		[ "$s" = root_hpa ] && x=$ONLY_OURS
		ce=$(total "$O/$s.trace" "$x")
		vo=$((vo + $(total "$O/$s.trace" "($x)|($ONCE)"))); vs=$((vs + $(total "$O/${s}_seed.trace" "$ONCE")))
		fso=$(floor "$O/$s.trace" "$x"); fss=$(floor "$O/${s}_seed.trace")
		yo=$(bytes "$O/$s.trace"); ys=$(bytes "$O/${s}_seed.trace")
		eval "co_$s=$co cs_$s=$cs ce_$s=$ce fo_$s=$fso fs_$s=$fss yo_$s=$yo ys_$s=$ys"
		to=$((to + co)); ts=$((ts + cs)); bo=$((bo + yo)); bs=$((bs + ys)); eo_sum=$((eo_sum + ce))
		fo=$((fo + fso)); fs=$((fs + fss))
	done
}

status=0
lines=
for K in "$@"; do
	say "=== $K"
	# A kernel line names its newest kernel now; results go by kernel ABI.
	if ! KD=$(tests/kernel/fetch-kernel.sh "$K" | tail -n1) || [ ! -d "$KD" ]; then
		say "$K: cannot get the kernel"; status=1; continue
	fi
	K=$(basename "$KD")
	okruns=
	n=1
	while [ "$n" -le "$RUNS" ]; do
		rc=0
		RO=$LAB_OUT/run$n
		if [ -z "${PROBE_COST_REPORT_ONLY:-}" ]; then
			say "$K: run $n of $RUNS"
			try=1
			while :; do
				rc=0
				env SCRIPTS="$scripts" LAB_FOREIGN="$SEED" STAP_FLAGS="-t -DSTP_FORCE_STDOUT_TTY" WORKLOAD_ARGS="$ARGS" \
					LAB_OUT="$RO" LAB_QEMU_ARGS="$QARGS" tests/lab/run-lab.sh "$K" || rc=$?
				# Up to two more boots after a hang (docs/lab.md), a guest
				# that died before its results came out (the 6.12 guest
				# has oopsed on an int3 in __schedule while probes were
				# being armed, with the scripts before this work too; see
				# console.log), or an error that ended a seed-style script
				# and none of ours (the seed-style zap_unsync reads $pages
				# unguarded at its first probe and has faulted there).
				# Our scripts' errors are never booted again.
				[ $rc -ne 0 ] && [ $rc -ne 3 ] && [ $try -lt 3 ] || break
				why="the guest hung"
				if [ $rc -eq 4 ]; then
					died=$(grep -m1 -o 'Oops: .*' "$RO/$K/console.log" 2>/dev/null) &&
						why="the guest's kernel died: $died"
				elif ls "$RO/$K"/*.staprun >/dev/null 2>&1; then
					bad=$(grep -l 'ERROR\|Skipped\|skipped probes: [1-9]' "$RO/$K"/*.staprun)
					[ -n "$bad" ] && ! printf '%s\n' "$bad" | grep -qv '_seed[.]staprun$' || break
					why="an error in a seed-style script"
				else
					why="no results came out of the guest: $(grep -m1 -o 'Oops: .*\|Kernel panic.*' "$RO/$K/console.log" 2>/dev/null)"
				fi
				say "$K: run $n failed (exit $rc: $why); booting it again"
				try=$((try + 1))
			done
		elif [ ! -f "$RO/$K/zap_unsync.trace" ]; then
			rc=1
		fi
		if [ $rc -ne 0 ]; then
			say "$K: run $n: the lab run failed (exit $rc)"
			[ $rc -eq 3 ] && [ $status -eq 0 ] && status=3
			[ $rc -ne 3 ] && status=1
			break
		fi
		okruns="$okruns $n"
		n=$((n + 1))
	done
	if [ $rc -ne 0 ]; then
		lines="$lines
probe-cost: $K failed"
		continue
	fi

	# Every run's totals; the medians.
	runtab=
	allsame=yes
	for n in $okruns; do
		measure "$LAB_OUT/run$n/$K"
		[ "$same" = yes ] || allsame=no
		runtab="$runtab$n $eo_sum $ts $fo $fs $(ratio "$eo_sum" "$ts") $same $ce_zap_unsync $cs_zap_unsync $ce_root_hpa $cs_root_hpa $ce_mmu_load_rate $cs_mmu_load_rate $vo $vs
"
	done
	col() { printf '%s' "$runtab" | awk -v c="$1" 'NF { print $c }' | median; }
	mo=$(col 2); ms=$(col 3); mfo=$(col 4); mfs=$(col 5)
	R=$(ratio "$mo" "$ms"); RF=$(ratio "$mfo" "$mfs")
	# The median of the per-run ratios too: each from one boot, both sets
	# under the same noise (the ratio of the medians may take them from two).
	RM=$(col 6)
	RV=$(ratio "$(col 14)" "$(col 15)")
	# The run whose ratio is the median gives the per-probe table.
	mid=$(printf '%s' "$runtab" | awk 'NF { print $6, $1 }' | sort -n |
		awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }')
	measure "$LAB_OUT/run$mid/$K"
	RA=$(ratio "$to" "$ts")

	{
		echo "## $K"
		echo
		echo "| run | ours, same events (hits x avg) | seed-style | ours/seed | ours, hits x min | seed-style, hits x min | events match |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		printf '%s' "$runtab" | while read -r n a b c d r sm rest; do
			[ -n "$n" ] || continue
			echo "| $n | $(fmt "$a") | $(fmt "$b") | $r | $(fmt "$c") | $(fmt "$d") | $sm |"
		done
		echo "| **median** | **$(fmt "$mo")** | **$(fmt "$ms")** | **$R** (median of the run ratios: $RM) | $(fmt "$mfo") | $(fmt "$mfs") | |"
		echo
		echo "Event probes only (begin, end and error left out of both sets), medians over the runs:"
		echo "ours $(fmt "$(col 14)"), seed-style $(fmt "$(col 15)"), ours/seed **$RV**."
		echo
		echo "Per script, median over the runs (hits x avg, same events):"
		echo
		echo "| script | ours | seed-style | ours/seed |"
		echo "|---|---:|---:|---:|"
		i=8
		for s in $OURS; do
			a=$(col $i); b=$(col $((i + 1)))
			echo "| $s | $(fmt "$a") | $(fmt "$b") | $(ratio "$a" "$b") |"
			i=$((i + 2))
		done
		echo
		echo "### Run $mid (the median ratio)"
		echo
		echo "| script | probe | hits | avg cycles | hits x avg | min cycles | hits x min |"
		echo "|---|---|---:|---:|---:|---:|---:|"
		for s in $OURS $SEED; do
			report "$O/$s.trace" | while read -r p h a t m tm; do
				echo "| $s | \`$p\` | $(fmt "$h") | $(fmt "$a") | $(fmt "$t") | $(fmt "$m") | $(fmt "$tm") |"
			done
		done
		echo
		echo "| script | events | total probe cycles | same-event cycles | hits x min | bytes written | lock contention | ours/seed |"
		echo "|---|---|---:|---:|---:|---:|---:|---:|"
		for s in $OURS; do
			case $s in
			zap_unsync) eo="$walks_o walks, $steps_o steps"; es="$walks_s walks, $steps_s steps" ;;
			root_hpa) eo="$runs_o KVM_RUN (snapshots: $snaps_o), $loadrec_o loads, $switch_o switches"
			          es="$runs_s vcpu_run ($lines_s lines)" ;;
			mmu_load_rate) eo="$loads_o loads"; es="$loads_s loads" ;;
			esac
			eval "co=\$co_$s cs=\$cs_$s ce=\$ce_$s fso=\$fo_$s fss=\$fs_$s yo=\$yo_$s ys=\$ys_$s"
			echo "| $s | $eo | $(fmt "$co") | $(fmt "$ce") | $(fmt "$fso") | $(fmt "$yo") | $(contention "$O/$s.trace") | $(ratio "$ce" "$cs") |"
			echo "| ${s}_seed | $es | $(fmt "$cs") | $(fmt "$cs") | $(fmt "$fss") | $(fmt "$ys") | $(contention "$O/${s}_seed.trace") | |"
		done
		echo "| **ours** | | **$(fmt "$to")** | **$(fmt "$eo_sum")** | $(fmt "$fo") | **$(fmt "$bo")** | | **$(ratio "$eo_sum" "$ts")** (all probes: $RA) |"
		echo "| **seed-style** | | **$(fmt "$ts")** | **$(fmt "$ts")** | $(fmt "$fs") | **$(fmt "$bs")** | | |"
		echo
		[ "$allsame" = yes ] && echo "Events match between the two sets in every run." ||
			echo "**Events differ between the two sets in a run: the ratio does not hold.**"
		echo
	} >> "$MD.tmp"
	say "$K: medians over $RUNS run(s): ours $mo cycles on the seed's events, seed-style $ms; hits x min: ours $mfo, seed-style $mfs; events same: $allsame"
	[ "$allsame" = yes ] || status=1
	lines="$lines
probe-cost: $K ours/seed=$R (medians of $RUNS runs; median of the run ratios: $RM; event probes only: $RV; hits x min: $RF; run $mid all probes: $RA)$( [ "$allsame" = yes ] || echo " (events differ)")"
done
mv "$MD.tmp" "$MD"
say "wrote $MD"
printf '%s\n' "$lines" | sed '/^$/d'
exit $status
