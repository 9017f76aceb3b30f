#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# soak.sh KERNEL RUNS [CONFIG...] - boot the lab RUNS times per
# configuration and tally how each boot ended.
#
# Configurations (default: none vms empty seed ours, interleaved run by run
# so that a slow or disturbed stretch of the host falls on every one alike):
#   none   the workload alone, no SystemTap module loaded
#   vms    no SystemTap module either; the workload makes and destroys
#          SOAK_VMS VMs one after another (default 25), where ours makes
#          three a boot: each flips the jump labels KVM's VM creation and
#          destruction flip, the site of the hangs and oopses seen
#   empty  one empty probe where zap_unsync's sits (tests/lab/soak-empty.stp)
#   seed   the seed's scripts, as tests/lab/seed-style/ writes them
#   ours   scripts/*.stp
#   load   what make lab-load runs (tests/lab/load.sh: four boots, the
#          heaviest workload with LOAD_VCPUS vCPUs, alone and under every
#          script, no loss allowed)
#   faults what make lab-faults runs (one boot, tapsets that read a faulting
#          address on every FAULT_EVERY-th walk, default 3; the loss held to
#          fault-account.sh)
# Outcomes: passed (results out and sane), hung (no end within LAB_TIMEOUT:
# hang-dump.txt holds every vCPU's registers and stack words, console.log
# the backtrace the NMI then printed), oopsed (the kernel died first: the
# Oops and RIP lines), failed (anything else, with the reason the run gave).
# Every run that did not pass keeps its directory under
# $SOAK_OUT/KVER/CONFIG/NN/; the tally is $SOAK_OUT/KVER/soak.md, with the
# figures of the load and faults runs that passed.
#
# Environment: SOAK_OUT (default lab-soak), LAB_TIMEOUT (default 180: a boot
# takes 20-130 s, more on a host shared with other emulators, while a hung
# guest never ends), SOAK_VMS, FAULT_EVERY, LOAD_VCPUS, LOAD_ITERATIONS,
# WORKLOAD_ARGS, KVMMMU_CACHE.
set -eu

me=lab-soak
say() { echo "$me: $*" >&2; }
[ $# -ge 2 ] || { echo "usage: $0 KERNEL RUNS [none|vms|empty|seed|ours|load|faults...]" >&2; exit 2; }
KERNEL=$1 RUNS=$2
shift 2
configs=${*:-none vms empty seed ours}
case $RUNS in ''|*[!0-9]*) echo "$me: RUNS must be a number" >&2; exit 2 ;; esac
cd "$(dirname "$0")/../.."
SOAK_OUT=${SOAK_OUT:-lab-soak}
export LAB_TIMEOUT="${LAB_TIMEOUT:-180}"
SOAK_VMS=${SOAK_VMS:-25}
case $SOAK_VMS in ''|*[!0-9]*) echo "$me: SOAK_VMS must be a number" >&2; exit 2 ;; esac
for c in $configs; do
	case $c in none|vms|empty|seed|ours|load|faults) ;;
	*) echo "$me: unknown configuration $c" >&2; exit 2 ;;
	esac
done

rc=0
KDIR=$(tests/kernel/fetch-kernel.sh "$KERNEL" | tail -n1) || rc=$?
[ $rc -eq 0 ] || { say "cannot get kernel $KERNEL (fetch-kernel.sh exit $rc)"; exit $rc; }
KVER=$(basename "$KDIR")
OUT=$SOAK_OUT/$KVER
mkdir -p "$OUT"
tally=$OUT/tally
: > "$tally"
rm -f "$OUT"/*.figures

seed="tests/lab/seed-style/zap_unsync_seed.stp tests/lab/seed-style/root_hpa_seed.stp tests/lab/seed-style/mmu_load_rate_seed.stp"
run_one() { # CONFIG DIR
	case $1 in
	none) env SCRIPTS= LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	empty) env SCRIPTS=tests/lab/soak-empty.stp LAB_FOREIGN=soak_empty STAP_FLAGS=-u LAB_OUT="$2" \
		tests/lab/run-lab.sh "$KVER" ;;
	seed) env SCRIPTS="$seed" LAB_FOREIGN="zap_unsync_seed root_hpa_seed mmu_load_rate_seed" \
		LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	ours) env LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	# run-lab.sh's default workload, once per VM.
	vms) env SCRIPTS= WORKLOAD_ARGS="${WORKLOAD_ARGS-"--vcpus 2 --iterations 20 --spaces 5 --regions 3"} --vms $SOAK_VMS" \
		LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	load) env LOAD_OUT="$2" tests/lab/load.sh "$KVER" ;;
	faults) env LAB_FAULT_EVERY="${FAULT_EVERY:-3}" SCRIPTS="zap_unsync tests/lab/mixed.stp root_hpa" \
		LAB_OUT="$2" tests/lab/run-lab.sh "$KVER" ;;
	esac
}

# The figures of a load or faults run that passed, kept when its files go.
figures() { # CONFIG DIR RUNLOG
	case $1 in
	load) cat "$2/$KVER/load.md" ;;
	faults) grep '^lab: faults: \|check passed' "$3" | sed 's/^/    /' ;;
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
		# A load run is several boots (LOAD_OUT/KVER/vN*/KVER/): any of them
		# hung or died makes the run hung or oopsed.
		dump=$(find "$dir" -name hang-dump.txt -size +0 2>/dev/null | sort | head -n1)
		died=$(find "$dir" -name console.log 2>/dev/null | sort | while read -r l; do
			grep -q 'Kernel panic' "$l" && grep -q 'Oops: ' "$l" && echo "$l"; done | head -n1)
		if [ $rc -eq 0 ]; then
			outcome=passed why=
		elif [ -n "$dump" ]; then
			outcome=hung
			why=$(grep '^== vCPU' "$dump" | sed 's/^== //' | tr '\n' ';')
		elif [ -n "$died" ]; then
			outcome=oopsed
			why=$(grep -m2 -o 'Oops: .*\|RIP: 0010:.*' "$died" | tr '\n' ';')
		else
			outcome=failed
			why=$(grep '^lab\|^    ' "$OUT/run.log" | grep -v '^kvm-workload\|^kvmmmu-lab' |
				grep -i 'fail\|missing\|cannot\|error\|exited [1-9]\|no results' | tail -n2 | tr '\n' ';')
		fi
		mv "$OUT/run.log" "$dir/run.log" 2>/dev/null || true
		if [ "$outcome" = passed ]; then
			case $c in load|faults) figures "$c" "$dir" "$dir/run.log" > "$OUT/$c-$(printf %02d "$n").figures" ;; esac
			rm -rf "$dir"
		fi
		echo "$c $n $outcome $secs $why" >> "$tally"
		say "$KVER $c run $n of $RUNS: $outcome in $secs s${why:+ ($why)}"
	done
	n=$((n + 1))
done

{
	echo "# Lab soak: $KVER, $RUNS runs per configuration"
	echo
	echo "LAB_TIMEOUT=$LAB_TIMEOUT s, $(date -u +%Y-%m-%d), made by \`make lab-soak KERNEL=$KERNEL RUNS=$RUNS SOAK_CONFIGS=\"$configs\"\`$(
		case " $configs " in *" vms "*) echo " (vms: $SOAK_VMS VMs a boot)" ;; esac)."
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
	for f in "$OUT"/load-*.figures "$OUT"/faults-*.figures; do
		[ -f "$f" ] || continue
		echo
		echo "Figures of $(basename "$f" .figures | sed 's/-\(..\)$/ run \1/'):"
		echo
		cat "$f"
	done
} > "$OUT/soak.md"
cat "$OUT/soak.md"
