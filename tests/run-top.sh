#!/usr/bin/env bash
# top: a frame from a whole file, checked against the trace's own lines; a
# slow producer's records on screen before it writes more (in a pipe, with
# -f on a growing file, and in a terminal: tmux); --once; the usage errors.
. "$(dirname "$0")/test-subr.sh"

T72=tests/traces/7.2.13+deb14-amd64
RH=$T72/root_hpa.trace
# Seconds a frame may take to show a producer's first records: the issue's
# 2 s, or more for a sanitized build, whose start alone takes longer.
WITHIN=${KVMMMU_SANITIZE:+15}
WITHIN=${WITHIN:-2}

if [ "$UPDATE" = 0 ]; then

# ---- one frame of a whole file, against the trace's own lines ---------------
"$R" top --once "$RH" >"$TMP/frame" 2>"$TMP/err"; rc=$?
read -r loads switches hits misses first last < <(awk '
	$1 == "load" { l++ } $1 == "switch" { s++; if ($8 == "hit") h++; else if ($8 == "miss") m++ }
	$1 ~ /^(walk|step|load|switch|sync|free|vcpu_root|load_rate)$/ { if (!f || $2 < f) f = $2; if ($2 > t) t = $2 }
	END { print l + 0, s + 0, h + 0, m + 0, f, t }' "$RH")
span=$(awk -v f="$first" -v t="$last" 'BEGIN { printf "%.1f", (t - f) / 1e9 }')
rate=$(awk -v n="$loads" -v f="$first" -v t="$last" 'BEGIN { printf "%.1f", n * 1e9 / (t - f) }')
hit=$(awk -v h="$hits" -v m="$misses" 'BEGIN { printf "%.1f", 100 * h / (h + m) }')
if [ $rc = 0 ] && grep -q "^kvmmmu-report top: root_hpa on 7.2.13+deb14-amd64, $span s of trace" "$TMP/frame" &&
   grep -qE "^loads +$loads +$rate\$" "$TMP/frame" && grep -qE "^switches +$switches " "$TMP/frame" &&
   grep -qE "^prev_roots hit +$hit%  \($hits hits, $misses misses\)\$" "$TMP/frame" &&
   grep -qx "lost: nothing" "$TMP/frame"; then
	ok "top --once: $loads loads at $rate/s, $switches switches, $hit% hits over $span s, as the trace's lines count them"
else bad "top --once: $loads loads at $rate/s, $switches switches, $hits/$misses over $span s (exit $rc)" "$(cat "$TMP/frame" "$TMP/err")"; fi
# per vCPU: each vCPU's loads as its lines count them
want=$(awk '$1 == "load" { n[$5 " " $6]++ } END { for (k in n) print k, n[k] }' "$RH" | sort)
got=$(awk '/^kvm +vcpu/ { on = 1; next } on && NF >= 6 { print $1, $2, $4 } /^$/ { on = 0 }' "$TMP/frame" | sort)
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "top --once: each vCPU's loads"
else bad "top --once: each vCPU's loads" "want: $want
got: $got"; fi
# the latency percentiles: the lower bound of the bucket (1/8 of a power of
# two wide) that holds the load at that rank
lat=$(awk '$1 == "load" { print $8 }' "$RH" | sort -n)
n=$(wc -l <<<"$lat")
pct_ok=1
for q in 50 90 99; do
	rank=$(( (n * q + 99) / 100 )); [ $rank -ge 1 ] || rank=1
	v=$(sed -n "${rank}p" <<<"$lat")
	shown=$(sed -n "s/.* p$q \([0-9.]*\) \(ns\|us\|ms\).*/\1 \2/p" "$TMP/frame")
	ns=$(awk -v s="$shown" 'BEGIN { split(s, a, " "); m = a[2] == "ms" ? 1e6 : a[2] == "us" ? 1e3 : 1; print a[1] * m }')
	# shown is within 1/8 below v (and the 0.1 of its rounding)
	awk -v v="$v" -v s="$ns" 'BEGIN { exit !(s <= v * 1.001 + 100 && s >= v * 7 / 8 - 100) }' ||
		{ pct_ok=0; bad "top --once: p$q of $n loads is $v ns, shown $shown"; }
done
[ $pct_ok = 1 ] && ok "top --once: p50, p90 and p99 within the bucket of the load at that rank"

# ---- a slow producer, through a pipe ------------------------------------------
# The producer writes the header and the first 40 records, then waits until
# top has drawn them (never more than 30 s), then the rest: the frame cannot
# come from the end of the input or from a full buffer.
producer() { # file frames_file
	head -n 41 "$1"
	t0=$(date +%s%N)
	for _ in $(seq 300); do
		grep -q "^kvmmmu-report top: .* 40 records" "$2" 2>/dev/null && break
		sleep 0.1
	done
	echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$TMP/first-ms"
	tail -n +42 "$1"
}
: >"$TMP/live"
producer "$RH" "$TMP/live" | "$R" top --delay 0.3 - >"$TMP/live" 2>"$TMP/err"; rc=$?
ms=$(cat "$TMP/first-ms")
if [ $rc = 0 ] && [ "$ms" -le $((WITHIN * 1000)) ] && grep -q ", $(awk '$1 ~ /^(walk|step|load|switch|sync|free|vcpu_root|load_rate)$/' "$RH" | wc -l) records;" "$TMP/live"; then
	ok "top on a pipe: the producer's first records on screen $ms ms after it wrote them (at most ${WITHIN} s), the last frame all of them"
else bad "top on a pipe: the first records on screen within ${WITHIN} s ($ms ms, exit $rc)" "$(head -20 "$TMP/live"; cat "$TMP/err")"; fi

# --once on a quiet pipe (a FIFO whose writer goes quiet for 4 s): one
# frame after the delay, with the 4 records read, and top gone before the
# writer ends
mkfifo "$TMP/quiet"
(head -n 5 "$RH"; sleep 4) >"$TMP/quiet" &
writer=$!
"$R" top --once --delay 0.5 "$TMP/quiet" >"$TMP/once" 2>"$TMP/err"; rc=$?
if kill -0 $writer 2>/dev/null; then before=yes; else before=no; fi
wait $writer 2>/dev/null
frames=$(grep -c "^kvmmmu-report top:" "$TMP/once")
if [ $rc = 0 ] && [ "$frames" = 1 ] && grep -q " 4 records;" "$TMP/once" && [ $before = yes ]; then
	ok "top --once on a quiet pipe: one frame of the 4 records read, exit 0, before the input ended"
else bad "top --once on a quiet pipe: one frame, before the input ended (exit $rc, $frames frames, ended first: $before)" "$(cat "$TMP/once" "$TMP/err")"; fi

# ---- -f: a file as it grows, until SIGINT ---------------------------------------
G=$TMP/growing.trace
head -n 1 "$RH" >"$G"
"$R" top --delay 0.3 -f "$G" >"$TMP/follow" 2>"$TMP/ferr" &
pid=$!
sleep 0.5
sed -n 2,41p "$RH" >>"$G"
for _ in $(seq 300); do grep -q " 40 records;" "$TMP/follow" && break; sleep 0.1; done
tail -n +42 "$RH" >>"$G"
all=$(awk '$1 ~ /^(walk|step|load|switch|sync|free|vcpu_root|load_rate)$/' "$RH" | wc -l)
for _ in $(seq 300); do grep -q " $all records;" "$TMP/follow" && break; sleep 0.1; done
kill -TERM $pid
wait $pid; rc=$?
if [ $rc = 143 ] && grep -q " 40 records;" "$TMP/follow" && grep -q " $all records;" "$TMP/follow" &&
   grep -q "interrupted by SIGTERM" "$TMP/ferr"; then
	ok "top -f: frames as the file grew (40, then $all records), SIGTERM ends it with 143"
else bad "top -f: frames as the file grew, SIGTERM ends it (exit $rc)" "$(grep 'top:' "$TMP/follow" | tail -5; cat "$TMP/ferr")"; fi
# a bad line in a followed file is named by the file's name and line
printf 'load garbage\n' >>"$G"
"$R" top --once --delay 0.5 -f "$G" >/dev/null 2>"$TMP/ferr"
if grep -qF "$G:$(wc -l <"$G"): load: expected at least" "$TMP/ferr"; then ok "top -f: a bad line named by FILE:LINE"
else bad "top -f: a bad line named by FILE:LINE" "$(cat "$TMP/ferr")"; fi

# ---- in a terminal ------------------------------------------------------------
if command -v tmux >/dev/null; then
	sock=$TMP/tmux.sock
	: >"$TMP/term-live"
	# the producer's first records, then nothing more for 20 s
	tmux -S "$sock" new-session -d -x 120 -y 40 \
		"(head -n 41 '$RH'; date +%s%N >'$TMP/wrote'; sleep 20) | '$(realpath "$R")' top -" 2>"$TMP/err"
	shown=
	for _ in $(seq 300); do
		if tmux -S "$sock" capture-pane -p 2>/dev/null | grep -q "^kvmmmu-report top: root_hpa .* 40 records"; then
			shown=$(date +%s%N); break; fi
		sleep 0.1
	done
	tmux -S "$sock" capture-pane -p >"$TMP/pane" 2>/dev/null
	tmux -S "$sock" kill-server 2>/dev/null
	if [ -n "$shown" ] && [ -s "$TMP/wrote" ]; then
		ms=$(( (shown - $(cat "$TMP/wrote")) / 1000000 ))
		if [ "$ms" -le $((WITHIN * 1000)) ] && [ "$(grep -c '^kvmmmu-report top:' "$TMP/pane")" = 1 ]; then
			ok "top in a terminal (tmux): one frame on screen, the first records in it $ms ms after they were written"
		else bad "top in a terminal: the first records within ${WITHIN} s, one frame on screen ($ms ms)" "$(cat "$TMP/pane")"; fi
	else bad "top in a terminal (tmux): no frame with the first records" "$(cat "$TMP/pane" "$TMP/err" 2>/dev/null)"; fi
else bad "tmux missing (make deps installs it)"; fi

# ---- usage --------------------------------------------------------------------
expect_cli 64 "expected one FILE or -" top "$RH" "$RH"
expect_cli 64 "expected one FILE or -" top --delay 0 "$RH"
expect_cli 64 "writes one format only" top --format json "$RH"
expect_cli 64 "-f follows a file, not stdin" top -f -
expect_cli 2 "cannot follow $TMP/none.trace" top -f "$TMP/none.trace"
fi

finish
