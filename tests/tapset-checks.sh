#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tapset-checks.sh [GENERATED_STPM] - the checks of the tapsets that need no
# kernel (make check runs them, and make check-tapsets-parse alone):
#   - stap -p1 parses every tapset, script and buildok file;
#   - no function is marked unprivileged, and a stapusr script may not call
#     one that reads kernel memory: the tapsets need stapdev;
#   - embedded C is in kvmmmu_runtime.stp only (and in the C table of the
#     generated kvmmmu_format.stpm, which only that file expands);
#   - the committed tapsets/kvmmmu_format.stpm is what src/format/records.h
#     generates (GENERATED_STPM, the build's), and no other tapset spells a
#     record keyword.
# One line per check, "ok NAME" or "FAIL NAME" and the reason indented.
# Exit status 0 when every check passed.
set -u
cd "$(dirname "$0")/.."
GEN=${1:-}
STAP=${STAP:-stap}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' <<<"$2" | head -40; return 0; }

if command -v "$STAP" >/dev/null; then
  # stap wants a kernel build tree even to parse: a stub with a .config, a
  # Module.symvers and a release is enough for pass 1.  A tapset with a
  # parse error is only warned about and skipped, so its warning fails it.
  K=$TMP/stub-kernel; mkdir -p "$K/include/config"; : >"$K/.config"; : >"$K/Module.symvers"
  echo 0.0.0-parse-only >"$K/include/config/kernel.release"
  "$STAP" -p1 -r "$K" -I tapsets -e 'probe never {}' >/dev/null 2>"$TMP/tapsets.err"; rc=$?
  for f in tapsets/*.stp tapsets/*.stpm; do
    [ -f "$f" ] || continue
    if [ $rc = 0 ] && ! grep -q "${f##*/}\" has errors" "$TMP/tapsets.err"; then ok "stap -p1 $f"
    else bad "stap -p1 $f" "$(cat "$TMP/tapsets.err")"; fi
  done
  for f in scripts/*.stp tests/buildok/*.stp; do
    [ -f "$f" ] || continue
    if out=$("$STAP" -p1 -r "$K" -I tapsets "$f" 2>&1 >/dev/null) && ! grep -q 'has errors' <<<"$out"; then
      ok "stap -p1 $f"
    else bad "stap -p1 $f" "$out"; fi
  done
  # The runtime's functions read kernel memory and module state: a script
  # built for stapusr must not reach them.
  for fn in '__kvmmmu_zap_gather(0, 0, 0, 0, 0, 0, 0, 0, 0)' 'kvmmmu_print_load(0, 0, 0, 0, 0, 0, 0)' \
            'kvmmmu_print_vcpu_roots(0, 1)'; do
    if "$STAP" -p2 --privilege=stapusr -r "$K" -I tapsets -e "probe begin { println($fn) }" \
         >/dev/null 2>"$TMP/err" || ! grep -q "may not be used when --privilege=stapusr" "$TMP/err"; then
      bad "stapusr may not call ${fn%%(*}" "$(cat "$TMP/err")"
    else ok "stapusr may not call ${fn%%(*}"; fi
  done
else
  bad "stap missing (make deps installs systemtap)"
fi

if grep -n 'unprivileged' tapsets/* >"$TMP/marks"; then
  bad "no tapset function is marked unprivileged" "$(cat "$TMP/marks")"
else ok "no tapset function is marked unprivileged"; fi

if grep -n '%{' $(ls tapsets/*.stp | grep -v '/kvmmmu_runtime.stp$') >"$TMP/c"; then
  bad "embedded C only in tapsets/kvmmmu_runtime.stp" "$(cat "$TMP/c")"
else ok "embedded C only in tapsets/kvmmmu_runtime.stp"; fi
if [ "$(grep -l '@__kvmmmu_format_c' tapsets/*.stp)" = tapsets/kvmmmu_runtime.stp ]; then
  ok "the format's C is expanded by kvmmmu_runtime.stp only"
else bad "the format's C is expanded by kvmmmu_runtime.stp only" "$(grep -n '@__kvmmmu_format_c' tapsets/*.stp)"; fi

if [ -n "$GEN" ]; then
  if cmp -s "$GEN" tapsets/kvmmmu_format.stpm; then ok "tapsets/kvmmmu_format.stpm is what records.h generates"
  else bad "tapsets/kvmmmu_format.stpm is what records.h generates: run make tapset-format" \
         "$(diff "$GEN" tapsets/kvmmmu_format.stpm)"; fi
  # Every keyword of the generated table, as a string in code anywhere else
  # (doc comments may show a line).
  kws=$(sed -n 's/^\t\[KVMMMU_KIND_[A-Z_]*\] = { "\([a-z_]*\)".*/\1/p' "$GEN" | paste -sd'|')
  if [ -z "$kws" ]; then bad "record keywords found in $GEN"
  elif grep -nE "\"($kws|kvmmmu)[ \"]" $(ls tapsets/*.stp scripts/*.stp) |
       grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|//|/\*)' >"$TMP/kw"; then
    bad "no tapset or script spells a record keyword (kvmmmu_format.stpm does)" "$(cat "$TMP/kw")"
  else ok "no tapset or script spells a record keyword (kvmmmu_format.stpm does)"; fi
fi
# The reference in docs/tapsets.md is what the doc comments say now.
marker='<!-- everything below is written by make tapset-doc -->'
if ! grep -qxF "$marker" docs/tapsets.md; then
  bad "docs/tapsets.md has its reference part" "no line '$marker'"
elif tests/tapset-reference.sh >"$TMP/ref" 2>&1 &&
     sed "1,/^$marker\$/d" docs/tapsets.md | sed 1d | cmp -s - "$TMP/ref"; then
  ok "docs/tapsets.md's reference is the tapsets' doc comments"
else
  bad "docs/tapsets.md's reference is the tapsets' doc comments: run make tapset-doc" \
    "$(sed "1,/^$marker\$/d" docs/tapsets.md | sed 1d | diff - "$TMP/ref")"
fi
[ $fails = 0 ]
