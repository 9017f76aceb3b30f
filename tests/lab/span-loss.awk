# SPDX-License-Identifier: GPL-2.0-or-later
#
# span-loss.awk -v st=NS -v en=NS TRACE: the records missing from the span
# [st, en] of a kvmmmu trace (times on the records' clock), from the gaps in
# each CPU's seq: between consecutive records of the span, and between the
# span's first record on a CPU and that CPU's last record before it.
# kvmmmu-report counts loss over the whole input even under --time; a lab
# run of a nested guest loses records in its boot (docs/lab.md) and needs
# each scenario's own.  Each CPU's records are in seq order in the file.
$1 == "kvmmmu" || $1 == "end" || $1 ~ /^[A-Z]/ || NF < 4 || $2 !~ /^[0-9]+$/ { next }
$2 < st { last[$3] = $4; next }
$2 > en { next }
{
	if ($3 in prev) { if ($4 > prev[$3] + 1) lost += $4 - prev[$3] - 1 }
	else if ($3 in last) { if ($4 > last[$3] + 1) lost += $4 - last[$3] - 1 }
	prev[$3] = $4
}
END { print lost + 0 }
