#!/usr/bin/env bash
# stap -b: per-CPU bulk files merged by flush sequence
# Bulk files are made here from a text trace, as SystemTap frames them:
# {u32 sequence; u32 pdu_len} per flush (4.8), with the magic F0 9F A9 BA
# before each header from 5.0; flushes alternate between two CPU files.
. "$(dirname "$0")/test-subr.sh"

mkbulk() { # trace out magic drop [first [swap]]
  # first: the sequence number of the first flush (it wraps at 2^32);
  # swap: write flushes swap and swap+2 (both in one file) in each other's place
  perl -e '
    my ($in, $out, $magic, $drop, $first, $swap) = @ARGV;
    open my $fh, "<", $in or die; my @l = <$fh>;
    my @f; for my $c (0, 1) { open $f[$c], ">", "${out}_$c" or die; binmode $f[$c]; }
    my $seq = 0; my @fl;
    while (@l) {
      my $pdu = join "", splice(@l, 0, 1 + ($seq % 3)); $seq++;
      push @fl, [$seq, $pdu];
    }
    @fl[$swap - 1, $swap + 1] = @fl[$swap + 1, $swap - 1] if $swap;
    for my $e (@fl) {
      my ($k, $pdu) = @$e;
      next if $drop && $k == $drop;
      my $fd = $f[$k % 2];
      print $fd "\xf0\x9f\xa9\xba" if $magic;
      print $fd pack("VV", ($k - 1 + ($first // 1)) % 4294967296, length $pdu), $pdu;
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
# The u32 sequence wraps: flush 0 comes after 0xffffffff, and the header
# in flush 0xfffffffe stays first.
mkbulk $S/seed.trace "$TMP/wrap" 1 0 4294967294
"$R" summary --bulk "$TMP/wrap_0" "$TMP/wrap_1" >"$TMP/out" 2>&1; rc=$?
"$R" summary $S/seed.trace >"$TMP/want" 2>&1
[ $rc = 0 ] && cmp -s "$TMP/out" "$TMP/want" && ok "bulk: merged across the sequence's wrap, nothing missing" \
  || bad "bulk: merged across the sequence's wrap (exit $rc)" "$(diff "$TMP/want" "$TMP/out")"
mkbulk $S/seed.trace "$TMP/wrap4" 1 6 4294967294
"$R" summary --bulk "$TMP/wrap4_0" "$TMP/wrap4_1" >"$TMP/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -qx "lost: 1 bulk-mode flushes missing (gaps in their sequence), trailer counts 31 records written, 28 arrived" "$TMP/out" && ok "bulk: a flush lost after the wrap counts once" \
  || bad "bulk: a flush lost after the wrap (exit $rc)" "$(cat "$TMP/out")"
# Flush numbers going back within one file (2 and 4, the first six lines of
# comments, swapped): every flush is there, none is missing.
mkbulk $S/seed.trace "$TMP/back" 0 0 1 2
"$R" summary --bulk "$TMP/back_0" "$TMP/back_1" >"$TMP/out" 2>&1; rc=$?
[ $rc = 0 ] && cmp -s "$TMP/out" "$TMP/want" && ok "bulk: flush numbers going back in a file are no missing flushes" \
  || bad "bulk: flush numbers going back in a file (exit $rc)" "$(diff "$TMP/want" "$TMP/out")"
# One open of all the files: an error is said once, not once per name.
"$R" summary --bulk "$TMP/none_0" "$TMP/none_1" "$TMP/none_2" >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && [ "$(grep -c "Cannot open bulk file: path=$TMP/none_0" "$TMP/out")" = 1 ] \
  && ok "bulk: an open error is said once" || bad "bulk: an open error is said once (exit $rc)" "$(cat "$TMP/out")"
head -c 1000 "$TMP/bulk0_0" >"$TMP/cut_0"
"$R" summary --bulk "$TMP/cut_0" "$TMP/bulk0_1" >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -qF "$TMP/cut_0: bulk: file ends inside flush" "$TMP/out" && grep -q '^records:' "$TMP/out" \
  && ok "bulk: a file cut mid-flush is reported, records before it kept" || bad "bulk: cut mid-flush (exit $rc)" "$(cat "$TMP/out")"
"$R" summary --bulk $S/seed.trace >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "bulk: flush [0-9]* claims [0-9]* bytes: expected at most" "$TMP/out" \
  && ok "bulk: a text file given as bulk is refused" || bad "bulk: text as bulk (exit $rc)" "$(cat "$TMP/out")"

finish
