#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-or-later
#
# hang-dump.pl MONITOR_SOCKET SYSTEM_MAP CONSOLE_LOG NCPUS
#
# A guest that stopped making progress cannot say where it is: ask QEMU.
# Through the monitor's unix socket, for every vCPU, its registers (info
# registers), the 8 bytes of guest memory at its RIP (x /8xb $rip: what
# the kernel holds there now, which a CPU looping on a patched-away int3
# does not execute), and the 64 words at its stack pointer (x /64gx $rsp), each
# word that points into kernel text named from System.map, moved by the
# KASLR offset the guest printed at boot ("kvmmmu-lab: kallsyms _text
# ADDR") and, inside a module, by the module addresses it printed
# ("kvmmmu-lab: modules NAME@ADDR ..."): the nearest module below it.
# Prints the dump on stdout.  With "nmi" last, then injects an NMI into
# every vCPU: a guest booted with unknown_nmi_panic prints the backtrace of
# the CPU that takes it as it panics (on the console, not here).
use strict;
use warnings;
no warnings 'portable'; # 64-bit kernel addresses
use IO::Socket::UNIX;

my ($sock_path, $map, $console, $ncpus, $then) = @ARGV;
die "usage: $0 MONITOR_SOCKET SYSTEM_MAP CONSOLE_LOG NCPUS [nmi]\n" unless defined $ncpus;

# ---- symbols ----------------------------------------------------------------
my (@addr, @name);
my $text_map;
if (open(my $m, '<', $map)) {
	my @syms;
	while (<$m>) {
		my ($a, $t, $n) = split;
		next unless defined $n && $t =~ /^[tTwW]$/;
		push @syms, [hex($a), $n];
		$text_map = hex($a) if $n eq '_text';
	}
	close $m;
	@syms = sort { $a->[0] <=> $b->[0] } @syms;
	@addr = map { $_->[0] } @syms;
	@name = map { $_->[1] } @syms;
}
my ($text_run, @modules);
if (open(my $c, '<', $console)) {
	while (<$c>) {
		tr/\r//d;
		$text_run = hex($1) if /kvmmmu-lab: kallsyms _text ([0-9a-f]+)/;
		if (/kvmmmu-lab: modules (.*)/) {
			@modules = ();
			for (split ' ', $1) {
				my ($n, $a) = split /@/;
				push @modules, [hex($a), $n] if defined $a && $a =~ /^0x[0-9a-f]+$|^[0-9a-f]+$/;
			}
			@modules = sort { $a->[0] <=> $b->[0] } @modules;
		}
	}
	close $c;
}
my $slide = defined $text_run && defined $text_map ? $text_run - $text_map : 0;

sub symbol {
	my ($v) = @_;
	return undef if $v < 0xffffffff80000000;
	if ($v >= 0xffffffffc0000000) { # modules
		my $best;
		for (@modules) { $best = $_ if $_->[0] <= $v; }
		return $best ? sprintf("[%s+0x%x]", $best->[1], $v - $best->[0]) : undef;
	}
	my $k = $v - $slide;
	my ($lo, $hi) = (0, $#addr);
	return undef if $hi < 0 || $k < $addr[0];
	while ($lo < $hi) {
		my $mid = int(($lo + $hi + 1) / 2);
		if ($addr[$mid] <= $k) { $lo = $mid } else { $hi = $mid - 1 }
	}
	my $off = $k - $addr[$lo];
	return $off < 0x100000 ? sprintf("%s+0x%x", $name[$lo], $off) : undef;
}

# ---- monitor ------------------------------------------------------------------
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $sock_path)
	or die "hang-dump: cannot connect to the QEMU monitor at $sock_path: $!\n";
$s->blocking(0);

# Everything the monitor says until its prompt comes back.
sub reply {
	my $out = '';
	my $rin = '';
	vec($rin, fileno($s), 1) = 1;
	for (my $waited = 0; $waited < 100; ) {
		my $n = select(my $r = $rin, undef, undef, 0.1);
		if ($n > 0) {
			my $got = sysread($s, my $buf, 65536);
			last unless $got;
			$out .= $buf;
			last if $out =~ /\(qemu\) $/;
		} else {
			$waited++;
		}
	}
	$out =~ s/\e\[[0-9;]*[A-Za-z]//g; # the monitor's line editing
	$out =~ tr/\r//d;
	return $out;
}
sub command {
	my ($cmd) = @_;
	print $s "$cmd\n";
	my $out = reply();
	$out =~ s/^.*?\Q$cmd\E\n//s; # the echo
	$out =~ s/\(qemu\) $//;
	return $out;
}

reply(); # the banner and first prompt
printf "hang dump: KASLR slide 0x%x, %d modules known\n", $slide, scalar @modules;
for my $cpu (0 .. $ncpus - 1) {
	command("cpu $cpu");
	my $regs = command("info registers");
	my ($rip) = $regs =~ /RIP=([0-9a-f]+)/;
	my ($rsp) = $regs =~ /RSP=([0-9a-f]+)/;
	my ($hlt) = $regs =~ /HLT=(\d)/;
	my $where = defined $rip ? (symbol(hex $rip) // '?') : '?';
	printf "\n== vCPU %d: RIP %s %s%s\n", $cpu, $rip // '?', $where, $hlt ? ' (halted)' : '';
	print $regs;
	if (defined $rip) {
		my @bytes = map { /^0x([0-9a-f]{2})$/ ? $1 : () } map { split } grep { /^[0-9a-f]+:/ }
			split /\n/, command("x /8xb 0x$rip");
		print "-- memory at RIP: @bytes\n";
	}
	next unless defined $rsp;
	print "-- stack words that may be kernel code addresses (? where no symbol is known):\n";
	for (split /\n/, command("x /64gx 0x$rsp")) {
		my ($at, @w) = split;
		next unless defined $at && $at =~ /^[0-9a-f]+:$/;
		for my $w (@w) {
			next unless $w =~ /^0x[0-9a-f]{16}$/;
			my $v = hex $w;
			next unless $v >= 0xffffffff80000000 && $v < 0xffffffffff000000;
			print "  $w ", symbol($v) // '?', "\n";
		}
	}
}
if (defined $then && $then eq 'nmi') {
	command("nmi");
	print "\nhang dump: NMI sent to every vCPU\n";
}
close $s;
