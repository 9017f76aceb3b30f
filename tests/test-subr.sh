#!/usr/bin/env bash
# test-subr.sh - what every tests/run-*.sh suite sources, as elfutils'
# run-*.sh source test-subr.sh: the report under test, a scratch directory,
# ok/bad counting, and the inputs several suites read.  A suite ends with
# finish, which prints "run-NAME.sh: N ok, N failing" (tests/run-tests.sh
# totals them) and exits non-zero on any failure.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
R=${KVMMMU_REPORT:-build/kvmmmu-report}
UPDATE=${UPDATE:-0}
# Reports decode role words with debuginfo found on the machine; expected
# outputs must not depend on what this machine has: built-in tables only.
export KVMMMU_DEBUGINFO_DIRS=
# ... and no debuginfod server asked (a login shell on Debian names one).
unset DEBUGINFOD_URLS
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
S=tests/traces/handmade
T61=tests/traces/6.1.0-56-amd64
# html draws through cairo and Graphviz, whose caches LeakSanitizer counts
noleak=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

ok()   { pass=$((pass + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' <<<"$2" | head -40; return 0; }

# "$1" appears in "$2" as consecutive whole lines
contains_block() {
  awk 'NR == FNR { want = want $0 "\n"; next } { got = got $0 "\n" }
       END { exit index("\n" got, "\n" want) ? 0 : 1 }' "$1" "$2"
}

expect_cli() { # want_rc pattern args...
  local want=$1 pat=$2; shift 2
  "$R" "$@" >"$TMP/out" 2>&1; local rc=$?
  if [ "$rc" = "$want" ] && grep -qF -- "$pat" "$TMP/out"; then ok "cli $*"
  else bad "cli $* (exit $rc, want $want; want text: $pat)" "$(head -5 "$TMP/out")"; fi
}

# The suite's counts, for tests/run-tests.sh, and its status.
finish() {
  local name
  name=$(basename "$0")
  echo "$name: $pass ok, $fail failing"
  [ -n "${KVMMMU_TEST_COUNTS:-}" ] && echo "$name $pass $fail" >>"$KVMMMU_TEST_COUNTS"
  [ "$fail" = 0 ]
  exit $?
}
