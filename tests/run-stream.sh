#!/usr/bin/env bash
# streaming: memory does not grow with the trace
. "$(dirname "$0")/test-subr.sh"

if [ -n "${KVMMMU_SANITIZE:-}" ]; then
  echo "skip streaming memory: sanitizers change what memory means"
elif [ -x /usr/bin/time ]; then
  gen() { # N walks with 4 steps each, load records, one vCPU snapshot per 1000 walks
    awk -v n="$1" 'BEGIN {
      print "kvmmmu 1 6.1.0-56-amd64 gen 1000000000";
      s=0;
      for (w = 1; w <= n; w++) {
        t = 1000000000 + w * 1000; c = w % 2;
        printf "walk %d %d %d %d 0 a%x 6 a%x,4,0,4294967295,0 b%x,3,1,0,0 c%x,2,2,1,0 d%x,1,3,2,1 e%x,1,4,3,1 f%x,1,5,4,1\n", t, c, ++s, w, w, w, w, w, w, w, w;
        for (i = 3; i <= 5; i++) printf "step %d %d %d %d %d %x 3 c%x,2 b%x,3 a%x,4\n", t + i, c, ++s, w, i, (i==3?0xd0000+w:0)+(i==4?0xe0000+w:0)+(i==5?0xf0000+w:0), w, w, w;
        printf "load %d %d %d ffff1 %d 0 300 %x 1000 3704\n", t + 7, c, ++s, w % 4, 4096 * (w % 50);
      }
    }'
  }
  # The step sp fields above are not the walk pages: checks fail, which is
  # fine here; this measures memory only.
  gen 20000 >"$TMP/small.trace"; gen 80000 >"$TMP/big.trace"
  for c in "summary" "walks" "roots" "hist"; do
    /usr/bin/time -f %M "$R" $c "$TMP/small.trace" >/dev/null 2>"$TMP/m1" || true
    /usr/bin/time -f %M "$R" $c "$TMP/big.trace" >/dev/null 2>"$TMP/m2" || true
    m1=$(tail -1 "$TMP/m1") m2=$(tail -1 "$TMP/m2")
    # 4x the records may not cost more than 25% more peak memory
    if [ "$m1" -gt 0 ] 2>/dev/null && [ $((m2 * 100)) -le $((m1 * 125)) ]; then ok "streaming memory: $c (${m1} KiB -> ${m2} KiB for 4x records)"
    else bad "streaming memory: $c (${m1} KiB -> ${m2} KiB for 4x records)"; fi
  done
else
  bad "/usr/bin/time missing (make deps installs time)"
fi

finish
