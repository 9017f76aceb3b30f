#!/usr/bin/env bash
# --format openmetrics: every bundled trace's summary, roots and cache read
# back by Debian's Prometheus client parsers (tests/openmetrics/read.py),
# exact values against awk's own reading of two bundled traces, label
# escapes read back as the trace wrote them, and -o.
. "$(dirname "$0")/test-subr.sh"

READ=tests/openmetrics/read.py
if ! /usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null; then
  bad "openmetrics: Debian's python3-prometheus-client is not installed (make deps)"
  finish
fi

# 1. Every trace: what each command writes parses, both ways.
for trace in tests/traces/*/*.trace tests/fail/openmetrics-escape.trace; do
  for cmd in summary roots cache; do
    "$R" $cmd --format openmetrics "$trace" >"$TMP/om" 2>"$TMP/err"; rc=$?
    # cache of a capture without switch records says so and writes nothing
    if [ $cmd = cache ] && [ $rc = 1 ] && [ ! -s "$TMP/om" ]; then continue; fi
    if [ $rc -le 1 ] && [ "$(tail -n 1 "$TMP/om")" = "# EOF" ] && $READ "$TMP/om" >"$TMP/samples" 2>"$TMP/perr"; then
      ok "openmetrics parses: $cmd $trace"
    else
      bad "openmetrics parses: $cmd $trace (exit $rc)" "$(cat "$TMP/perr" "$TMP/err")"
    fi
  done
done

# 2. Exact values, each computed here from the trace's own lines.
# want FILE LINE: the exposition holds LINE exactly, as a whole line.
want() {
  if grep -qxF -- "$2" "$1"; then ok "openmetrics value: $2"
  else bad "openmetrics value: $2" "$(grep -F -- "${2%%\{*}" "$1" | head -5)"; fi
}
# seconds as the exposition prints them: ns / 1e9, nine decimals, exact
secs='function secs(ns) { return sprintf("%d.%09d", int(ns / 1e9), ns % 1e9) }'

T=$T61/root_hpa.trace
"$R" summary --format openmetrics $T >"$TMP/summary.om"
"$R" roots --format openmetrics $T >"$TMP/roots.om"
"$R" cache --format openmetrics $T >"$TMP/cache.om"
caplabels=$(awk '$1 == "kvmmmu" { printf "capture=\"1\",host=\"%s\",kernel=\"%s\"", $4, $3; exit }' $T)
while read -r kind n; do
  want "$TMP/summary.om" "kvmmmu_records_total{$caplabels,kind=\"$kind\"} $n"
done < <(awk '$1 ~ /^(walk|step|load|switch|sync|vcpu_root|load_rate|end)$/ { n[$1]++ }
              END { split("walk step load switch sync vcpu_root load_rate end", k, " ")
                    for (i = 1; i <= 8; i++) print k[i], n[k[i]] + 0 }' $T)
# (the clock's ns past 2^53: awk's doubles would round them, bash's integers do not)
start=$(awk '$1 == "kvmmmu" { print $5 }' $T) end=$(awk '$1 == "end" { print $2 }' $T)
want "$TMP/summary.om" "kvmmmu_capture_duration_seconds{$caplabels} $(printf '%d.%09d' $(((end - start) / 1000000000)) $(((end - start) % 1000000000)))"
want "$TMP/summary.om" "kvmmmu_capture_start_time_seconds{$caplabels} $(printf '%d.%09d' $((start / 1000000000)) $((start % 1000000000)))"
want "$TMP/summary.om" "$(awk '$1 == "end" { printf "kvmmmu_probe_hits_skipped_total{%s} %d\n", L, $8 }' L="$caplabels" $T)"
# per vCPU: loads, their time and the longest, prev_roots hits and misses
# (the trace's VMs numbered in order of first appearance, as --vm does;
# its one vcpu_root snapshot names the same VM)
awk "$secs"'
  $1 == "load" || $1 == "switch" || $1 == "sync" { if (!($5 in vm)) vm[$5] = nvm++ }
  $1 == "load" { k = $5 " " $6; loads[k]++; dur[k] += $8; if ($8 > max[k]) max[k] = $8 }
  $1 == "switch" { k = $5 " " $6; sw[k]++; res[k, $8]++ }
  END {
    for (k in loads) {
      split(k, f, " "); l = sprintf("%s,kvm=\"%s\",vm=\"%d\",vcpu=\"%s\"", L, f[1], vm[f[1]], f[2])
      printf "roots kvmmmu_vcpu_root_loads_total{%s} %d\n", l, loads[k]
      printf "roots kvmmmu_vcpu_root_load_seconds_total{%s} %s\n", l, secs(dur[k])
      printf "roots kvmmmu_vcpu_root_load_max_seconds{%s} %s\n", l, secs(max[k])
    }
    for (k in sw) {
      split(k, f, " "); l = sprintf("%s,kvm=\"%s\",vm=\"%d\",vcpu=\"%s\"", L, f[1], vm[f[1]], f[2])
      printf "roots kvmmmu_vcpu_root_switches_total{%s,result=\"hit\"} %d\n", l, res[k, "hit"]
      printf "roots kvmmmu_vcpu_root_switches_total{%s,result=\"miss\"} %d\n", l, res[k, "miss"]
      printf "cache kvmmmu_vcpu_guest_root_switches_total{%s} %d\n", l, sw[k]
    }
  }' L="$caplabels" $T >"$TMP/wanted"
[ "$(wc -l <"$TMP/wanted")" -ge 10 ] || bad "openmetrics: awk found the vCPUs of $T" "$(cat "$TMP/wanted")"
while read -r file line; do want "$TMP/$file.om" "$line"; done <"$TMP/wanted"
want "$TMP/cache.om" "kvmmmu_prev_roots_kernel_size 3"

# The latency histograms, summed over their causes (places): at each le, the
# values <= 2^k - 1 ns; +Inf and _count all of them; _sum their total.
# Loads that failed (ret != 0) built no root and are in none.
hist_check() { # trace om-file family record dur-field
  awk "$secs"'
    $1 == REC && (REC != "load" || $7 == 0) {
      n++; sum += $F
      for (k = 8; k <= 32; k++) if ($F <= 2 ^ k - 1) c[k]++
    }
    END {
      for (k = 8; k <= 32; k++) printf "le=%s %d\n", secs(2 ^ k - 1), c[k]
      printf "le=+Inf %d\ncount %d\nsum %s\n", n, n, secs(sum)
    }' REC="$4" F="$5" "$1" >"$TMP/hist-want"
  # the exposition's own lines, summed over the first label's values; _sum
  # read as whole ns so that the sum stays exact
  awk "$secs"' index($1, FAM "_") == 1 {
      name = substr($1, 1, index($1, "{") - 1)
      if (name == FAM "_bucket") { match($1, /le="[^"]*"/); le = substr($1, RSTART + 4, RLENGTH - 5); b[le] += $2; if (!(le in seen)) { seen[le] = 1; order[++n] = le } }
      else if (name == FAM "_count") count += $2
      else if (name == FAM "_sum") { v = $2; sub(/\./, "", v); sum += v }
    }
    END { for (i = 1; i <= n; i++) printf "le=%s %d\n", order[i], b[order[i]]
          printf "count %d\nsum %s\n", count, secs(sum) }' FAM="$3" "$2" >"$TMP/hist-got"
  if [ "$(wc -l <"$TMP/hist-want")" = 28 ] && cmp -s "$TMP/hist-want" "$TMP/hist-got"; then
    ok "openmetrics histogram $3 of $1: every bucket, _count and _sum as awk counts them"
  else
    bad "openmetrics histogram $3 of $1" "$(diff "$TMP/hist-want" "$TMP/hist-got")"
  fi
}
hist_check $T "$TMP/summary.om" kvmmmu_root_load_latency_seconds load 8
TS=tests/traces/7.2.13+deb14-amd64-sync/root_hpa.trace
"$R" summary --format openmetrics $TS >"$TMP/sync.om"
[ "$(awk '$1 == "sync"' $TS | wc -l)" -gt 0 ] || bad "openmetrics: $TS has sync records"
hist_check $TS "$TMP/sync.om" kvmmmu_root_load_latency_seconds load 8
hist_check $TS "$TMP/sync.om" kvmmmu_root_sync_latency_seconds sync 7

# The model's what-if: hits and misses make the switches at every size, and
# hits never fall as the cache grows.
awk 'function key(s) { sub(/,prev_roots="[0-9]+"\}.*/, "", s); sub(/\}.*/, "", s); sub(/^[a-z_]+\{/, "", s); return s }
     /^kvmmmu_vcpu_guest_root_switches_total\{/ { sw[key($1)] = $2 }
     /^kvmmmu_vcpu_prev_roots_model_hits_total\{/ { match($1, /prev_roots="[0-9]+"/); n = substr($1, RSTART + 12, RLENGTH - 13)
       k = key($1); hits[k, n] = $2; if (n > 1 && $2 < hits[k, n - 1]) bad++ }
     /^kvmmmu_vcpu_prev_roots_model_misses_total\{/ { match($1, /prev_roots="[0-9]+"/); n = substr($1, RSTART + 12, RLENGTH - 13)
       k = key($1); if (hits[k, n] + $2 != sw[k]) bad++; rows++ }
     END { exit !(rows == 16 * length(sw) && rows > 0 && !bad) }' "$TMP/cache.om" \
  && ok "openmetrics cache: hits + misses = switches at each size, hits rising" \
  || bad "openmetrics cache: hits + misses = switches at each size, hits rising" "$(grep -m5 model_ "$TMP/cache.om")"

# 3. Escaped label values read back as the trace wrote them.
E=tests/fail/openmetrics-escape.trace
"$R" roots --format openmetrics $E >"$TMP/esc.om"
$READ "$TMP/esc.om" >"$TMP/esc.samples" 2>"$TMP/perr"
host1=$(awk '$1 == "kvmmmu" { print $4; exit }' $E)
grep -qF "host=$host1,kernel=" "$TMP/esc.samples" && grep -qF 'host="lab\"a\\b"' "$TMP/esc.om" \
  && ok "openmetrics: a host with a quote and a backslash, escaped, reads back as $host1" \
  || bad "openmetrics: a host with a quote and a backslash reads back" "$(cat "$TMP/perr"; head -3 "$TMP/esc.samples")"
grep -qF "host=lab$(printf '\xef\xbf\xbd')b,kernel=" "$TMP/esc.samples" \
  && ok "openmetrics: a host byte that is not UTF-8 reads back as U+FFFD" \
  || bad "openmetrics: a host byte that is not UTF-8 reads back as U+FFFD" "$(head -3 "$TMP/esc.samples")"

# 4. -o: the same text into the file; refused for other formats and for a
# directory before any input is read; through a symlink, which stays.
O=$TMP/om-files && mkdir -p "$O"
for cmd in summary roots cache; do
  "$R" $cmd --format openmetrics -o "$O/$cmd.prom" $T >"$TMP/out" 2>"$TMP/err"; rc=$?
  [ $rc = 0 ] && [ ! -s "$TMP/out" ] && cmp -s "$O/$cmd.prom" "$TMP/$cmd.om" \
    && ok "openmetrics: $cmd -o writes the file, nothing on stdout" \
    || bad "openmetrics: $cmd -o writes the file (exit $rc)" "$(cat "$TMP/err")"
done
echo old >"$O/target.prom" && ln -s target.prom "$O/link.prom"
"$R" summary --format openmetrics -o "$O/link.prom" $T >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc = 0 ] && [ -L "$O/link.prom" ] && cmp -s "$O/target.prom" "$TMP/summary.om" \
  && ok "openmetrics -o: a symlink is written through and stays" \
  || bad "openmetrics -o: a symlink is written through (exit $rc)" "$(ls -l "$O"; cat "$TMP/err")"
expect_cli 64 "kvmmmu-report summary: -o writes --format openmetrics only" summary -o "$O/x.txt" $T
expect_cli 64 "kvmmmu-report cache: -o writes --format openmetrics only" cache --format csv -o "$O/x.csv" $T
[ ! -e "$O/x.txt" ] && [ ! -e "$O/x.csv" ] && ok "openmetrics: a refused -o creates no file" \
  || bad "openmetrics: a refused -o creates no file" "$(ls -l "$O")"
mkfifo "$O/never.fifo"
timeout 10 "$R" roots --format openmetrics -o "$O" "$O/never.fifo" >"$TMP/out" 2>&1; rc=$?
[ $rc = 64 ] && grep -qF "kvmmmu-report roots: Cannot write roots: path=$O is a directory" "$TMP/out" \
  && ok "openmetrics -o DIR: refused before any input is read" \
  || bad "openmetrics -o DIR: refused before any input is read (exit $rc)" "$(cat "$TMP/out")"
expect_cli 64 "unknown format 'openmetrics': expected text, json or csv" hist --format openmetrics $T

finish
