#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# soak.sh KERNEL RUNS [CONFIG...] - boot the lab RUNS times per
# configuration and tally how each boot ended.
#
# Configurations (default: all four, interleaved run by run so that a slow
# or disturbed stretch of the host falls on every one alike):
#   none   the workload alone, no SystemTap module loaded
#   empty  one empty probe where zap_unsync's sits (tests/lab/soak-empty.stp)
#   seed   the seed's scripts, as tests/lab/seed-style/ writes them
#   ours   scripts/*.stp
# Outcomes: passed (results out and sane), hung (no end within LAB_TIMEOUT:
# hang-dump.txt holds every vCPU's registers and stack words, console.log
# the backtrace the NMI then printed), oopsed (the kernel died first: the
# Oops and RIP lines), failed (anything else, with run-lab.sh's reason).
# Every run that did not pass keeps its directory under
# $SOAK_OUT/KVER/CONFIG/NN/; the tally is $SOAK_OUT/KVER/soak.md.
#
# Environment: SOAK_OUT (default lab-soak), LAB_TIMEOUT (default 90: a run
# takes 20-45 s; a hang is past it), WORKLOAD_ARGS, KVMMMU_CACHE.
set -eu

me=lab-soak
say() { echo "$me: $*" >&2; }
[ $# -ge 2 ] || { echo "usage: $0 KERNEL RUNS [none|empty|seed|ours...]" >&2; exit 2; }
KERNEL=$1 RUNS=$2
shift 2
configs=${*:-none empty seed ours}
case $RUNS in ''|*[!0-9]*) echo "$me: RUNS must be a number" >&2; exit 2 ;; esac
cd "$(dirname "$0")/../.."
SOAK_OUT=${SOAK_OUT:-lab-soak}
export LAB_TIMEOUT=${LAB_TIMEOUT:-90}

rc=0
KDIR=$(tests/kernel/fetch-kernel.sh "$KERNEL" | tail -n1) || rc=$?
[ $rc -eq 0 ] || { say "cannot get kernel $KERNEL (fetch-kernel.sh exit $rc)"; exit $rc; }
KVER=$(basename "$KDIR")
OUT=$SOAK_OUT/$KVER
mkdir -p "$OUT"
tally=$OUT/tally
: > "$tally"

seed="tests/lab/seed-style/zap_unsync_seed.stp tests/lab/seed-style/root_hpa_seed.stp tests/lab/seed-style/mmu_load_rate_seed.stp"
run_one() { # CONFIG DIR
	case $1 in
	none) env SCRIPTS= LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	empty) env SCRIPTS=tests/lab/soak-empty.stp LAB_FOREIGN=soak_empty STAP_FLAGS=-u LAB_OUT="$2" \
		tests/lab/run-lab.sh "$KVER" ;;
	seed) env SCRIPTS="$seed" LAB_FOREIGN="zap_unsync_seed root_hpa_seed mmu_load_rate_seed" \
		LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	ours) env LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	*) say "unknown configuration $1"; return 2 ;;
	esac
}

n=1
while [ "$n" -le "$RUNS" ]; do
	for c in $configs; do
		dir=$OUT/$c/$(printf %02d "$n")
		rm -rf "$dir"
		t0=$(date +%s)
		rc=0
		run_one "$c" "$dir" > "$OUT/run.log" 2>&1 || rc=$?
		secs=$(( $(date +%s) - t0 ))
		res=$dir/$KVER
		if [ $rc -eq 0 ]; then
			outcome=passed why=
		elif [ -s "$res/hang-dump.txt" ]; then
			outcome=hung
			why=$(grep '^== vCPU' "$res/hang-dump.txt" | sed 's/^== //' | tr '\n' ';')
		elif [ $rc -eq 4 ]; then
			outcome=oopsed
			why=$(grep -m2 -o 'Oops: .*\|RIP: 0010:.*' "$res/console.log" | tr '\n' ';')
		else
			outcome=failed
			why=$(grep -v '^kvm-workload\|^kvmmmu-lab' "$OUT/run.log" | grep "^lab: " | tail -n2 | tr '\n' ';')
		fi
		mv "$OUT/run.log" "$dir/run.log" 2>/dev/null || true
		[ "$outcome" = passed ] && rm -rf "$dir"
		echo "$c $n $outcome $secs $why" >> "$tally"
		say "$KVER $c run $n of $RUNS: $outcome in $secs s${why:+ ($why)}"
	done
	n=$((n + 1))
done

{
	echo "# Lab soak: $KVER, $RUNS runs per configuration"
	echo
	echo "LAB_TIMEOUT=$LAB_TIMEOUT s, $(date -u +%Y-%m-%d), made by \`make lab-soak KERNEL=$KERNEL RUNS=$RUNS\`."
	echo
	echo "| configuration | runs | passed | hung | oopsed | failed | mean s per run |"
	echo "|---|---|---|---|---|---|---|"
	for c in $configs; do
		awk -v c="$c" '$1 == c { n++; o[$3]++; s += $4 }
			END { printf "| %s | %d | %d | %d | %d | %d | %.0f |\n", c, n, o["passed"], o["hung"],
			      o["oopsed"], o["failed"], n ? s / n : 0 }' "$tally"
	done
	if grep -qv ' passed ' "$tally"; then
		echo
		echo "Runs that did not pass (their files: $OUT/CONFIG/NN/):"
		echo
		grep -v ' passed ' "$tally" | while read -r c n outcome secs why; do
			echo "- $c run $n: $outcome after $secs s: $why"
		done
	fi
} > "$OUT/soak.md"
cat "$OUT/soak.md"
