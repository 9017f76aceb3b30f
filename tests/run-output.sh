#!/usr/bin/env bash
# html -o: the named file written through, not replaced by a rename
. "$(dirname "$0")/test-subr.sh"

O=$TMP/out-files && mkdir -p "$O"
html_o() { ASAN_OPTIONS=$noleak "$R" html -o "$@" $S/seed.trace >"$TMP/out" 2>"$TMP/err"; }
echo old >"$O/target.html" && ln -s target.html "$O/link.html"
html_o "$O/link.html"; rc=$?
[ $rc = 0 ] && [ -L "$O/link.html" ] && [ "$(readlink "$O/link.html")" = target.html ] \
  && grep -q '<title>kvmmmu report' "$O/target.html" \
  && ok "html -o: a symlink is written through, and stays a symlink" || bad "html -o: a symlink is written through (exit $rc)" "$(ls -l "$O"; cat "$TMP/err")"
ln -s new-target.html "$O/dangling.html"
html_o "$O/dangling.html"; rc=$?
[ $rc = 0 ] && [ -L "$O/dangling.html" ] && grep -q '<title>kvmmmu report' "$O/new-target.html" \
  && ok "html -o: a dangling symlink creates its target" || bad "html -o: a dangling symlink creates its target (exit $rc)" "$(ls -l "$O"; cat "$TMP/err")"
echo old >"$O/mode.html" && chmod 0640 "$O/mode.html"
html_o "$O/mode.html"; rc=$?
[ $rc = 0 ] && [ "$(stat -c %a "$O/mode.html")" = 640 ] && grep -q '<title>kvmmmu report' "$O/mode.html" \
  && ok "html -o: an existing file keeps its mode 0640" || bad "html -o: an existing file keeps its mode (exit $rc, mode $(stat -c %a "$O/mode.html"))" "$(cat "$TMP/err")"
# Written through, not renamed over: the same inode, so a hard link to it
# sees the page; an old file longer than the page is cut to the page.
head -c 3000000 /dev/zero | tr '\0' x >"$O/long.html" && ln "$O/long.html" "$O/hardlink.html"
ino=$(stat -c %i "$O/long.html")
html_o "$O/long.html"; rc=$?
[ $rc = 0 ] && [ "$(stat -c %i "$O/long.html")" = "$ino" ] && [ "$(stat -c %h "$O/long.html")" = 2 ] \
  && cmp -s "$O/long.html" "$O/hardlink.html" && [ "$(tail -c 8 "$O/long.html")" = "</html>" ] \
  && ! grep -q xxx "$O/long.html" \
  && ok "html -o: an existing file is written in place (same inode, hard link kept) and cut to the page" \
  || bad "html -o: an existing file written in place (exit $rc)" "$(ls -li "$O"; tail -c 20 "$O/long.html"; cat "$TMP/err")"
(umask 027; html_o "$O/new.html"); rc=$?
[ $rc = 0 ] && [ "$(stat -c %a "$O/new.html")" = 640 ] \
  && ok "html -o: a new file is 0666 less the umask" || bad "html -o: a new file is 0666 less the umask (exit $rc, mode $(stat -c %a "$O/new.html"))" "$(cat "$TMP/err")"
expect_cli 64 "kvmmmu-report html: Cannot write html: path=$O is a directory" html -o "$O" $S/seed.trace
# Refused before the input is read: a pipe nobody writes to is never waited on.
mkfifo "$O/never.fifo"
timeout 10 "$R" html -o "$O" "$O/never.fifo" >"$TMP/out" 2>&1; rc=$?
[ $rc = 64 ] && grep -qF "path=$O is a directory" "$TMP/out" \
  && ok "html -o DIR: refused before any input is read" || bad "html -o DIR: refused before any input is read (exit $rc)" "$(cat "$TMP/out")"
rm -f "$O/never.fifo"
mkfifo "$O/page.fifo"
timeout 20 cat "$O/page.fifo" >"$O/from-fifo.html" & catpid=$!
timeout 20 env ASAN_OPTIONS=$noleak "$R" html -o "$O/page.fifo" $S/seed.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
wait $catpid
[ $rc = 0 ] && [ -p "$O/page.fifo" ] && grep -q '</html>' "$O/from-fifo.html" \
  && ok "html -o: a FIFO gets the page and stays a FIFO" || bad "html -o: a FIFO gets the page (exit $rc)" "$(ls -l "$O"; cat "$TMP/err")"
# A write that fails (the file size limit: EFBIG once SIGXFSZ is ignored)
# names the path and the reason before the old file is touched (its room
# is reserved first), and leaves no other file behind.
mkdir "$O/efbig" && echo "old report" >"$O/efbig/page.html"
(trap '' XFSZ; ulimit -f 1; ASAN_OPTIONS=$noleak "$R" html -o "$O/efbig/page.html" $S/seed.trace) >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 2 ] && grep -qxF "kvmmmu-report html: Failed to write html: path=$O/efbig/page.html: File too large" "$TMP/err" \
   && [ "$(cat "$O/efbig/page.html")" = "old report" ] && [ "$(ls -A "$O/efbig")" = page.html ]; then
  ok "html -o: a failed write is named, the old file intact, no other file left"
else bad "html -o: a failed write (exit $rc)" "$(cat "$TMP/err"; ls -lA "$O/efbig")"; fi
# A new file that cannot take the page is not left behind, half written.
(trap '' XFSZ; ulimit -f 1; ASAN_OPTIONS=$noleak "$R" html -o "$O/efbig/new.html" $S/seed.trace) >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc = 2 ] && grep -qxF "kvmmmu-report html: Failed to write html: path=$O/efbig/new.html: File too large" "$TMP/err" \
  && [ ! -e "$O/efbig/new.html" ] \
  && ok "html -o: a new file that cannot be written whole is removed" \
  || bad "html -o: a new file that cannot be written whole (exit $rc)" "$(cat "$TMP/err"; ls -lA "$O/efbig")"
# stdout too: a report cut short by the same limit does not exit 0.
(trap '' XFSZ; ulimit -f 1; "$R" walks tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$O/walks.txt") 2>"$TMP/err"; rc=$?
[ $rc = 2 ] && grep -qxF "kvmmmu-report: Failed to write report: path=<stdout>: File too large" "$TMP/err" \
  && ok "stdout: a failed write is named, exit 2" || bad "stdout: a failed write is named (exit $rc)" "$(cat "$TMP/err")"

finish
