# The kvm_mmu_load-per-second histogram kvmmmu-report hist computes, in
# awk, for make bench: load records counted by (ts - start) / 1 s, complete
# seconds only, then @hist_log's buckets (powers of two).
$1 == "kvmmmu" { start = $5 }
$1 == "load" { n[int(($2 - start) / 1e9)]++ }
$1 == "load" || $1 == "end" { if ($2 > last) last = $2 }
END {
	secs = int((last - start) / 1e9)
	for (i = 0; i < secs; i++) {
		v = n[i] + 0
		b = 0
		for (p = 1; p <= v; p *= 2)
			b++
		h[b]++
	}
	for (b = 0; b <= 64; b++)
		if (h[b])
			printf "%d %d\n", (b ? 2 ^ (b - 1) : 0), h[b]
}
