#!/usr/bin/env bash
# the command line
. "$(dirname "$0")/test-subr.sh"

expect_cli 0 "kvmmmu-report " --version
expect_cli 0 "Commands:" --help
# Each command's usage names it once, and --format offers only its formats.
for c in walks roots hist summary check html kernel-info; do
  "$R" $c --help >"$TMP/out" 2>&1
  if grep -qx "  kvmmmu-report $c \[OPTION…\] .*" "$TMP/out" && [ "$(grep -o "\b$c\b" "$TMP/out" | head -3 | wc -l)" -ge 1 ] \
     && [ "$(sed -n 2p "$TMP/out" | grep -o "\b$c\b" | wc -l)" = 1 ]; then ok "cli $c --help: its usage names it once"
  else bad "cli $c --help: its usage names it once" "$(head -3 "$TMP/out")"; fi
done
expect_cli 0 "Output format: text, json, csv or dot (default text)" walks --help
expect_cli 0 "Output format: text, json, csv or openmetrics (default text)" roots --help
expect_cli 0 "With --format openmetrics: write to FILE, not stdout" roots --help
expect_cli 0 "Output format: text, json or csv (default text)" hist --help
"$R" html --help >"$TMP/out" 2>&1; ! grep -q -- "--format" "$TMP/out" && ok "cli html --help offers no --format" || bad "cli html --help offers no --format" "$(cat "$TMP/out")"
expect_cli 64 "unknown format 'dot': expected text, json, csv or openmetrics" summary --format dot $S/seed.trace
expect_cli 0 "--linear" hist --help
expect_cli 64 "unknown command 'frob'" frob
expect_cli 64 "Usage: kvmmmu-report COMMAND" 
expect_cli 64 "no input: give a trace file" walks
expect_cli 64 "unknown format 'xml'" summary --format xml $S/seed.trace
expect_cli 64 "bad --linear '1,2'" hist --linear 1,2 $S/seed.trace
expect_cli 64 "expected start < stop and step > 0" hist --linear 0,100,0 $S/seed.trace
expect_cli 64 "bad --interval 'soon'" hist --interval soon $S/seed.trace
expect_cli 64 "bad --interval '4.7e19s'" hist --interval 4.7e19s $S/seed.trace
expect_cli 64 "bad --interval 'inf'" hist --interval inf $S/seed.trace
expect_cli 64 "bad --interval 'nan'" hist --interval nan $S/seed.trace
expect_cli 64 "Cannot regroup load_rate counts" hist --interval 1500ms $S/seed.trace
expect_cli 2 "Cannot open trace: path=no-such.trace" summary no-such.trace
expect_cli 0 "10 intervals" hist --interval 1s $S/seed.trace
expect_cli 0 "5 intervals" hist --interval 2s $S/seed.trace
expect_cli 64 "--kvm-before and --kvm-after go together" check --kvm-before x $S/seed.trace
expect_cli 2 "Cannot read KVM counters" check --kvm-before no-such --kvm-after no-such $S/seed.trace
expect_cli 0 "ok,trailer,trailer: present" check --format csv $S/seed.trace
# --span: a span of the marks beside the trace (or --marks), as --time @START,@END
SP=tests/traces/handmade-span
expect_cli 0 "kvm_mmu_load per 1 s: 4 intervals, 40 events" hist --span busy $SP/root_hpa.trace
expect_cli 0 "kvm_mmu_load per 1 s: 4 intervals, 40 events" hist --span busy --marks $SP/marks - < $SP/root_hpa.trace
# loads per second over the span (4 s), not the capture (12.9 s)
expect_cli 0 "1,0,ffff888100000000,0,4,0,0,1,3,1,0,0,0,1.000," roots --format csv --span quiet $SP/root_hpa.trace
expect_cli 0 "Roots per vCPU over 4.000000s" roots --span busy $SP/root_hpa.trace
expect_cli 64 "--span calm: $SP/marks: no span 'calm' ('calm start' then 'calm end'); it has: quiet busy" hist --span calm $SP/root_hpa.trace
expect_cli 64 "--span and --time both set the time range: give one" hist --span busy --time 1,2 $SP/root_hpa.trace
expect_cli 64 "--marks is the file of --span: give --span NAME too" hist --marks $SP/marks $SP/root_hpa.trace
expect_cli 64 "--span busy: the input is stdin: name the marks file with --marks FILE" hist --span busy - < $SP/root_hpa.trace
expect_cli 64 "--span busy: Failed to open file" hist --span busy $S/seed.trace
printf 'busy start 1004500000000\nbusy end soon\n' >"$TMP/marks"
expect_cli 64 "--span busy: $TMP/marks:2: mark: expected 'NAME start|end NS' (NS is a decimal number of nanoseconds)" \
  hist --span busy --marks "$TMP/marks" $SP/root_hpa.trace
printf 'busy start 1004500000000\nbusy end 1004000000000\n' >"$TMP/marks"
expect_cli 64 "$TMP/marks:2: mark: expected 'NAME start|end NS' (an end after its start)" \
  hist --span busy --marks "$TMP/marks" $SP/root_hpa.trace
printf 'busy begin 1004500000000\n' >"$TMP/marks"
expect_cli 64 "$TMP/marks:1: mark: expected 'NAME start|end NS' (the second is start or end)" \
  hist --span busy --marks "$TMP/marks" $SP/root_hpa.trace

# A capture of another script says what it lacks, not zeros and exit 0.
expect_cli 1 "kvmmmu-report walks: no walk records in the input (captures from script=root_hpa): walks reads the walk records zap_unsync writes" \
  walks tests/traces/6.1.0-56-amd64/root_hpa.trace
expect_cli 1 "kvmmmu-report hist: no load records in the input (captures from script=zap_unsync): hist reads the load records root_hpa writes" \
  hist --latency tests/traces/6.1.0-56-amd64/zap_unsync.trace
expect_cli 1 "kvmmmu-report roots: no load, switch or vcpu_root records in the input (captures from script=zap_unsync): roots reads" \
  roots tests/traces/6.1.0-56-amd64/zap_unsync.trace
# walks --tree --kernel-style prints each role as the kernel's tracepoint
# does: the first pages drawn, looked up in the kernel's own printing of them
# taken beside the capture (root_count aside: not recorded).
for k in 6.1.0-56-amd64 7.2.13+deb14-amd64; do
  t=tests/traces/$k/zap_unsync.trace
  "$R" walks --tree --kernel-style "$t" 2>/dev/null | grep -m4 'kernel: ' >"$TMP/ks"
  n=0 found=0
  while IFS= read -r l; do
    gfn=$(sed -n 's/.* gfn \([0-9a-f]*\) role .*/\1/p' <<<"$l"); ks=$(sed -n 's/.*\[kernel: \(.*\)\].*/\1/p' <<<"$l")
    n=$((n + 1)); grep -qF "gfn $gfn ${ks% *} root 0 ${ks##* }" "${t%.trace}.tracepoints" && found=$((found + 1))
  done <"$TMP/ks"
  [ $n = 4 ] && [ $found = 4 ] && ok "cli walks --kernel-style $k: roles as the kernel printed them" \
    || bad "cli walks --kernel-style $k: $found of $n found in the tracepoints" "$(cat "$TMP/ks")"
done
expect_cli 64 "--kernel-style goes with --tree (text)" walks --kernel-style $S/seed.trace
# Walk ids start again in each capture: every machine row says which.
cat tests/traces/6.1.0-56-amd64/zap_unsync-fill.trace tests/traces/6.1.0-56-amd64/zap_unsync-fill.trace >"$TMP/two-fill.trace"
"$R" walks --format csv "$TMP/two-fill.trace" >"$TMP/out" 2>/dev/null
n1=$(grep -c '^1,1,' "$TMP/out"); n2=$(grep -c '^2,1,' "$TMP/out")
[ "$(head -n1 "$TMP/out" | cut -d, -f1-2)" = "capture,walk" ] && [ "$n1" -gt 0 ] && [ "$n1" = "$n2" ] \
  && ok "cli walks csv: a capture column, walk 1 of each capture apart" || bad "cli walks csv: capture column ($n1 vs $n2 rows)" "$(head -3 "$TMP/out")"
"$R" walks --format json "$TMP/two-fill.trace" 2>/dev/null | grep -o '"walk":1,"capture":[0-9]*' | sort -u >"$TMP/out"
[ "$(cat "$TMP/out" | tr '\n' ' ')" = '"walk":1,"capture":1 "walk":1,"capture":2 ' ] \
  && ok "cli walks json: each walk names its capture" || bad "cli walks json: each walk names its capture" "$(cat "$TMP/out")"
"$R" walks --tree "$TMP/two-fill.trace" 2>/dev/null | grep -q '^walk 1 (capture 2) at ' \
  && ok "cli walks --tree: a later capture's walks say which" || bad "cli walks --tree: a later capture's walks say which"
# Filters select what a report shows; the counts are checked against awk
# over the same trace.
"$R" roots --vcpu 1 $T61/root_hpa.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && grep -Eq '^vcpu\[1\] +[0-9]' "$TMP/out" && ! grep -Eq '^vcpu\[0\] +[0-9]' "$TMP/out" \
   && grep -q "^kvmmmu-report: --vcpu 1: [0-9]* records left out; loss and summary counts cover the whole input$" "$TMP/err"
then ok "cli filter --vcpu: one vCPU's roots, and what was left out said"
else bad "cli filter --vcpu (exit $rc)" "$(cat "$TMP/out" "$TMP/err" | head)"; fi
want=$(awk '$1 == "walk" && $3 == 0' $T61/zap_unsync.trace | wc -l)
"$R" walks --cpu 0 $T61/zap_unsync.trace 2>&1 >/dev/null | grep -q "^kvmmmu-report: walks: $want checked, 0 not in depth-first order" \
  && ok "cli filter --cpu 0: the $want walks written on CPU 0" || bad "cli filter --cpu 0: want $want walks"
"$R" walks --tree --walk 3,5 $T61/zap_unsync.trace >"$TMP/out" 2>&1
[ "$(grep -c '^walk ' "$TMP/out")" = 2 ] && grep -q '^walk 3 at ' "$TMP/out" && grep -q '^walk 5 at ' "$TMP/out" \
  && grep -q 'walks: 2 checked, 0 not in depth-first order, 0 of 6 step paths wrong, 0 leaves not zapped' "$TMP/out" \
  && ok "cli filter --walk 3,5: those walks with their steps" || bad "cli filter --walk 3,5" "$(grep -v '^ ' "$TMP/out")"
start=$(head -n1 $T61/root_hpa.trace | cut -d' ' -f5)
want=$(awk -v s="$start" '$1 == "load" && $2 >= s + 500000000 && $2 < s + 1000000000' $T61/root_hpa.trace | wc -l)
"$R" hist --latency --time 0.5,1 $T61/root_hpa.trace 2>/dev/null | grep -q "^count=$want " \
  && ok "cli filter --time 0.5,1: the $want loads in that second half" || bad "cli filter --time 0.5,1: want count=$want"
"$R" hist --latency --time "@$((start + 500000000)),1000ms" $T61/root_hpa.trace 2>/dev/null | grep -q "^count=$want " \
  && ok "cli filter --time @NS,1000ms: the same loads" || bad "cli filter --time @NS,1000ms: want count=$want"
kvm=$(awk '$1 == "load" { print $5; exit }' $T61/root_hpa.trace)
"$R" roots --vm 0 $T61/root_hpa.trace >"$TMP/a" 2>/dev/null; "$R" roots --vm "$kvm" $T61/root_hpa.trace >"$TMP/b" 2>/dev/null
grep -q '^vcpu\[0\] ' "$TMP/a" && cmp -s "$TMP/a" "$TMP/b" && ok "cli filter --vm: by index and by kvm pointer alike" || bad "cli filter --vm 0 vs $kvm" "$(diff "$TMP/a" "$TMP/b" | head)"
# --abs-time: the records' own clock, to line up with dmesg or tracefs.
ts=$(awk '$1 == "walk" { print $2; exit }' $T61/zap_unsync.trace)
want="walk 1 at ${ts:0:10}.${ts:10:6}s cpu"
"$R" walks --tree --abs-time $T61/zap_unsync.trace 2>/dev/null | grep -m1 '^walk ' | grep -qF "$want" \
  && ok "cli --abs-time: walk 1 at its record's own time" || bad "cli --abs-time: want '$want'" "$("$R" walks --tree --abs-time $T61/zap_unsync.trace 2>&1 | grep -m1 '^walk ')"
# roots --sort KEY --top N: largest first (6.1: vcpu[1]'s mean load is the larger)
"$R" roots --sort mean_load_ns --top 1 $T61/root_hpa.trace >"$TMP/out" 2>&1
grep -Eq '^vcpu\[1\] +[0-9]' "$TMP/out" && ! grep -Eq '^vcpu\[0\] +[0-9]' "$TMP/out" \
  && ok "cli roots --sort mean_load_ns --top 1: the slower vCPU alone" || bad "cli roots --sort --top" "$(sed -n 5,9p "$TMP/out")"
expect_cli 64 "bad --sort 'x'" roots --sort x $T61/root_hpa.trace
# walks --sort KEY --top N: the largest walks, ties to the earlier (awk
# finds the walks of the most pages in the fill capture)
want=$(awk '$1 == "walk" { n[$5] = $8 } END { m = 0; for (w in n) if (n[w] > m) m = n[w]; c = 0; for (w in n) if (n[w] == m) c++; print m, c }' $T61/zap_unsync-fill.trace)
"$R" walks --tree --sort pages --top 2 $T61/zap_unsync-fill.trace 2>/dev/null | grep '^walk ' >"$TMP/out"
[ "$(wc -l <"$TMP/out")" = 2 ] && [ "$(grep -c ": ${want% *} pages, " "$TMP/out")" = 2 ] && head -n1 "$TMP/out" | grep -q '^walk 1 at ' \
  && ok "cli walks --sort pages --top 2: two of the ${want#* } walks of ${want% *} pages, earliest first" \
  || bad "cli walks --sort pages --top 2 (want ${want% *} pages)" "$(cat "$TMP/out")"
expect_cli 64 "bad --sort 'size' or --top 0: expected pages, leaves, steps or duration" walks --sort size $S/seed.trace
# walks --sort duration: a walk's duration runs to its last step, kept or
# not.  Walk 1's 17 failing steps: the first 16 kept (at +1..+16 us), the
# 17th counted only, at +1000 us; walk 2's one good step at +500 us.  Walk 1
# is the longer (1000 us against 500), in text, JSON and CSV alike.
{ echo "kvmmmu 1 6.1.0-56-amd64 lab 1000000 script=zap_unsync"
  echo "walk 2000000 0 1 1 0 a 2 a,2,0,4294967295,0 b,1,1,1,1"
  echo "walk 2000000 1 1 2 0 c 2 c,2,0,4294967295,0 d,1,1,1,1"
  for k in $(seq 1 16); do echo "step $((2000000 + k * 1000)) 0 $((k + 1)) 1 1 e 1 a,2"; done
  echo "step 2500000 1 2 2 1 d 1 c,2"
  echo "step 3000000 0 18 1 1 e 1 a,2"
  echo "end 4000000 0 19 20 20 0 0"; } >"$TMP/duration.trace"
"$R" walks --tree --sort duration --top 1 "$TMP/duration.trace" >"$TMP/out" 2>/dev/null
"$R" walks --format json --sort duration --top 1 "$TMP/duration.trace" 2>/dev/null | tr -d ' \n' >"$TMP/json"
"$R" walks --format csv --sort duration --top 1 "$TMP/duration.trace" 2>/dev/null | sed 1d | cut -d, -f2 | sort -u >"$TMP/csv"
if [ "$(grep -c '^walk ' "$TMP/out")" = 1 ] && grep -q '^walk 1 at +0.001000s cpu 0 round 0: 2 pages, 1 leaves, 17 steps' "$TMP/out" \
   && grep -qF '1 more steps failed a check, counted but not kept (the first at line 21)' "$TMP/out" \
   && [ "$(grep -o '{"walk":[0-9]*,"capture"' "$TMP/json")" = '{"walk":1,"capture"' ] \
   && grep -qF '"steps_not_kept":1,"first_not_kept_line":21' "$TMP/json" && [ "$(cat "$TMP/csv")" = 1 ]
then ok "cli walks --sort duration: to the last step, kept or not (text, JSON, CSV)"
else bad "cli walks --sort duration: to the last step, kept or not" "$(grep -v '^  \[' "$TMP/out"; head -c 300 "$TMP/json"; echo; cat "$TMP/csv")"; fi
"$R" walks --tree --sort duration --top 2 "$TMP/duration.trace" 2>/dev/null | grep -o '^walk [0-9]*' | tr '\n' ' ' >"$TMP/out"
[ "$(cat "$TMP/out")" = "walk 1 walk 2 " ] && ok "cli walks --sort duration --top 2: walk 1 (1000 us) before walk 2 (500 us)" \
  || bad "cli walks --sort duration --top 2: want walk 1 then walk 2" "$(cat "$TMP/out")"
# Filters follow walks on CPUs past 256, as far as the reader keeps them
# (8192 CPUs): a step goes with its walk, on whichever CPU it was logged
# (tests/fail/walk-filter-high-cpus.trace; --time there).
F=tests/fail/walk-filter-high-cpus.trace
for c in "--vm 0|walk 1 at +0.100000s cpu 300 |4" "--vm 1|walk 2 at +0.150000s cpu 8191 |4" \
         "--walk 2|walk 2 at +0.150000s cpu 8191 |3"; do
  opt=${c%%|*}; rest=${c#*|}; want=${rest%|*}; left=${rest#*|}
  # shellcheck disable=SC2086
  "$R" walks --tree $opt $F >"$TMP/out" 2>&1; rc=$?
  if [ $rc = 0 ] && [ "$(grep -c '^walk ' "$TMP/out")" = 1 ] && grep -qF "$want" "$TMP/out" \
     && grep -qF "$want""kvm " "$TMP/out" && grep -q '^walk .*: 3 pages, 2 leaves, 2 steps, ' "$TMP/out" \
     && grep -qF "kvmmmu-report: $opt: $left records left out;" "$TMP/out" \
     && grep -qF 'walks: 1 checked, 0 not in depth-first order, 0 of 2 step paths wrong, 0 leaves not zapped' "$TMP/out"
  then ok "cli filter $opt: a walk on a CPU past 256 with its steps, none of the other's"
  else bad "cli filter $opt on CPUs 300, 8191 and 5 (exit $rc)" "$(grep -v '^  ' "$TMP/out")"; fi
done
"$R" walks --tree --vcpu 0 $F >"$TMP/out" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(grep -c '^walk .*: 3 pages, 2 leaves, 2 steps, ' "$TMP/out")" = 2 ] \
  && grep -qF 'kvmmmu-report: --vcpu 0: 1 records left out;' "$TMP/out" \
  && ok "cli filter --vcpu 0: walks name no vCPU, both kept whole; vCPU 1's load left out" \
  || bad "cli filter --vcpu 0 on CPUs 300, 8191 and 5 (exit $rc)" "$(grep -v '^  ' "$TMP/out")"
# summary counts at most 16384 vCPUs a capture (memory bounded); the
# records of vCPUs past them are counted.  Capture 1: 16384 + 1000
# distinct (kvm, vcpu) pairs, then one more load of the first (kept) and
# one of the last (not kept: counted again): 1001 records past the limit.
# Capture 2: 10 vCPUs, its own count from 0.
awk 'BEGIN { n = 16384 + 1000
  print "kvmmmu 1 6.1.0-56-amd64 lab 1000 script=root_hpa"
  for (i = 0; i < n; i++) printf "load %d 0 %d %x %d 0 450 2f394000 7000 3704\n", 2000 + i, i + 1, 0xffff0000 + int(i / 64), i % 64
  printf "load %d 0 %d %x %d 0 450 2f394000 7000 3704\n", 2000 + n, n + 1, 0xffff0000, 0
  i = n - 1; printf "load %d 0 %d %x %d 0 450 2f394000 7000 3704\n", 2001 + n, n + 2, 0xffff0000 + int(i / 64), i % 64
  print "kvmmmu 1 6.1.0-56-amd64 lab 900000 script=root_hpa"
  for (i = 0; i < 10; i++) printf "load %d 1 %d ffff1 %d 0 450 2f394000 7000 3704\n", 900001 + i, i + 1, i }' >"$TMP/vcpus.trace"
"$R" summary "$TMP/vcpus.trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && grep -qx '  load       17396' "$TMP/out" && grep -qx 'vcpus:    16394 (summed over the captures)' "$TMP/out" \
   && grep -qx '          and 1001 records of vCPUs past the first 16384 of a capture: those vCPUs are not counted, the vcpus are more' "$TMP/out" \
   && grep -qF '17386 records, 0 walks (0 pages, 0 with a full 16-page array), 16384 vcpus, 1 cpus' "$TMP/out" \
   && grep -qF '; 1001 records of vCPUs past the first 16384 (their vCPUs not counted)' "$TMP/out" \
   && grep -qF '10 records, 0 walks (0 pages, 0 with a full 16-page array), 10 vcpus, 1 cpus' "$TMP/out" \
   && [ "$(grep -c 'records of vCPUs past' "$TMP/out")" = 2 ] \
   && grep -qx 'kvmmmu-report: summary: 1001 records of vCPUs past the first 16384 of a capture: those vCPUs are not counted' "$TMP/err"
then ok "cli summary: vCPUs past 16384 a capture counted apart (text, stderr)"
else bad "cli summary: vCPUs past 16384 a capture (exit $rc)" "$(cat "$TMP/out" "$TMP/err")"; fi
"$R" summary --format json "$TMP/vcpus.trace" 2>/dev/null | tr -d ' \n' >"$TMP/out"
grep -qF '"vcpus":16394,' "$TMP/out" && grep -qF '"seq_unchecked":0,"records_of_vcpus_not_kept":1001,"captures_not_listed":0,"capture_list"' "$TMP/out" \
  && grep -qF '"vcpus":16384,"cpus":1,' "$TMP/out" && grep -qF '"vcpus":10,"cpus":1,' "$TMP/out" \
  && [ "$(grep -o '"records_of_vcpus_not_kept":[0-9]*' "$TMP/out" | tr '\n' ' ')" = '"records_of_vcpus_not_kept":1001 "records_of_vcpus_not_kept":1001 "records_of_vcpus_not_kept":0 ' ] \
  && ok "cli summary json: records_of_vcpus_not_kept, in all and per capture" \
  || bad "cli summary json: records_of_vcpus_not_kept" "$(head -c 600 "$TMP/out")"
"$R" summary --format csv "$TMP/vcpus.trace" 2>/dev/null | grep -E ',(vcpus|records_of_vcpus_not_kept),' | tr '\n' ' ' >"$TMP/out"
[ "$(cat "$TMP/out")" = "all,vcpus,16394 all,records_of_vcpus_not_kept,1001 1,vcpus,16384 1,records_of_vcpus_not_kept,1001 2,vcpus,10 2,records_of_vcpus_not_kept,0 " ] \
  && ok "cli summary csv: records_of_vcpus_not_kept, in all and per capture" \
  || bad "cli summary csv: records_of_vcpus_not_kept" "$(cat "$TMP/out")"
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/vcpus.html" "$TMP/vcpus.trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc = 0 ] && grep -qF 'records of vCPUs past the limit (vCPUs not counted)</th><td>1001<' "$TMP/vcpus.html" \
  && grep -qx 'kvmmmu-report: html: 1001 records of vCPUs past the first 16384 of a capture: those vCPUs are not counted' "$TMP/err" \
  && ok "cli html: vCPUs past 16384 a capture counted apart (the page, stderr)" \
  || bad "cli html: vCPUs past 16384 a capture (exit $rc)" "$(cat "$TMP/err")"
# Captures past the first 4096 are counted in the totals but not listed:
# 4099 captures of one load each, the last three said in a line.
awk 'BEGIN { for (i = 0; i < 4099; i++) {
  printf "kvmmmu 1 6.1.0-56-amd64 lab %d script=root_hpa\n", 1000 + 100 * i
  printf "load %d 0 1 ffff1 %d 0 450 2f394000 7000 3704\n", 1010 + 100 * i, i } }' >"$TMP/captures.trace"
"$R" summary "$TMP/captures.trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && grep -qx 'captures: 4099' "$TMP/out" && grep -qx '  load       4099' "$TMP/out" \
   && [ "$(grep -c '^capture [0-9]*: ' "$TMP/out")" = 4096 ] && grep -q '^capture 4096: ' "$TMP/out" \
   && grep -qx '3 captures not listed (past the first 4096; in the totals above)' "$TMP/out" \
   && grep -qx 'vcpus:    4099 (summed over the captures)' "$TMP/out" \
   && grep -qx 'kvmmmu-report: summary: 3 captures past the first 4096 not listed (in the totals)' "$TMP/err"
then ok "cli summary: captures past 4096 counted, not listed (text, stderr)"
else bad "cli summary: captures past 4096 (exit $rc)" "$(tail -3 "$TMP/out"; cat "$TMP/err")"; fi
"$R" summary --format json "$TMP/captures.trace" 2>/dev/null | tr -d ' \n' >"$TMP/out"
grep -qF '"captures":4099,' "$TMP/out" && grep -qF '"captures_not_listed":3,"capture_list":[' "$TMP/out" \
  && [ "$(grep -o '"capture":[0-9]*' "$TMP/out" | wc -l)" = 4096 ] && grep -qF '"capture":4096,' "$TMP/out" \
  && ok "cli summary json: captures_not_listed" || bad "cli summary json: captures_not_listed" "$(head -c 600 "$TMP/out")"
"$R" summary --format csv "$TMP/captures.trace" 2>/dev/null >"$TMP/out"
grep -qx 'all,captures,4099' "$TMP/out" && grep -qx 'all,captures_not_listed,3' "$TMP/out" \
  && grep -qx '4096,records_load,1' "$TMP/out" && ! grep -q '^4097,' "$TMP/out" \
  && ok "cli summary csv: captures_not_listed" || bad "cli summary csv: captures_not_listed" "$(grep '^all,' "$TMP/out")"
# check --tracepoints keeps its place in the kernel's events for 8192 CPUs:
# a walk on each of CPUs 0..8191 (the walks model's limit in a capture),
# then in a second capture one on CPU 8192, whose two pages are counted
# apart, and one more on CPU 0, still matched.
awk -v tp="$TMP/cpus.tracepoints" 'BEGIN {
  ev = " kvm-workload-97     [%03d] .....     3.120000: kvm_mmu_prepare_zap_page: sp gen 0 gfn %s l%d 8-byte q0 w-x nxe ad root 0 %s\n"
  print "kvmmmu 1 6.1.0-56-amd64 lab 1000"
  for (c = 0; c <= 8193; c++) {
    if (c == 8192) print "kvmmmu 1 6.1.0-56-amd64 lab 900000"
    cpu = c == 8193 ? 0 : c
    printf "walk %d %d 1 %d 0 a 2 a,3302,42,4294967295,0 b,3301,44,1,1\n", 2000 + c, cpu, c + 1
    printf "step %d %d 2 %d 1 b 1 a,3302\n", 2000 + c, cpu, c + 1
    printf ev, cpu, "42", 2, "sync" >tp; printf ev, cpu, "44", 1, "unsync" >tp } }' >"$TMP/cpus.trace"
"$R" check --tracepoints "$TMP/cpus.tracepoints" "$TMP/cpus.trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc = 1 ] && grep -qxF "FAIL roles agree with the kernel's kvm_mmu_prepare_zap_page: 16386 of 16388 zapped pages (0 differ, 0 without an event, 2 on CPUs past the first 8192 not matched)" "$TMP/out" \
  && ok "cli check --tracepoints: CPUs past 8192 counted, not matched" \
  || bad "cli check --tracepoints: CPUs past 8192 (exit $rc)" "$(grep roles "$TMP/out"; cat "$TMP/err")"
"$R" check --format json --tracepoints "$TMP/cpus.tracepoints" "$TMP/cpus.trace" 2>/dev/null | tr -d ' \n' >"$TMP/out"
grep -qF '"pages":16388,"agree":16386,"differ":0,"without_event":0,"pages_of_cpus_not_kept":2' "$TMP/out" \
  && ok "cli check json: pages_of_cpus_not_kept" || bad "cli check json: pages_of_cpus_not_kept" "$(grep -o '"roles_vs[^}]*}' "$TMP/out")"
# roots numbers at most 4096 VMs a capture: the records of VMs past them
# are counted and said, and the next capture numbers its own from 0.
awk 'BEGIN { n = 4096 + 3
  print "kvmmmu 1 6.1.0-56-amd64 lab 1000 script=root_hpa"
  for (i = 0; i < n; i++) printf "load %d 0 %d %x 0 0 450 2f394000 7000 3704\n", 2000 + i, i + 1, 0xffff0000 + i
  print "kvmmmu 1 6.1.0-56-amd64 lab 900000 script=root_hpa"
  printf "load 900001 0 1 %x 0 0 450 2f394000 7000 3704\n", 0xffff0000 + n - 1 }' >"$TMP/vms.trace"
"$R" roots "$TMP/vms.trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && grep -qx 'and 3 records of VMs past the first 4096 of their capture, the most numbered, not in these tables' "$TMP/out" \
   && grep -qx 'kvmmmu-report: roots: 3 records of VMs past the first 4096 of their capture not in the vCPU tables: no more VMs are numbered' "$TMP/err" \
   && [ "$(grep -cE '^vm[0-9]* vcpu\[0\]( \(capture 2\))? +1 ' "$TMP/out")" = 4097 ] && grep -qE '^vm0 vcpu\[0\] \(capture 2\) +1 ' "$TMP/out"
then ok "cli roots: VMs past 4096 a capture counted apart (text, stderr)"
else bad "cli roots: VMs past 4096 a capture (exit $rc)" "$(tail -3 "$TMP/err")"; fi
"$R" roots --format json "$TMP/vms.trace" 2>/dev/null | grep -qx '  "records_of_vms_not_kept" : 3,' \
  && ok "cli roots json: records_of_vms_not_kept" || bad "cli roots json: records_of_vms_not_kept"
expect_cli 64 "bad --time 'x': expected START,END" walks --time x $S/seed.trace
expect_cli 64 "bad --cpu '1,,2': expected comma-separated numbers" walks --cpu 1,,2 $S/seed.trace
# --vm by index numbers every VM in order of first sight, one selected by
# pointer too; only the VMs up to the highest index asked for are
# remembered, so indexes stop at 65536.  VMs A, B, C with 2, 2, 3 loads.
{ echo "kvmmmu 2 6.1.0-57-amd64 lab 1764000000000000000 script=root_hpa"
  k=0; for v in 5000:0 9000:0 5000:1 d000:0 9000:1 d000:1 d000:2; do k=$((k + 1))
    echo "load $((1764000000000000000 + k * 1000)) 0 $k ffff9a1b0b2c${v%:*} ${v#*:} 0 450 2f394000 7000 3704"; done; } >"$TMP/vms.trace"
for c in "ffff9a1b0b2c5000,1|3" "2|4" "0,2|2" "3|7" "65535|7"; do
  opt=${c%|*}; left=${c#*|}
  "$R" roots --vm "$opt" "$TMP/vms.trace" >"$TMP/out" 2>&1; rc=$?
  [ $rc = 0 ] && grep -qF "kvmmmu-report: --vm $opt: $left records left out;" "$TMP/out" \
    && ok "cli filter --vm $opt: $left of 7 loads left out" || bad "cli filter --vm $opt: want $left left out (exit $rc)" "$(cat "$TMP/out")"
done
expect_cli 64 "bad --vm '65536': expected VM indexes below 65536 or kvm pointers in hex" roots --vm 65536 "$TMP/vms.trace"
# check JSON: each check an id, a result and the numbers it rests on
"$R" check --format json tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && tr -d ' \n' <"$TMP/out" | grep -qF '{"id":"walks_depth_first","result":"ok","what":"walksindepth-firstorder:168of168","numbers":{"walks":168,"not_depth_first":0}}' \
   && tr -d ' \n' <"$TMP/out" | grep -qF '{"id":"leaves_zapped","result":"ok","what":"leaveszapped:504of504","numbers":{"leaves":504,"leaves_not_zapped":0}}'
then ok "cli check json: ids, results and numbers"
else bad "cli check json: ids, results and numbers (exit $rc)" "$(head -30 "$TMP/out")"; fi
# stdin and several inputs
"$R" summary - <$S/seed.trace >"$TMP/out" 2>&1 && grep -q '^captures: 1$' "$TMP/out" && ok "cli summary from stdin" || bad "cli summary from stdin" "$(cat "$TMP/out")"
"$R" summary $S/seed.trace $S/seed-busy.trace >"$TMP/out" 2>&1 && grep -q '^captures: 2$' "$TMP/out" && ok "cli summary of two files" || bad "cli summary of two files" "$(cat "$TMP/out")"
# A file on stdin is read as a pipe would be: from the descriptor's offset,
# leaving it after what was read (mapped or not), so "- -" reads it once
# and the next command of a group starts where the report stopped.
for mmap in 1 0; do
  KVMMMU_MMAP=$mmap "$R" summary - - <$S/seed.trace >"$TMP/out" 2>&1; rc=$?
  [ $rc = 2 ] && grep -q '^captures: 1$' "$TMP/out" && grep -q '^records:  32$' "$TMP/out" \
    && grep -qF '<stdin>: header: expected' "$TMP/out" \
    && ok "cli summary - - < file (KVMMMU_MMAP=$mmap): read once, the second - empty" \
    || bad "cli summary - - < file (KVMMMU_MMAP=$mmap) (exit $rc)" "$(cat "$TMP/out")"
  left=$({ KVMMMU_MMAP=$mmap "$R" summary - >/dev/null 2>&1; wc -c; } <$S/seed.trace)
  [ "$left" = 0 ] && ok "cli summary - < file (KVMMMU_MMAP=$mmap) leaves the offset at the end" \
    || bad "cli summary - < file (KVMMMU_MMAP=$mmap) leaves the offset at the end" "$left bytes left"
done
cat $S/seed-busy.trace $S/seed.trace >"$TMP/two.trace"
n=$(wc -l <$S/seed-busy.trace)
{ for ((i = 0; i < n; i++)); do read -r _; done; "$R" summary - >"$TMP/out" 2>&1; } <"$TMP/two.trace"
grep -q '^captures: 1$' "$TMP/out" && grep -q '^records:  32$' "$TMP/out" \
  && ok "cli summary - reads from the descriptor's offset" \
  || bad "cli summary - reads from the descriptor's offset" "$(cat "$TMP/out")"
"$R" hist --linear 0,100,10 $S/seed.trace $S/seed-busy.trace >"$TMP/out" 2>&1 && grep -q '20 intervals' "$TMP/out" && ok "cli hist of two captures" || bad "cli hist of two captures" "$(cat "$TMP/out")"
# Captures from two kernels and two scripts, then two in one file: each
# capture is said apart, totals are sums (spans without the gap between
# captures, trailers summed), CPUs the most in one capture.
A=tests/traces/6.1.0-56-amd64/zap_unsync.trace B=tests/traces/6.12.117+deb12-amd64/root_hpa.trace
span_of() { "$R" summary "$1" 2>/dev/null | awk '/^span:/ { sub(/s$/, "", $2); print $2 }'; }
want_span=$(awk -v a="$(span_of $A)" -v b="$(span_of $B)" 'BEGIN { printf "%.6f", a + b }')
"$R" summary $A $B >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && grep -qx 'kernel:   6.1.0-56-amd64, 6.12.117+deb12-amd64' "$TMP/out" \
   && grep -qx 'script:   zap_unsync, root_hpa' "$TMP/out" \
   && awk -v w="$want_span" '/^span:/ { sub(/s$/, "", $2); d = $2 - w; ok = (d < 0 ? -d : d) <= 2e-6 } END { exit !ok }' "$TMP/out" \
   && grep -q "^span: .* (the captures' spans summed)$" "$TMP/out" \
   && grep -qx 'cpus:     2 (the most in one capture)' "$TMP/out" \
   && grep -qx 'trailer:  hits 1030, records 1156, faults 0, skipped 43 (summed; 0 of 2 captures without one)' "$TMP/out" \
   && grep -qx "capture 1: $A (capture 1 of the file): kernel 6.1.0-56-amd64, host kvmmmu-lab, script zap_unsync" "$TMP/out" \
   && grep -qx "capture 2: $B (capture 1 of the file): kernel 6.12.117+deb12-amd64, host kvmmmu-lab, script root_hpa" "$TMP/out"
then ok "cli summary: captures of two kernels said apart, totals summed"
else bad "cli summary: captures of two kernels said apart, totals summed (exit $rc, span want $want_span)" "$(cat "$TMP/out")"; fi
cat $A $A >"$TMP/two.trace"
"$R" summary --format csv "$TMP/two.trace" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && grep -qx '1,index_in_file,1' "$TMP/out" && grep -qx '2,index_in_file,2' "$TMP/out" \
   && grep -qx 'all,records_walk,336' "$TMP/out" && grep -qx '2,records_walk,168' "$TMP/out" \
   && grep -qx 'all,trailer_hits,1008' "$TMP/out" && grep -qx 'all,captures,2' "$TMP/out"
then ok "cli summary csv: a row set per capture of one file, and the totals"
else bad "cli summary csv: a row set per capture of one file (exit $rc)" "$(head -40 "$TMP/out")"; fi
# hist's JSON series: per-event intervals as runs (idle ones in one), one
# entry per capture
"$R" hist --interval 100ms --format json tests/traces/6.1.0-56-amd64/root_hpa.trace >"$TMP/out" 2>&1
tr -d ' \n' <"$TMP/out" | grep -qF '"runs":[{"start_ns":0,"intervals":3,"count":0},{"start_ns":300000000,"intervals":1,"count":43},{"start_ns":400000000,"intervals":1,"count":112},{"start_ns":500000000,"intervals":1,"count":7},{"start_ns":600000000,"intervals":6,"count":0}]' \
  && ok "cli hist json series of load records" || bad "cli hist json series of load records" "$(head -40 "$TMP/out")"
"$R" hist --format json $S/seed.trace $S/seed-busy.trace >"$TMP/out" 2>&1
[ "$(grep -c '"interval_ns" : 1000000000' "$TMP/out")" = 2 ] && grep -q '"series_left_out" : 0' "$TMP/out" \
  && ok "cli hist json series of two captures" || bad "cli hist json series of two captures" "$(head -40 "$TMP/out")"
# JSON is JSON
if command -v json-glib-validate >/dev/null; then
  # Every trace, the fail corpus too (stray bytes, odd names): the JSON is
  # our own writer's, so an independent parser reads all of it.
  for c in "walks" "roots" "hist" "hist --latency" "summary" "check"; do
    n=0 not_json=""
    for t in $S/seed.trace tests/traces/*/*.trace tests/fail/*.trace; do
      # shellcheck disable=SC2086
      "$R" $c --format json "$t" >"$TMP/j.json" 2>/dev/null
      [ -s "$TMP/j.json" ] || continue # an input refused whole prints no JSON
      n=$((n + 1))
      json-glib-validate "$TMP/j.json" >/dev/null 2>&1 || not_json="$not_json $t"
    done
    if [ -z "$not_json" ] && [ "$n" -ge 20 ]; then ok "json valid: $c, $n traces"
    else bad "json valid: $c ($n traces read)" "not JSON for:$not_json"; fi
  done
else
  bad "json-glib-validate missing (make deps installs json-glib-tools)"
fi

# Graphviz reads the dot output: one box per page, one edge per child.
if command -v dot >/dev/null; then
  "$R" walks --format dot $S/seed.trace >"$TMP/w.dot" 2>/dev/null
  if dot -Tsvg "$TMP/w.dot" >"$TMP/w.svg" 2>"$TMP/err" && [ "$(grep -c '<g id="node' "$TMP/w.svg")" = 9 ] \
     && [ "$(grep -c '<g id="edge' "$TMP/w.svg")" = 8 ]; then ok "dot: Graphviz draws the seed walk (9 pages, 8 edges)"
  else bad "dot: Graphviz draws the seed walk" "$(cat "$TMP/err"; grep -c '<g id="node' "$TMP/w.svg")"; fi
else
  bad "dot missing (make deps installs graphviz)"
fi

# The HTML page of the seed: the rate histogram, loads over time, 8 vCPU
# timelines, 1 walk tree and 4 step trees, all inline SVG; no script.  It
# has no load record: the latency section says so in words, with no chart.  (make check-html opens it in a browser.)
# Graphviz 2.43 (gvContext, gvLayoutJobs) and cairo's font cache keep memory
# to the end: leak checks are off for html, memory errors still fail.
ASAN_OPTIONS=$noleak "$R" html $S/seed.trace >"$TMP/seed.html" 2>"$TMP/err"; rc=$?
got="$(grep -o '<svg class="[a-z-]*"' "$TMP/seed.html" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
want=' 1 <svg class="chart"; 1 <svg class="series"; 4 <svg class="step-tree"; 8 <svg class="timeline"; 1 <svg class="walk-tree";'
if [ $rc = 0 ] && [ "$got" = "$want" ] && ! grep -q '<script' "$TMP/seed.html" \
   && sed -n '/<section id="load-latency">/,/<\/section>/p' "$TMP/seed.html" | grep -qx '<p class="empty">no kvm_mmu_load records: no latency to show</p>'; then ok "html: the seed page's drawings"
else bad "html: the seed page's drawings (exit $rc)" "$got; $(cat "$TMP/err")"; fi
ASAN_OPTIONS=$noleak "$R" html --max-walks 0 -o "$TMP/none.html" $S/seed.trace 2>/dev/null && grep -q '1 walk, 0 drawn, <b>1 left out</b>' "$TMP/none.html" \
  && ok "html: --max-walks 0 says the walk was left out" || bad "html: --max-walks 0 says the walk was left out"
# html --abs-time prints times on the records' clock: the seed's header
# starts at 1500000000000000000 ns, its walk at +0.1 s, its vCPUs' records
# from the first snapshot (+0.2 s) to the last load_rate record (+10 s).
ASAN_OPTIONS=$noleak "$R" html --abs-time -o "$TMP/abs.html" $S/seed.trace 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && grep -qF 'walk 1 at 1500000000.100000s cpu 2 round 0</text>' "$TMP/abs.html" \
   && grep -qF 'at 1500000000.100000s on cpu 2, root L4' "$TMP/abs.html" \
   && grep -qF "seconds on the records' clock (--abs-time), from the first record of a vCPU (1500000000.200000s) to the last (1500000010.000000s)." "$TMP/abs.html" \
   && grep -qF "from the first capture&apos;s start, 1500000000.000000s on the records&apos; clock" "$TMP/abs.html" \
   && ! grep -q '+0\.[0-9]*s' "$TMP/abs.html"; then
  ok "html --abs-time: walk, timeline and series times on the records' clock"
else bad "html --abs-time: times on the records' clock (exit $rc)" "$(grep -o '[^>]*[+0-9]\.[0-9]*s[^<]*' "$TMP/abs.html" | sort -u | head; cat "$TMP/err")"; fi
expect_cli 64 "writes HTML only" html --format json $S/seed.trace
# Which walks: 160 two-level walks, then 8 four-level ones.  One of each
# shape first (the four-level one first), the other four-level walks (the
# largest), then the rest in order: all 8 four-level walks are drawn.
zap=tests/traces/6.1.0-56-amd64/zap_unsync.trace
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/zap.html" $zap 2>"$TMP/err"
got=$(grep -o 'id="walk-[0-9]*-' "$TMP/zap.html" | grep -o '[0-9]*' | tr '\n' ' ')
want="161 1 162 163 164 165 166 167 168 $(seq -s ' ' 2 42) "
[ "$got" = "$want" ] && ok "html: walks drawn, one of each shape first" || bad "html: walks drawn, one of each shape first" "got:  $got
want: $want"
# no loads in this capture: said in words, not drawn as a bar of empty
# intervals nor as an empty chart
sed -n '/<section id="load-rate">/,/<\/section>/p' "$TMP/zap.html" >"$TMP/rate.html"
grep -qx '<p class="empty">no loads in any interval</p>' "$TMP/rate.html" && ! grep -q 'count=\|<svg\|<figure' "$TMP/rate.html" \
  && ok "html: a capture without loads says so in the rate section, with no chart" || bad "html: a capture without loads says so in the rate section, with no chart" "$(head -c 600 "$TMP/rate.html")"
# --walk (every command's filter) draws just the walks asked for
ASAN_OPTIONS=$noleak "$R" html --walk 162,7 -o "$TMP/some.html" $zap 2>"$TMP/err"
got=$(grep -o 'id="walk-[0-9]*-' "$TMP/some.html" | tr '\n' ' ')
if [ "$got" = 'id="walk-162- id="walk-7- ' ] && [ "$(grep -c '<svg class="walk-tree"' "$TMP/some.html")" = 2 ]; then
  ok "html: --walk draws just the walks asked for"
else bad "html: --walk draws just the walks asked for" "$got; $(cat "$TMP/err")"; fi
# Every root change is drawn: 81 a vCPU here, past the 64 the model keeps
# for the text report.
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/roots.html" tests/traces/6.1.0-56-amd64/root_hpa.trace 2>"$TMP/err"
[ "$(grep -c 'vCPU [01]: 81 loads, 5 roots, 81 root changes, 1 snapshot</figcaption>' "$TMP/roots.html")" = 2 ] && ! grep -q 'left out' "$TMP/roots.html" \
  && ok "html: root timelines draw all 81 changes" || bad "html: root timelines draw all 81 changes" "$(grep -o 'vCPU [0-9]*: [^<]*' "$TMP/roots.html")"
# vCPUs known only from load_rate records: in the table and named, no root
# to draw, so no timeline (an empty frame said nothing the caption does not)
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/rate-only.html" tests/traces/6.1.0-57-amd64/mmu_load_rate.trace 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && [ "$(grep -c '<figcaption>vCPU [01]: 0 loads, 0 roots, no root seen</figcaption>' "$TMP/rate-only.html")" = 2 ] \
   && ! grep -q '<svg class="timeline"' "$TMP/rate-only.html" && [ "$(grep -c '<svg class="chart"' "$TMP/rate-only.html")" = 1 ]; then
  ok "html: vCPUs with no root seen get no timeline"
else bad "html: vCPUs with no root seen get no timeline (exit $rc)" "$(grep -o 'vCPU [0-9]*: [^<]*\|<svg class="[a-z-]*"' "$TMP/rate-only.html"; cat "$TMP/err")"; fi
# Two captures reusing one kvm pointer (tests/fail/roots-two-captures.trace,
# whose .expect checks the CSV): each capture's vCPU is a row of its own, in
# text, JSON and the page, VMs numbered in each capture.
two=tests/fail/roots-two-captures.trace
"$R" roots "$two" >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && grep -qE '^vm0 vcpu\[0\] +2 +0 +0 +2 +0 +2 +1 +0 ' "$TMP/out" \
   && grep -qE '^vm0 vcpu\[1\] \(capture 2\) +1 +0 +0 +1 +0 +1 +0 +0 ' "$TMP/out" \
   && grep -qE '^vm1 vcpu\[0\] \(capture 2\) +1 +0 +0 +1 +0 +1 +0 +1 ' "$TMP/out" \
   && grep -qx 'vm1 vcpu\[0\] (capture 2): 1a000' "$TMP/out" \
   && grep -q '^snapshot 1 (capture 2) at +0.250000s vm1 (kvm ffff9a1b0b2c5000)' "$TMP/out"; then
  ok "cli roots: captures reusing a kvm pointer are rows apart (text)"
else bad "cli roots: captures reusing a kvm pointer are rows apart (text, exit $rc)" "$(cat "$TMP/out" "$TMP/err")"; fi
"$R" roots --format json "$two" >"$TMP/out" 2>"$TMP/err"; rc=$?
# the members of each vCPU (6 spaces in), then of the snapshot (4 in)
sed -n '/"vcpus" : \[/,$p' "$TMP/out" | grep -E '^(      "(capture|vm|vcpu|loads|returning)"|    "capture") :' | tr -d ' \n' >"$TMP/rows"
want='"capture":1,"vm":0,"vcpu":0,"loads":2,"returning":0,'
want="$want"'"capture":2,"vm":0,"vcpu":1,"loads":1,"returning":0,'
want="$want"'"capture":2,"vm":1,"vcpu":0,"loads":1,"returning":0,"capture":2,'
[ $rc = 0 ] && [ "$(cat "$TMP/rows")" = "$want" ] && ok "cli roots: captures reusing a kvm pointer are rows apart (json)" \
  || bad "cli roots: captures reusing a kvm pointer are rows apart (json, exit $rc)" "got:  $(cat "$TMP/rows")
want: $want"
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/two.html" "$two" 2>"$TMP/err"; rc=$?
got=$(sed -n '/<section id="roots">/,/<\/section>/p' "$TMP/two.html" | grep -o '<figcaption>[^<]*vCPU[^<]*' | tr '\n' ';')
want='<figcaption>VM 0 vCPU 0: 2 loads, 2 roots, 2 root changes;<figcaption>VM 0 vCPU 1 (capture 2): 1 loads, 1 root, 1 root change;<figcaption>VM 1 vCPU 0 (capture 2): 1 loads, 1 root, 1 root change, 1 snapshot;'
[ $rc = 0 ] && [ "$got" = "$want" ] && ok "html: captures reusing a kvm pointer have timelines apart" \
  || bad "html: captures reusing a kvm pointer have timelines apart (exit $rc)" "got:  $got
want: $want"
# The page's prev_roots section on a real capture with sync records: the
# hits of all vCPUs at every N are the sums of cache's CSV rows (another
# renderer, summed here by awk), the kernel's N is the marked row, and the
# loads by cause are the trace's, counted by hand: 160 loads after a miss
# and the 2 vCPUs' first loads.
sync=tests/traces/7.2.13+deb14-amd64-sync/root_hpa.trace
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/sync.html" "$sync" 2>"$TMP/err"; rc=$?
sed -n '/<section id="prev-roots">/,/<\/section>/p' "$TMP/sync.html" >"$TMP/pr.html"
want=$("$R" cache --format csv "$sync" | awk -F, 'NR > 1 { h[$3] += $5; s[$3] += $4 }
  END { for (n = 1; n <= 16; n++) printf "%d%s,%d,%d;", n, n == 3 ? " (KVM)" : "", h[n], s[n] - h[n] }')
got=$(grep -o '<tr[^>]*><th>[0-9]*[ (KVM)]*</th><td>[0-9]*</td><td>[0-9]*</td>' "$TMP/pr.html" \
  | sed 's/<tr[^>]*><th>//; s/<\/th><td>/,/; s/<\/td><td>/,/; s/<\/td>$//' | tr '\n' ';')
[ $rc = 0 ] && [ -n "$want" ] && [ "$got" = "$want" ] && grep -q '<tr class="warn"><th>3 (KVM)</th>' "$TMP/pr.html" \
  && ok "html: prev_roots hits and misses at every N are cache's, summed over vCPUs" \
  || bad "html: prev_roots hits and misses at every N (exit $rc)" "got:  $got
want: $want"
got=$(grep -o '320 root switches of 2 vCPUs[^<]*' "$TMP/pr.html")
case $got in
*"The kernel's N is 3: it hit 160 and missed 160; the model at N = 3 agrees on 318 of 320 switches.")
  ok "html: prev_roots lead: switches, the kernel's hits and the model's agreement" ;;
*) bad "html: prev_roots lead" "$got" ;;
esac
# The frees of a format-5 capture, as cache counts them (75 freed outside a
# switch, 4 of them roots the model did not hold, 1540 evicted by misses).
linux=tests/traces/6.1.0-57-amd64-linux/root_hpa.trace
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/linux.html" "$linux" 2>"$TMP/err"; rc=$?
want=$("$R" cache "$linux" | sed -n 's/^  roots freed outside a switch: \([0-9]*\) (\([0-9]*\) the model did not hold), evicted by a miss: \([0-9]*\)$/KVM freed \1 roots outside a switch (\2 the model did not hold), and misses evicted \3./p')
[ $rc = 0 ] && [ -n "$want" ] && grep -qF "$want" "$TMP/linux.html" \
  && ok "html: the roots KVM freed outside a switch and the misses' evictions, as cache counts them" \
  || bad "html: frees (exit $rc)" "want: $want; got: $(grep -o 'KVM freed[^<]*' "$TMP/linux.html")"
got=$(sed -n '/by cause<\/h3>/,/<\/table>/p' "$TMP/pr.html" | grep -o '>\(switch_miss\|first\|other\)</th><td>[0-9]*</td>' | tr '\n' ';')
want='>switch_miss</th><td>160</td>;>first</th><td>2</td>;>other</th><td>0</td>;'
[ "$got" = "$want" ] && [ "$(grep -c '<svg class="chart"' "$TMP/pr.html")" = 3 ] \
  && ok "html: loads by cause, with a chart of the ratio and one histogram per cause that had loads" \
  || bad "html: loads by cause" "got: $got; $(grep -c '<svg class="chart"' "$TMP/pr.html") charts"
# --vm 1 shows VM 1 under that number: the records the filter leaves out
# still number their VMs in every report (capture 2 of the two-capture
# trace: another VM first, the reused pointer second).
"$R" roots --vm 1 --format csv "$two" >"$TMP/out" 2>"$TMP/err"; rc=$?
"$R" cache --vm 1 --format csv "$two" >"$TMP/cache" 2>>"$TMP/err"
ASAN_OPTIONS=$noleak "$R" html --vm 1 -o "$TMP/vm1.html" "$two" 2>>"$TMP/err"
if [ $rc = 0 ] && grep -qx '2,1,ffff9a1b0b2c5000,0,1,0,0,1,0,1,0,1,0,1.250,9000,9000' "$TMP/out" \
   && grep -qx '2,1,+0.250000,1,ffff9a1b0b2c5000,0,1a000,3000' "$TMP/out" \
   && [ "$(grep -c '^ffff9a1b0b2c5000,0,[0-9]*,.*,2,1$' "$TMP/cache")" = 16 ] \
   && grep -qF '<figcaption>VM 1 vCPU 0 (capture 2): 1 loads' "$TMP/vm1.html"; then
  ok "cli --vm 1: the VM keeps its number in roots, cache and html"
else bad "cli --vm 1: the VM keeps its number (exit $rc)" "$(cat "$TMP/out" "$TMP/err"; head -3 "$TMP/cache")"; fi
# A VM is numbered on its first record of any kind, a walk too: the
# switches' VM is vm 1 in roots as in cache (tests/fail/cache-vm-numbers).
"$R" roots tests/fail/cache-vm-numbers.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc = 0 ] && grep -qE '^vm1 vcpu\[0\] +0 +0 +0 +0 +0 +0 +0 +2 ' "$TMP/out" \
  && ok "cli roots: VMs numbered on every record naming one, as cache and --vm do" \
  || bad "cli roots: VMs numbered on every record naming one (exit $rc)" "$(cat "$TMP/out" "$TMP/err")"
"$R" roots tests/fail/filter-sync.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc = 0 ] && grep -qE '^vm1 vcpu\[0\] +2 ' "$TMP/out" \
  && ok "cli roots: a sync record numbers its VM too" \
  || bad "cli roots: a sync record numbers its VM too (exit $rc)" "$(cat "$TMP/out" "$TMP/err")"
# Durations past 2^63 - 1 are counted apart in the latency chart too, and a
# row whose range ends at 2^63 - 1 is labelled without overflow.
printf '%s\n' "kvmmmu 1 6.1.0-56-amd64 lab 1000 script=root_hpa" \
  "load 3000 1 1 ffff1 0 0 18446744073709551615 2f394000 7000 3704" \
  "load 3001 1 2 ffff1 0 0 9223372036854775807 2f394000 7000 3704" \
  "load 3002 1 3 ffff1 0 0 450 2f394000 7000 3704" "end 4000 1 4 3 3 0 0" >"$TMP/big-dur.trace"
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/big-dur.html" "$TMP/big-dur.trace" 2>"$TMP/err"; rc=$?
sed -n '/<section id="load-latency">/,/<\/section>/p' "$TMP/big-dur.html" >"$TMP/lat.html"
if [ $rc = 0 ] && grep -qF 'kvm_mmu_load latency: 3 loads' "$TMP/lat.html" \
   && grep -qF '1 value above 9223372036854775807 (2^63 - 1, the largest of SystemTap&apos;s signed 64-bit histograms) is left out' "$TMP/lat.html"; then
  ok "html: a latency past 2^63 - 1 is counted apart, said in the chart's caption"
else bad "html: a latency past 2^63 - 1 is counted apart (exit $rc)" "$(cat "$TMP/err"; grep -o 'figcaption>[^<]*' "$TMP/lat.html")"; fi

finish
