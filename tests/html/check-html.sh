#!/usr/bin/env bash
# make check-html: the HTML report in a real browser.  For the hand-made
# seed trace and every real trace under tests/traces/*/ (handmade/ aside):
# the page is written, holds nothing fetched from elsewhere, passes tidy
# (errors fail, warnings are shown), and headless Chromium renders it to a
# PNG that is not blank, with as many charts, root timelines and walk trees
# in its DOM as the trace has (counted by the other commands); at a phone's
# width (400 px) nothing makes the page scroll sideways (wide trees and
# tables scroll in their own box) and it is not blank either.  Ends with
# "check-html: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
R=${KVMMMU_REPORT:-build/kvmmmu-report}
PNG_COLORS=${PNG_COLORS:-build/tests/png-colors}
OUT=${OUT:-build/check-html}
CHROMIUM=${CHROMIUM:-chromium}
MAX_WALKS=50 MAX_TIMELINES=64 NARROW=400
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' <<<"$2" | head -30; return 0; }
finish() { echo "check-html: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

mkdir -p "$OUT"
for tool in "$CHROMIUM" tidy; do
  command -v "$tool" >/dev/null || { bad "$tool missing (make deps installs it)"; finish; }
done
[ -x "$PNG_COLORS" ] || { bad "$PNG_COLORS missing (make check-html builds it)"; finish; }

# Chromium as the brief allows it: no sandbox (root), no GPU, nothing that
# reaches the network, a profile of its own each run.
browser() {
  local profile rc
  profile=$(mktemp -d)
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --hide-scrollbars --user-data-dir="$profile" "$@"
  rc=$?
  rm -rf "$profile"
  return $rc
}

# narrow_probe PAGE WRAPPER: a page of the harness (the report has no
# script) that shows PAGE in a NARROW px wide frame, a viewport of that
# width for its layout and media queries (headless Chromium will not make
# a window that narrow), and writes what overflows into its own DOM:
# "overflow SCROLLWIDTH WIDTH" and the outermost elements past the right
# edge that no scrolling box holds.
narrow_probe() {
  cat >"$2" <<EOF
<!DOCTYPE html><html><head><meta charset="utf-8"><title>narrow</title></head><body>
<iframe id="f" src="$(basename "$1")" style="width:${NARROW}px;height:900px;border:0"></iframe>
<script>
document.getElementById('f').addEventListener('load', function () {
  var out;
  try {
    var d = this.contentDocument, w = d.defaultView.innerWidth, bad = [];
    d.querySelectorAll('body *').forEach(function (e) {
      if (bad.length >= 8 || e.getBoundingClientRect().right <= w + 0.5) return;
      for (var a = e.parentElement; a && a !== d.body; a = a.parentElement)
        if (/auto|scroll|hidden/.test(getComputedStyle(a).overflowX)) return;
      if (e.parentElement !== d.body && e.parentElement.getBoundingClientRect().right > w + 0.5) return;
      bad.push(e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className : '')
               + ' right=' + Math.round(e.getBoundingClientRect().right));
    });
    out = '\noverflow ' + d.documentElement.scrollWidth + ' ' + w + '\n' + bad.join('\n');
  } catch (x) { out = 'error ' + x; }
  var p = document.createElement('pre');
  p.id = 'probe';
  p.textContent = out;
  document.body.appendChild(p);
});
</script></body></html>
EOF
}

# count PATTERN FILE: occurrences, not lines
count() { grep -o -- "$1" "$2" | wc -l; }
# json_int KEY FILE: the first "KEY" : N in pretty JSON
json_int() { grep -m1 -o "\"$1\" : [0-9]*" "$2" | grep -o '[0-9]*$'; }
# member M of object O (its first, at any depth inside O)
json_member() { awk -v o="\"$1\" : {" -v m="\"$2\" : " 'index($0, o) { f = 1; next }
  f && index($0, m) { sub(/.*: /, ""); sub(/[^0-9].*/, ""); print; exit }' "$3"; }

# rooted_vcpus ROOTS_JSON: the vCPUs roots lists with a load, or in a
# snapshot (pretty JSON: a vCPU's members 6 spaces in, a snapshot's 6, its
# vCPUs' 10)
rooted_vcpus() { awk '
  /^  "vcpus" : \[/ { part = "v" } /^  "snapshots" : \[/ { part = "s" } /^  \]/ { part = "" }
  part && /^      "(capture|kvm)" : / { v = $3; gsub(/[",]/, "", v); k[$1] = v }
  part == "v" && /^      "vcpu" : / { vc = $3 + 0 }
  part == "v" && /^      "loads" : [1-9]/ { rooted[k["\"capture\""] " " k["\"kvm\""] " " vc] = 1 }
  part == "s" && /^          "vcpu" : / { rooted[k["\"capture\""] " " k["\"kvm\""] " " ($3 + 0)] = 1 }
  END { n = 0; for (r in rooted) n++; print n }' "$1"; }

traces=(tests/traces/handmade/seed.trace)
for t in tests/traces/*/*.trace; do
  case $t in tests/traces/handmade/*) ;; *) traces+=("$t") ;; esac
done

for trace in "${traces[@]}"; do
  name=$(basename "$(dirname "$trace")")-$(basename "$trace" .trace)
  page=$OUT/$name.html
  start=$(date +%s.%N)
  "$R" html --quiet -o "$page" "$trace" 2>"$OUT/$name.err"; rc=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  if [ "$rc" -le 1 ] && [ -s "$page" ]; then ok "$name: page written in ${secs}s ($(wc -c <"$page") bytes, exit $rc)"
  else bad "$name: page written (exit $rc)" "$(cat "$OUT/$name.err")"; continue; fi

  # self-contained: no script, nothing loaded from a URL
  ext=$(grep -o -E '<script|<link |<iframe|src="[a-z]+:|href="(https?|ftp):|@import|url\((https?|//)' "$page" | sort | uniq -c)
  [ -z "$ext" ] && ok "$name: self-contained (no script, no external resource)" \
    || bad "$name: self-contained" "$ext"

  tidy -q -e "$page" >"$OUT/$name.tidy" 2>&1; rc=$?
  if [ "$rc" -le 1 ]; then ok "$name: tidy: no errors ($(grep -c 'Warning:' "$OUT/$name.tidy") warnings)"
  else bad "$name: tidy: errors" "$(grep -v 'Warning:' "$OUT/$name.tidy")"; fi

  # what the page must show, from the other commands
  "$R" summary --quiet --format json "$trace" >"$OUT/$name.summary.json" 2>/dev/null
  walks=$(json_int walks "$OUT/$name.summary.json"); walks=${walks:-0}
  # summary's walks are the zap walks; the page draws sync walks too
  sync_walks=$(json_member sync_walks walks "$OUT/$name.summary.json"); sync_walks=${sync_walks:-0}
  walks=$((walks + sync_walks))
  want_trees=$((walks < MAX_WALKS ? walks : MAX_WALKS))
  # a timeline for each vCPU with a root to draw: a load or a snapshot of it
  "$R" roots --quiet --format json "$trace" >"$OUT/$name.roots.json" 2>/dev/null
  vcpus=$(rooted_vcpus "$OUT/$name.roots.json")
  want_lines=$((vcpus < MAX_TIMELINES ? vcpus : MAX_TIMELINES))
  # the rate histogram when there were loads, the latency histogram when
  # there were load records; the prev_roots hit ratio when there are
  # switches; a histogram of each load cause that had loads; the time of the
  # sync calls when there are any.  A section with nothing to draw has no chart.
  "$R" hist --quiet --format json "$trace" >"$OUT/$name.hist.json" 2>/dev/null
  rate_loads=$(json_int events "$OUT/$name.hist.json"); rate_loads=${rate_loads:-0}
  loads=$(json_member records load "$OUT/$name.summary.json"); loads=${loads:-0}
  switches=$(json_int switch "$OUT/$name.summary.json"); switches=${switches:-0}
  causes=$(grep -cE '^ *"loads" : [1-9]' "$OUT/$name.summary.json")
  sync_calls=$(json_member sync_calls calls "$OUT/$name.summary.json"); sync_calls=${sync_calls:-0}
  want_charts=$(((rate_loads > 0 ? 1 : 0) + (loads > 0 ? 1 : 0) + (switches > 0 ? 1 : 0) + causes + (sync_calls > 0 ? 1 : 0)))

  if browser --dump-dom "file://$PWD/$page" >"$OUT/$name.dom" 2>"$OUT/$name.chromium.err" && [ -s "$OUT/$name.dom" ]; then
    charts=$(count 'class="chart"' "$OUT/$name.dom")
    trees=$(count 'class="walk-tree"' "$OUT/$name.dom")
    lines=$(count 'class="timeline"' "$OUT/$name.dom")
    [ "$charts" = "$want_charts" ] && ok "$name: DOM has $charts charts ($switches switches, $causes load causes)" \
      || bad "$name: DOM has $charts charts, want $want_charts ($switches switches, $causes load causes)"
    [ "$lines" = "$want_lines" ] && ok "$name: DOM has $lines root timelines ($vcpus vCPUs with a root)" \
      || bad "$name: DOM has $lines root timelines, want $want_lines ($vcpus vCPUs with a root)"
    [ "$trees" = "$want_trees" ] && ok "$name: DOM has $trees walk trees ($walks walks)" \
      || bad "$name: DOM has $trees walk trees, want $want_trees ($walks walks)"
    if [ "$walks" -gt "$MAX_WALKS" ]; then
      grep -q "$((walks - MAX_WALKS)) left out" "$OUT/$name.dom" && ok "$name: says $((walks - MAX_WALKS)) walks left out" \
        || bad "$name: does not say how many walks were left out"
    fi
  else
    bad "$name: chromium --dump-dom" "$(tail -5 "$OUT/$name.chromium.err")"
  fi

  if browser --screenshot="$PWD/$OUT/$name.png" --window-size=1280,2400 "file://$PWD/$page" \
       >/dev/null 2>"$OUT/$name.chromium.err" && [ -s "$OUT/$name.png" ]; then
    read -r size colors ink < <("$PNG_COLORS" "$OUT/$name.png")
    # A blank page has one colour; text alone has its antialiasing greys.
    # Charts and trees bring colours and ink on more than 2% of the pixels.
    if [ "${colors:-0}" -ge 32 ] && [ "${ink:-0}" -ge 20 ]; then
      ok "$name: screenshot $size not blank ($colors colours, ink on $ink/1000 of pixels)"
    else bad "$name: screenshot $size looks blank ($colors colours, ink $ink/1000)"; fi
  else
    bad "$name: chromium --screenshot" "$(tail -5 "$OUT/$name.chromium.err")"
  fi

  # a phone: the page's own width, no sideways scrolling
  narrow_probe "$page" "$OUT/$name.narrow.html"
  if browser --allow-file-access-from-files --dump-dom "file://$PWD/$OUT/$name.narrow.html" \
       >"$OUT/$name.narrow.dom" 2>"$OUT/$name.chromium.err" && grep -q '^overflow [0-9]* [0-9]*$' "$OUT/$name.narrow.dom"; then
    read -r _ sw vw < <(grep '^overflow ' "$OUT/$name.narrow.dom")
    if [ "$vw" = "$NARROW" ] && [ "$sw" -le "$vw" ]; then ok "$name: at ${NARROW} px nothing overflows (scrollWidth $sw)"
    else bad "$name: at ${NARROW} px the page is $sw px wide in a $vw px viewport" \
      "$(sed -n '/^overflow /,/<\/pre>/p' "$OUT/$name.narrow.dom" | sed '1d;s/<\/pre>.*//')"; fi
  else
    bad "$name: chromium --dump-dom at ${NARROW} px" "$(grep -o 'error [^<]*' "$OUT/$name.narrow.dom"; tail -5 "$OUT/$name.chromium.err")"
  fi
  if browser --screenshot="$PWD/$OUT/$name-$NARROW.png" --window-size=$NARROW,2400 "file://$PWD/$page" \
       >/dev/null 2>"$OUT/$name.chromium.err" && [ -s "$OUT/$name-$NARROW.png" ]; then
    read -r size colors ink < <("$PNG_COLORS" "$OUT/$name-$NARROW.png")
    if [ "${size%x*}" = "$NARROW" ] && [ "${colors:-0}" -ge 32 ] && [ "${ink:-0}" -ge 20 ]; then
      ok "$name: screenshot $size at ${NARROW} px not blank ($colors colours, ink on $ink/1000 of pixels)"
    else bad "$name: screenshot $size at ${NARROW} px looks blank or is not ${NARROW} px wide ($colors colours, ink $ink/1000)"; fi
  else
    bad "$name: chromium --screenshot at ${NARROW} px" "$(tail -5 "$OUT/$name.chromium.err")"
  fi
done
finish
