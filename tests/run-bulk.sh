#!/usr/bin/env bash
# stap -b: per-CPU bulk files merged by flush sequence
# Bulk files are made here from a text trace, as SystemTap frames them:
# {u32 sequence; u32 pdu_len} per flush (4.8), with the magic F0 9F A9 BA
# before each header from 5.0; flushes alternate between two CPU files.
. "$(dirname "$0")/test-subr.sh"

mkbulk() { # trace out magic drop
  perl -e '
    my ($in, $out, $magic, $drop) = @ARGV;
    open my $fh, "<", $in or die; my @l = <$fh>;
    my @f; for my $c (0, 1) { open $f[$c], ">", "${out}_$c" or die; binmode $f[$c]; }
    my $seq = 0;
    while (@l) {
      my $pdu = join "", splice(@l, 0, 1 + ($seq % 3)); $seq++;
      next if $drop && $seq == $drop;
      my $fd = $f[$seq % 2];
      print $fd "\xf0\x9f\xa9\xba" if $magic;
      print $fd pack("VV", $seq, length $pdu), $pdu;
    }' "$@"
}
for magic in 0 1; do
  mkbulk $S/seed.trace "$TMP/bulk$magic" $magic 0
  "$R" walks --bulk "$TMP/bulk${magic}_0" "$TMP/bulk${magic}_1" >"$TMP/out" 2>"$TMP/err"; rc=$?
  [ $rc = 0 ] && cmp -s "$TMP/out" tests/seed/walks.txt && ok "bulk (magic=$magic): merged walks are the seed's dumps" \
    || bad "bulk (magic=$magic): merged walks (exit $rc)" "$(diff "$TMP/out" tests/seed/walks.txt | head; cat "$TMP/err")"
  "$R" summary --bulk "$TMP/bulk${magic}_1" "$TMP/bulk${magic}_0" >"$TMP/out" 2>&1
  "$R" summary $S/seed.trace >"$TMP/want" 2>&1
  cmp -s "$TMP/out" "$TMP/want" && ok "bulk (magic=$magic): summary equals the text trace's" || bad "bulk (magic=$magic): summary" "$(diff "$TMP/want" "$TMP/out")"
done
mkbulk $S/seed-busy.trace "$TMP/bulkd" 0 4
"$R" summary --bulk "$TMP/bulkd_0" "$TMP/bulkd_1" >"$TMP/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q '^lost: 1 records missing (gaps in per-CPU seq), 1 bulk-mode flushes missing (gaps in their sequence), trailer counts 20 records written, 19 arrived' "$TMP/out" \
  && ok "bulk: a lost flush is reported" || bad "bulk: a lost flush is reported (exit $rc)" "$(cat "$TMP/out")"
head -c 1000 "$TMP/bulk0_0" >"$TMP/cut_0"
"$R" summary --bulk "$TMP/cut_0" "$TMP/bulk0_1" >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -qF "$TMP/cut_0: bulk: file ends inside flush" "$TMP/out" && grep -q '^records:' "$TMP/out" \
  && ok "bulk: a file cut mid-flush is reported, records before it kept" || bad "bulk: cut mid-flush (exit $rc)" "$(cat "$TMP/out")"
"$R" summary --bulk $S/seed.trace >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "bulk: flush [0-9]* claims [0-9]* bytes: expected at most" "$TMP/out" \
  && ok "bulk: a text file given as bulk is refused" || bad "bulk: text as bulk (exit $rc)" "$(cat "$TMP/out")"

finish
