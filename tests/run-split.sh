#!/usr/bin/env bash
# the same answers however the reading is split
# Worker threads with one line per chunk (every boundary a chunk boundary),
# and every line through the full parser: the output must not change.
. "$(dirname "$0")/test-subr.sh"

MODES=("KVMMMU_THREADS=2 KVMMMU_CHUNK_BYTES=1" "KVMMMU_THREADS=2 KVMMMU_CHUNK_BYTES=4096" "KVMMMU_FASTPARSE=0" "KVMMMU_MMAP=0 KVMMMU_THREADS=2 KVMMMU_CHUNK_BYTES=4096")
for trace in tests/traces/*/*.trace; do
  exp=${trace%.trace}.expected
  trace_rc=0; [ -f "$exp/exit" ] && trace_rc=$(cat "$exp/exit")
  for mode in "${MODES[@]}"; do
    for r in "walks|walks" "summary|summary" "hist-log|hist" "roots|roots" "check|check"; do
      name=${r%%|*} args=${r#*|}
      want_rc=$trace_rc; [ -f "$exp/$name.exit" ] && want_rc=$(cat "$exp/$name.exit")
      # shellcheck disable=SC2086
      env $mode "$R" $args "$trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
      if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$exp/$name.txt"; then ok "split $mode: $trace $name"
      else bad "split $mode: $trace $name (exit $rc, want $want_rc)" "$(diff -u "$exp/$name.txt" "$TMP/out" | head -20; cat "$TMP/err")"; fi
    done
  done
done
for t in tests/fail/*.trace; do
  args=$(awk '$1=="args"{$1=""; print substr($0,2)}' "${t%.trace}.expect"); [ -n "$args" ] || args=summary
  # (html's drawing libraries keep caches to the end: as run-fail.sh does)
  leak=; case $args in html*) leak=ASAN_OPTIONS=$noleak ;; esac
  # shellcheck disable=SC2086
  env $leak "$R" $args "$t" >"$TMP/want" 2>&1; want_rc=$?
  for mode in "${MODES[@]}"; do
    # shellcheck disable=SC2086
    env $leak $mode "$R" $args "$t" >"$TMP/out" 2>&1; rc=$?
    if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$TMP/want"; then ok "split $mode: $t"
    else bad "split $mode: $t (exit $rc, want $want_rc)" "$(diff -u "$TMP/want" "$TMP/out" | head -20)"; fi
  done
done

# A pipe is read and parsed on the main thread, in the same chunks.
for trace in tests/traces/6.1.0-56-amd64/zap_unsync.trace tests/traces/6.12.117+deb12-amd64/root_hpa.trace; do
  exp=${trace%.trace}.expected
  for r in "walks|walks" "summary|summary"; do
    name=${r%%|*} args=${r#*|}
    # shellcheck disable=SC2086
    cat "$trace" | KVMMMU_CHUNK_BYTES=777 "$R" $args - >"$TMP/out" 2>"$TMP/err"; rc=$?
    want_rc=0; [ -f "$exp/$name.exit" ] && want_rc=$(cat "$exp/$name.exit")
    if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$exp/$name.txt"; then ok "pipe: $trace $name"
    else bad "pipe: $trace $name (exit $rc, want $want_rc)" "$(diff -u "$exp/$name.txt" "$TMP/out" | head -20; cat "$TMP/err")"; fi
  done
done

# A regular file is mapped (KVMMMU_MMAP=1: these are smaller than a chunk,
# which is otherwise read), not read: the same answer as read(2) when the
# file ends exactly at a page end (the fast path reads past a line, into
# the zero page after the file), with and without its last '\n', and when
# the file descriptor starts past the file's start.
src=tests/traces/6.1.0-56-amd64/zap_unsync.trace
head -c 8192 "$src" >"$TMP/page-cut.trace"
{ head -c 8191 "$src"; printf '\n'; } >"$TMP/page-nl.trace"
head -c 4096 "$src" | head -n -1 >"$TMP/page-pad.trace"
pad=$((4096 - $(stat -c %s "$TMP/page-pad.trace") - 1))
{ cat "$TMP/page-pad.trace"; printf '%*s\n' "$pad" x; } >"$TMP/page-pad2.trace"
for t in page-cut page-nl page-pad2; do
  for args in summary walks; do
    KVMMMU_MMAP=0 "$R" $args "$TMP/$t.trace" >"$TMP/want" 2>&1; want_rc=$?
    KVMMMU_MMAP=1 "$R" $args "$TMP/$t.trace" >"$TMP/out" 2>&1; rc=$?
    if [ "$(stat -c %s "$TMP/$t.trace")" -gt 4000 ] && [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$TMP/want"; then
      ok "mapped: $t ($(stat -c %s "$TMP/$t.trace") bytes) $args"
    else bad "mapped: $t $args (exit $rc, want $want_rc)" "$(diff -u "$TMP/want" "$TMP/out" | head -20)"; fi
  done
done
# From a descriptor already one line in (bash's read seeks back to the
# line's end): the header is not first, so both ways refuse the same way.
for mode in "KVMMMU_MMAP=0" "KVMMMU_MMAP=1"; do
  { read -r _; env $mode "$R" summary - ; } <"$src" >"$TMP/out-$mode" 2>&1; echo "exit $?" >>"$TMP/out-$mode"
done
if cmp -s "$TMP/out-KVMMMU_MMAP=0" "$TMP/out-KVMMMU_MMAP=1" && grep -q "expected 'kvmmmu VERSION" "$TMP/out-KVMMMU_MMAP=1" && grep -q "exit [1-9]" "$TMP/out-KVMMMU_MMAP=1"; then
  ok "mapped: from a descriptor one line in"
else bad "mapped: from a descriptor one line in" "$(diff -u "$TMP/out-KVMMMU_MMAP=0" "$TMP/out-KVMMMU_MMAP=1"; head -5 "$TMP/out-KVMMMU_MMAP=1")"; fi

# html runs in kvmmmu-report-html, next to kvmmmu-report: only it loads
# the drawing libraries.  Without it, html says what it could not run.
if ldd "$R" 2>/dev/null | grep -q 'libcairo\|libgvc'; then bad "html split: $R links the drawing libraries" "$(ldd "$R" | grep 'cairo\|gvc')"
else ok "html split: $R links no drawing library"; fi
# (Graphviz and fontconfig keep caches to the end: LeakSanitizer is told
# not to count them, as for the page tests below; valgrind checks html.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$R" html tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$TMP/page.html" 2>"$TMP/err"; rc=$?
if [ "$rc" = 0 ] && grep -q '<title>kvmmmu report: 6.1.0-56-amd64' "$TMP/page.html"; then ok "html split: kvmmmu-report html runs the page"
else bad "html split: kvmmmu-report html runs the page (exit $rc)" "$(cat "$TMP/err")"; fi
mkdir -p "$TMP/alone" && cp "$R" "$TMP/alone/kvmmmu-report"
"$TMP/alone/kvmmmu-report" html tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" = 2 ] && [ ! -s "$TMP/out" ] && grep -q "^kvmmmu-report html: cannot run $TMP/alone/kvmmmu-report-html: No such file or directory$" "$TMP/err"; then
  ok "html split: a missing kvmmmu-report-html is named"
else bad "html split: a missing kvmmmu-report-html is named (exit $rc)" "$(cat "$TMP/err")"; fi

finish
