# make bench [BENCH_SIZES="100 1000"] [BENCH_RUNS=5]: tests/bench/run-bench.sh.
# Not part of make check or CI: it writes a gigabyte and measures the machine.
DEB_PACKAGES += mawk

$(B)/bench/scale-trace: tests/bench/scale-trace.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(B)/bench/run-timed: tests/bench/run-timed.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

.PHONY: bench
bench: $(B)/kvmmmu-report $(B)/bench/scale-trace $(B)/bench/run-timed
	KVMMMU_REPORT=$(B)/kvmmmu-report SCALE=$(B)/bench/scale-trace TIMED=$(B)/bench/run-timed \
	  tests/bench/run-bench.sh
