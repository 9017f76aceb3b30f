#!/usr/bin/env bash
# kvmmmu, the front end: record's stap command lines (dry run), a stand-in
# stap that shows what record ran and where its output and stderr went, the
# real stap parsing what record hands it, and the hand-over to kvmmmu-report.
. "$(dirname "$0")/test-subr.sh"

K=$(dirname "$R")/kvmmmu
T72=tests/traces/7.2.13+deb14-amd64
top=$(pwd)

if [ "$UPDATE" = 0 ]; then
if [ ! -x "$K" ]; then bad "$K missing (make builds it)"; finish; fi

# ---- dry runs: the command lines ----------------------------------------------
q() { printf "'%s'" "$1"; }
"$K" record --dry-run >"$TMP/out" 2>&1; rc=$?
want="$(q stap) $(q -I) $(q "$top/tapsets") $(q "$top/scripts/zap_unsync.stp") >$(q kvmmmu.trace) 2>&1"
if [ $rc = 0 ] && [ "$(cat "$TMP/out")" = "$want" ]; then ok "record: zap_unsync by default, the tree's tapsets, into kvmmmu.trace"
else bad "record: the default command line (exit $rc)" "want: $want
got:  $(cat "$TMP/out")"; fi
"$K" record -n --script all -d 30 -o "$TMP/d" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && [ "$(wc -l <"$TMP/out")" = 3 ] &&
   grep -qxF "$(q stap) $(q -I) $(q "$top/tapsets") $(q "$top/scripts/root_hpa.stp") $(q -G) $(q duration_s=30) >$(q "$TMP/d/root_hpa.trace") 2>&1" "$TMP/out" &&
   [ ! -e "$TMP/d" ]; then ok "record --script all: three sessions, one file each in the directory, -G duration_s (dry run makes nothing)"
else bad "record --script all (exit $rc)" "$(cat "$TMP/out")"; fi
"$K" record -n -s root_hpa -o x.trace -- sh -c 'sleep 1; echo "a b"' >"$TMP/out" 2>&1; rc=$?
# the line as a shell reads it, then stap -c's string as stap splits it
eval "set -- $(sed 's/ >.*//' "$TMP/out")"
c_arg=${*: -1}
eval "set -- $c_arg"
if [ $rc = 0 ] && [ $# = 3 ] && [ "$1" = sh ] && [ "$2" = -c ] && [ "$3" = 'sleep 1; echo "a b"' ]; then
	ok "record -- COMMAND: stap -c with each argument quoted"
else bad "record -- COMMAND: stap -c with each argument quoted (exit $rc)" "$(cat "$TMP/out")"; fi
KVMMMU_SCRIPTS=/opt/mine "$K" record -n >"$TMP/out" 2>&1
if [ "$(cat "$TMP/out")" = "$(q stap) $(q /opt/mine/zap_unsync.stp) >$(q kvmmmu.trace) 2>&1" ]; then ok "record: KVMMMU_SCRIPTS, no -I"
else bad "record: KVMMMU_SCRIPTS" "$(cat "$TMP/out")"; fi

# ---- a stand-in stap: what ran, and where its output and stderr went -------------
cat >"$TMP/stap" <<'EOF'
#!/bin/sh
echo "kvmmmu 5 fake host 1 script=stand-in"
for a in "$@"; do echo "arg: $a"; done
echo "WARNING: from stderr" >&2
exit "${STAND_IN_EXIT:-0}"
EOF
chmod +x "$TMP/stap"
echo "old content, longer than what replaces it......................................" >"$TMP/out.trace"
ln "$TMP/out.trace" "$TMP/hardlink"
STAND_IN_EXIT=3 "$K" record --stap "$TMP/stap" -s mmu_load_rate -d 5 -o "$TMP/out.trace" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 3 ] && grep -qx "arg: $top/scripts/mmu_load_rate.stp" "$TMP/out.trace" && grep -qx "arg: duration_s=5" "$TMP/out.trace" &&
   grep -qx "WARNING: from stderr" "$TMP/out.trace" && ! grep -q "old content" "$TMP/out.trace" &&
   cmp -s "$TMP/out.trace" "$TMP/hardlink" && grep -qx "kvmmmu record: mmu_load_rate into $TMP/out.trace" "$TMP/out"; then
	ok "record: stap's output and stderr in the file, written in place (a hard link sees it), stap's exit 3"
else bad "record: the stand-in's output, stderr and exit (exit $rc)" "$(cat "$TMP/out" "$TMP/out.trace")"; fi
"$K" record --stap "$TMP/stap" --script all -o "$TMP/all" >"$TMP/out" 2>&1; rc=$?
n=0; for s in zap_unsync root_hpa mmu_load_rate; do grep -qx "arg: $top/scripts/$s.stp" "$TMP/all/$s.trace" 2>/dev/null && n=$((n + 1)); done
if [ $rc = 0 ] && [ $n = 3 ]; then ok "record --script all: three sessions, each into its own file"
else bad "record --script all: three sessions ($n of 3, exit $rc)" "$(cat "$TMP/out")"; fi
"$K" record --stap "$TMP/none" -o "$TMP/nostap.trace" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 127 ] && grep -q "kvmmmu record: cannot run $TMP/none" "$TMP/nostap.trace"; then ok "record: a stap that cannot run: 127, said in the trace"
else bad "record: a stap that cannot run (exit $rc)" "$(cat "$TMP/out" "$TMP/nostap.trace")"; fi

# ---- the real stap parses what record hands it (pass 1: no kernel needed) -------
if command -v stap >/dev/null; then
	# a kernel tree of nothing: pass 1 reads none of it (tests/tapset-checks.sh)
	kt=$TMP/stub-kernel; mkdir -p "$kt/include/config"; : >"$kt/.config"; : >"$kt/Module.symvers"
	echo 0.0.0-parse-only >"$kt/include/config/kernel.release"
	printf '#!/bin/sh\nexec stap -p1 -r %s "$@"\n' "$kt" >"$TMP/stap-p1"
	chmod +x "$TMP/stap-p1"
	for s in zap_unsync root_hpa mmu_load_rate; do
		"$K" record --stap "$TMP/stap-p1" -s $s -d 3 -o "$TMP/p1.out" -- true >"$TMP/out" 2>&1; rc=$?
		if [ $rc = 0 ] && grep -q "^probe " "$TMP/p1.out"; then ok "record: stap -p1 parses $s as record runs it"
		else bad "record: stap -p1 parses $s (exit $rc)" "$(head -20 "$TMP/p1.out")"; fi
	done
else bad "stap missing (make deps installs systemtap)"; fi

# ---- hand-over ----------------------------------------------------------------------
for c in summary "report" "check" "top --once"; do
	# shellcheck disable=SC2086
	"$K" $c "$T72/root_hpa.trace" >"$TMP/front" 2>&1; rc1=$?
	sub=${c/report/summary}
	# shellcheck disable=SC2086
	"$R" $sub "$T72/root_hpa.trace" >"$TMP/direct" 2>&1; rc2=$?
	if [ $rc1 = $rc2 ] && cmp -s "$TMP/front" "$TMP/direct" && [ -s "$TMP/front" ]; then ok "kvmmmu $c: kvmmmu-report $sub's output and exit ($rc1)"
	else bad "kvmmmu $c: kvmmmu-report $sub's output and exit ($rc1, $rc2)" "$(diff "$TMP/direct" "$TMP/front" | head)"; fi
done

# ---- usage --------------------------------------------------------------------------
expect_front() { # rc text args...
	local want=$1 pat=$2; shift 2
	"$K" "$@" >"$TMP/out" 2>&1; local rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$pat" "$TMP/out"; then ok "kvmmmu $*"
	else bad "kvmmmu $* (exit $rc, want $want: $pat)" "$(head -5 "$TMP/out")"; fi
}
expect_front 64 "Usage: kvmmmu record"
expect_front 64 "unknown command 'stat'" stat
expect_front 64 "expected --script zap_unsync" record -n --script nope
expect_front 64 "-- COMMAND with one script only" record -n --script all -- true
expect_front 64 "--duration 0 or more" record -n -d -1
expect_front 2 "cannot write $TMP/no/such/dir/x.trace" record --stap "$TMP/stap" -o "$TMP/no/such/dir/x.trace"
expect_front 0 "kvmmmu 0.1" --version
fi

finish
