#!/usr/bin/env bash
# SIGINT/SIGTERM: the report for what was read, exit 128 + signal
# The feeder writes the first LINES lines of a real capture into a FIFO,
# waits until the report has taken every byte out of it (FIONREAD), writes
# its pid to MARK and sleeps: a capture still running, as under stap.
. "$(dirname "$0")/test-subr.sh"

FEED='my ($trace, $lines, $mark) = @ARGV;
  open my $in, "<", $trace or die "$trace: $!";
  my $n = 0; while (my $l = <$in>) { last if $n++ >= $lines; print $l; }
  STDOUT->flush();
  for (1 .. 2000) { my $b = pack("L", 0); ioctl(STDOUT, 0x541B, $b) or die "FIONREAD: $!";
    last if unpack("L", $b) == 0; select(undef, undef, undef, 0.01); }
  open my $m, ">", $mark or die; print $m "$$\n"; close $m; sleep 60;'
interrupted() { # SIG LINES TRACE COMMAND [OPTION...]: run it on "-" and signal it once fed; sets irc
  local sig=$1 lines=$2 trace=$3 feeder pid i; shift 3
  rm -f "$TMP/fed" "$TMP/in.fifo" && mkfifo "$TMP/in.fifo"
  perl -e "$FEED" "$trace" "$lines" "$TMP/fed" >"$TMP/in.fifo" & feeder=$!
  # A background job of a script starts with SIGINT ignored, and the
  # report leaves an ignored signal ignored: give it its default back.
  ASAN_OPTIONS=$noleak env --default-signal=INT "$R" "$@" - <"$TMP/in.fifo" >"$TMP/out" 2>"$TMP/err" & pid=$!
  for i in $(seq 400); do [ -s "$TMP/fed" ] && break; sleep 0.05; done
  kill -"$sig" $pid
  # Never hang: a report that does not end is killed, and fails the test.
  for i in $(seq 400); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  kill -KILL $pid 2>/dev/null
  wait $pid; irc=$?
  kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
}
T=tests/traces/6.1.0-56-amd64
head -n 300 $T/root_hpa.trace >"$TMP/head300.trace"
"$R" summary - <"$TMP/head300.trace" >"$TMP/want" 2>/dev/null
for s in "INT 130" "TERM 143"; do
  set -- $s
  interrupted $1 300 $T/root_hpa.trace summary
  if [ "$irc" = $2 ] && grep -q '^records:  299$' "$TMP/out" && grep -q '^trailer:  none' "$TMP/out" \
     && cmp -s "$TMP/out" "$TMP/want" \
     && grep -qxF "kvmmmu-report: interrupted by SIG$1 after 299 records: the report covers what was read" "$TMP/err"; then
    ok "SIG$1: summary - reports the 299 records read, exit $2"
  else bad "SIG$1: summary - reports the records read (exit $irc, want $2)" "$(diff "$TMP/want" "$TMP/out"; cat "$TMP/err")"; fi
done
head -n 100 $T/zap_unsync.trace >"$TMP/head100.trace"
nwalks=$(grep -c '^walk ' "$TMP/head100.trace")
"$R" walks - <"$TMP/head100.trace" >"$TMP/want" 2>/dev/null
interrupted INT 100 $T/zap_unsync.trace walks
if [ "$irc" = 130 ] && [ "$nwalks" -gt 10 ] && cmp -s "$TMP/out" "$TMP/want" \
   && grep -q "^kvmmmu-report: walks: $nwalks checked," "$TMP/err" \
   && grep -qxF "kvmmmu-report: interrupted by SIGINT after 99 records: the report covers what was read" "$TMP/err"; then
  ok "SIGINT: walks - dumps the $nwalks walks read, exit 130"
else bad "SIGINT: walks - dumps the walks read (exit $irc)" "$(diff "$TMP/want" "$TMP/out" | head; cat "$TMP/err")"; fi
# html runs in kvmmmu-report-html (exec'd, the same process): the same.
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/want.html" - <"$TMP/head100.trace" 2>/dev/null
interrupted INT 100 $T/zap_unsync.trace html -o "$TMP/int.html"
if [ "$irc" = 130 ] && cmp -s "$TMP/int.html" "$TMP/want.html" \
   && grep -qxF "kvmmmu-report: interrupted by SIGINT after 99 records: the report covers what was read" "$TMP/err"; then
  ok "SIGINT: html - writes the page of what was read, exit 130"
else bad "SIGINT: html - writes the page of what was read (exit $irc)" "$(cmp "$TMP/want.html" "$TMP/int.html"; cat "$TMP/err")"; fi
# A SIGINT ignored from the start (a background job) stays ignored.
rm -f "$TMP/fed" "$TMP/in.fifo" && mkfifo "$TMP/in.fifo"
perl -e "$FEED" $T/root_hpa.trace 300 "$TMP/fed" >"$TMP/in.fifo" & feeder=$!
"$R" summary - <"$TMP/in.fifo" >"$TMP/out" 2>"$TMP/err" & pid=$!
for i in $(seq 400); do [ -s "$TMP/fed" ] && break; sleep 0.05; done
kill -INT $pid; sleep 0.3
if kill -0 $pid 2>/dev/null; then alive=yes; else alive=no; fi
kill -TERM $pid
for i in $(seq 400); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
kill -KILL $pid 2>/dev/null; wait $pid; irc=$?
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
[ $alive = yes ] && [ "$irc" = 143 ] && grep -q "interrupted by SIGTERM after 299 records" "$TMP/err" \
  && ok "SIGINT ignored from the start stays ignored; SIGTERM still ends the input" \
  || bad "SIGINT ignored from the start stays ignored (alive after SIGINT: $alive, exit $irc)" "$(cat "$TMP/err")"

# A FIFO named as the input, with no writer yet: open() would wait for one
# past any number of SIGINTs; the first must end the input.
rm -f "$TMP/named.fifo" && mkfifo "$TMP/named.fifo"
env --default-signal=INT "$R" summary "$TMP/named.fifo" >"$TMP/out" 2>"$TMP/err" & pid=$!
sleep 0.3; kill -INT $pid
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
if kill -0 $pid 2>/dev/null; then alive=yes; kill -KILL $pid; else alive=no; fi
wait $pid; irc=$?
[ $alive = no ] && [ "$irc" = 130 ] && grep -q "interrupted by SIGINT after 0 records" "$TMP/err" \
  && ok "SIGINT: a named FIFO without a writer ends at the first SIGINT, exit 130" \
  || bad "SIGINT: a named FIFO without a writer (alive after 5 s: $alive, exit $irc)" "$(cat "$TMP/err")"
# ... and a writer that comes late is read whole, not taken for an empty input.
"$R" summary "$TMP/named.fifo" >"$TMP/out" 2>"$TMP/err" & pid=$!
sleep 0.3; cat $T/root_hpa.trace >"$TMP/named.fifo"
wait $pid; irc=$?
"$R" summary $T/root_hpa.trace >"$TMP/want" 2>/dev/null
[ "$irc" = 0 ] && cmp -s "$TMP/want" "$TMP/out" \
  && ok "a named FIFO whose writer comes late is read whole" \
  || bad "a named FIFO whose writer comes late is read whole (exit $irc)" "$(diff "$TMP/want" "$TMP/out" | head; cat "$TMP/err")"

finish
