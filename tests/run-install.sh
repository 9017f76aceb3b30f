#!/usr/bin/env bash
# make install and uninstall into scratch DESTDIRs: the files where PREFIX
# says and with their modes, the installed report run on a bundled trace
# (and its html, which needs the sibling next to it), a failed install
# that says so, uninstall leaving nothing of what install put.
. "$(dirname "$0")/test-subr.sh"

B=$(dirname "$R")
mk() { make --no-print-directory -s B="$B" "$@"; }

# What install must put under PREFIX, with modes: the tree's own lists.
want_files() { # prefix
  local p=${1#/}
  { echo "755 $p/bin/kvmmmu-report"
    echo "755 $p/bin/kvmmmu-report-html"
    echo "755 $p/bin/kvmmmu"
    echo "644 $p/share/man/man1/kvmmmu-report.1"
    echo "644 $p/share/man/man1/kvmmmu.1"
    for f in tapsets/*.stp tapsets/*.stpm; do echo "644 $p/share/systemtap/tapset/${f#tapsets/}"; done
    for f in scripts/*.stp; do echo "755 $p/share/kvmmmu/scripts/${f#scripts/}"; done
  } | sort
}
have_files() { # root
  (cd "$1" && find . \( -type f -o -type l \) -printf '%m %P\n' | sort)
}

D=$TMP/root
if mk install DESTDIR="$D" PREFIX=/usr/local >"$TMP/out" 2>&1; then ok "install: PREFIX=/usr/local into DESTDIR"
else bad "install: PREFIX=/usr/local into DESTDIR" "$(cat "$TMP/out")"; fi
want_files /usr/local >"$TMP/want"
have_files "$D" >"$TMP/have"
if [ "$(wc -l <"$TMP/want")" -ge 10 ] && cmp -s "$TMP/want" "$TMP/have"; then ok "install: files and modes"
else bad "install: files and modes" "$(diff -u "$TMP/want" "$TMP/have")"; fi
same=1
for f in tapsets/*.stp tapsets/*.stpm; do cmp -s "$f" "$D/usr/local/share/systemtap/tapset/${f#tapsets/}" || same=0; done
for f in scripts/*.stp; do cmp -s "$f" "$D/usr/local/share/kvmmmu/scripts/${f#scripts/}" || same=0; done
cmp -s docs/kvmmmu-report.1 "$D/usr/local/share/man/man1/kvmmmu-report.1" || same=0
cmp -s docs/kvmmmu.1 "$D/usr/local/share/man/man1/kvmmmu.1" || same=0
if [ $same = 1 ]; then ok "install: tapsets, scripts and man page as in the tree"
else bad "install: tapsets, scripts and man page as in the tree"; fi
shebang=1
for f in "$D"/usr/local/share/kvmmmu/scripts/*.stp; do [ "$(head -n1 "$f")" = '#!/usr/bin/env stap' ] || shebang=0; done
if [ $shebang = 1 ]; then ok "install: every script starts with #!/usr/bin/env stap"
else bad "install: every script starts with #!/usr/bin/env stap"; fi

# The installed binaries, away from the tree's build directory.
exp=$T61/zap_unsync.expected
"$D/usr/local/bin/kvmmmu-report" walks --tree "$T61/zap_unsync.trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" = 0 ] && cmp -s "$exp/walks-tree.txt" "$TMP/out"; then ok "install: the installed kvmmmu-report walks --tree"
else bad "install: the installed kvmmmu-report walks --tree (exit $rc)" "$(diff -u "$exp/walks-tree.txt" "$TMP/out" | head -20; cat "$TMP/err")"; fi
ASAN_OPTIONS=$noleak "$D/usr/local/bin/kvmmmu-report" html "$T61/zap_unsync.trace" >"$TMP/page.html" 2>"$TMP/err"; rc=$?
if [ "$rc" = 0 ] && grep -q '<title>kvmmmu report: 6.1.0-56-amd64' "$TMP/page.html"; then ok "install: the installed kvmmmu-report html finds its sibling"
else bad "install: the installed kvmmmu-report html finds its sibling (exit $rc)" "$(cat "$TMP/err")"; fi

# the installed front end runs the installed scripts, whose tapsets stap
# finds in its own directory (PREFIX=/usr) or by -I (here: no -I, they are
# beside the scripts only under /usr)
"$D/usr/local/bin/kvmmmu" record --dry-run >"$TMP/out" 2>&1; rc=$?
if [ "$rc" = 0 ] && [ "$(cat "$TMP/out")" = "'stap' '$D/usr/local/share/kvmmmu/scripts/zap_unsync.stp' >'kvmmmu.trace' 2>&1" ]; then
  ok "install: the installed kvmmmu record runs the installed scripts"
else bad "install: the installed kvmmmu record runs the installed scripts (exit $rc)" "$(cat "$TMP/out")"; fi
"$D/usr/local/bin/kvmmmu" summary "$T61/zap_unsync.trace" >"$TMP/out" 2>&1; rc=$?
if [ "$rc" = 0 ] && cmp -s "$T61/zap_unsync.expected/summary.txt" "$TMP/out"; then ok "install: the installed kvmmmu summary hands over to kvmmmu-report"
else bad "install: the installed kvmmmu summary hands over (exit $rc)" "$(diff "$T61/zap_unsync.expected/summary.txt" "$TMP/out" | head)"; fi

# uninstall keeps a file it did not install, and says so
touch "$D/usr/local/share/kvmmmu/scripts/mine.stp"
mk uninstall DESTDIR="$D" PREFIX=/usr/local >"$TMP/out" 2>&1; rc=$?
if [ "$rc" = 0 ] && [ "$(have_files "$D")" = "644 usr/local/share/kvmmmu/scripts/mine.stp" ] &&
   grep -q "^uninstall: $D/usr/local/share/kvmmmu/scripts kept: it holds files make install did not put there$" "$TMP/out"; then
  ok "uninstall: a file it did not install is kept, and said"
else bad "uninstall: a file it did not install is kept, and said (exit $rc)" "$(cat "$TMP/out"; have_files "$D")"; fi
rm "$D/usr/local/share/kvmmmu/scripts/mine.stp"
mk uninstall DESTDIR="$D" PREFIX=/usr/local >"$TMP/out" 2>&1; rc=$?
if [ "$rc" = 0 ] && [ -z "$(have_files "$D")" ] && [ ! -e "$D/usr/local/share/kvmmmu" ] && [ -d "$D/usr/local/bin" ]; then
  ok "uninstall: nothing left of what install put, kvmmmu's directories gone"
else bad "uninstall: nothing left of what install put (exit $rc)" "$(cat "$TMP/out"; have_files "$D"; find "$D" -type d)"; fi

# PREFIX=/usr: the tapsets in stap's own directory, found without -I
D=$TMP/usr
mk install DESTDIR="$D" PREFIX=/usr >"$TMP/out" 2>&1; rc=$?
want_files /usr >"$TMP/want"
have_files "$D" >"$TMP/have"
if [ "$rc" = 0 ] && cmp -s "$TMP/want" "$TMP/have" && [ -f "$D/usr/share/systemtap/tapset/kvmmmu_walk.stp" ]; then
  ok "install: PREFIX=/usr puts the tapsets in /usr/share/systemtap/tapset"
else bad "install: PREFIX=/usr (exit $rc)" "$(cat "$TMP/out"; diff -u "$TMP/want" "$TMP/have")"; fi
mk uninstall DESTDIR="$D" PREFIX=/usr >"$TMP/out" 2>&1; rc=$?
if [ "$rc" = 0 ] && [ -z "$(have_files "$D")" ]; then ok "uninstall: PREFIX=/usr, nothing left"
else bad "uninstall: PREFIX=/usr (exit $rc)" "$(cat "$TMP/out"; have_files "$D")"; fi

# An install that cannot write fails, and says where.
touch "$TMP/afile"
mk install DESTDIR="$TMP/afile" PREFIX=/usr/local >"$TMP/out" 2>&1; rc=$?
if [ "$rc" != 0 ] && grep -q "cannot create directory .$TMP/afile.: Not a directory" "$TMP/out"; then ok "install: a DESTDIR it cannot write fails, named"
else bad "install: a DESTDIR it cannot write fails, named (exit $rc)" "$(cat "$TMP/out")"; fi

finish
