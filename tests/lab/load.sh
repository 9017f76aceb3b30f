#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# load.sh KERNEL: the scripts under the heaviest workload the lab runs
# (make lab-load, docs/lab.md).  For each vCPU count of LOAD_VCPUS (default
# "2 4"): one boot with the workload alone, then one with every script
# around the same workload, built with stap -t.  run-lab.sh fails the run
# on any transport failure, skipped probe, error, seq gap or other loss; on
# top of that, per script:
#   records    event records written (the trailer's count)
#   rec/s      records per second of the workload's run under the script
#   probe s    stap -t's cycles in the script's probes (hits x average,
#              every probe), over the guest's TSC frequency
#   share      probe s over the workload's seconds x the CPUs its vCPU
#              threads could use (its vCPUs, at most the guest's CPUs)
#   slowdown   the workload's time under the script over its time alone
# into LOAD_OUT/KVER/load.md (default lab-load/) and one "lab-load:" line each.
# Ends with "lab-load: N passed, N failed".
#   LOAD_VCPUS="2 4" LOAD_ITERATIONS=400 LOAD_ARGS="--spaces 5 --regions 3 --zap-every 1"
#   LOAD_TIMEOUT=600: run-lab.sh's LAB_TIMEOUT for these boots, whatever the
#   caller's: a boot runs the heavy workload once per script and then sends
#   tens of MB of traces through the emulated serial port, minutes on a
#   shared host, where the lab's usual boot takes seconds; a hung guest
#   still never ends
set -eu
export LAB_TIMEOUT="${LOAD_TIMEOUT:-600}"
[ $# -eq 1 ] || { echo "usage: $0 KERNEL" >&2; exit 2; }
KERNEL=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
vcpus=${LOAD_VCPUS:-2 4}
iterations=${LOAD_ITERATIONS:-400}
extra=${LOAD_ARGS:---spaces 5 --regions 3 --zap-every 1}
out=${LOAD_OUT:-lab-load}
pass=0 fail=0
rc=0
kdir=$(tests/kernel/fetch-kernel.sh "$KERNEL" | tail -n1) || rc=$?
[ $rc -eq 0 ] || { echo "lab-load: cannot get kernel $KERNEL"; echo "lab-load: 0 passed, 1 failed"; exit "$rc"; }
kver=$(basename "$kdir")
dir=$out/$kver
rm -rf "$dir" && mkdir -p "$dir"
md=$dir/load.md

value() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
# stap -t's cycles in the trace's probes: hits x average, summed.
cycles() {
	awk '/\), hits: [0-9]+, cycles: / { h = $0; sub(/.*, hits: /, "", h); sub(/,.*/, "", h)
		a = $0; sub(/.*min\//, "", a); sub(/avg.*/, "", a); s += h * a }
	END { printf "%.0f\n", s }' "$1"
}
tsc_mhz() { sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p; s/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' "$1" | tail -n1; }

{
	echo "# Load: $kver, workload --iterations $iterations $extra"
	echo
	echo "| vCPUs | script | records | workload s | alone s | rec/s | probe s | share | slowdown |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$md"
for v in $vcpus; do
	args="--vcpus $v --iterations $iterations $extra"
	base=$dir/v$v-alone runs=$dir/v$v
	echo "=== lab-load: $kver, $v vCPUs, the workload alone"
	if ! SCRIPTS= WORKLOAD_ARGS="$args" LAB_OUT=$base tests/lab/run-lab.sh "$KERNEL"; then
		echo "lab-load: $kver $v vCPUs: FAILED: the workload alone (in $base)"; fail=$((fail + 1)); continue
	fi
	alone=$(value "$base/$kver/none.status" workload_s)
	echo "=== lab-load: $kver, $v vCPUs, every script (stap -t)"
	if ! WORKLOAD_ARGS="$args" LAB_OUT=$runs STAP_FLAGS="-t -DSTP_FORCE_STDOUT_TTY" tests/lab/run-lab.sh "$KERNEL"; then
		echo "lab-load: $kver $v vCPUs: FAILED: the scripts did not hold the load (in $runs)"; fail=$((fail + 1)); continue
	fi
	mhz=$(tsc_mhz "$runs/$kver/dmesg.log")
	cpus=$(sed -n 's/.*Brought up [0-9]* nodes*, \([0-9]*\) CPUs.*/\1/p' "$runs/$kver/dmesg.log" | head -n1)
	[ -n "$cpus" ] || cpus=$v
	[ "$cpus" -lt "$v" ] || cpus=$v
	[ -n "$mhz" ] || { echo "lab-load: no TSC frequency in $runs/$kver/dmesg.log"; fail=$((fail + 1)); continue; }
	for t in "$runs/$kver"/*.trace; do
		n=$(basename "$t" .trace)
		records=$(awk '$1 == "end" { r += $6 } END { print r + 0 }' "$t")
		ws=$(value "$runs/$kver/$n.status" workload_s)
		c=$(cycles "$t")
		line=$(awk -v v="$v" -v n="$n" -v r="$records" -v ws="$ws" -v al="$alone" -v c="$c" -v mhz="$mhz" -v cpus="$cpus" 'BEGIN {
			ps = c / (mhz * 1e6)
			printf "| %d | %s | %d | %.2f | %.2f | %.0f | %.3f | %.1f%% | %.2f |", v, n, r, ws, al,
				(ws > 0 ? r / ws : 0), ps, (ws > 0 ? 100 * ps / (ws * cpus) : 0), (al > 0 ? ws / al : 0) }')
		echo "$line" >>"$md"
		echo "lab-load: $kver $line"
	done
	pass=$((pass + 1))
done
cat "$md"
echo "lab-load: $pass passed, $fail failed"
[ $fail -eq 0 ]
