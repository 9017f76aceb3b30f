# The report generator: src/ is format -> reader -> model -> render -> cli.

REPORT_SRCS := $(wildcard src/format/*.c src/reader/*.c src/model/*.c src/render/*.c src/dwarf/*.c)
CLI_SRCS    := $(wildcard src/cli/*.c)
REPORT_OBJS := $(REPORT_SRCS:%.c=$(B)/%.o)
CLI_OBJS    := $(CLI_SRCS:%.c=$(B)/%.o)
LIBS        = $(PKG_LIBS) -lm

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libkvmmmu.a: $(REPORT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/kvmmmu-report: $(CLI_OBJS) $(B)/libkvmmmu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

-include $(REPORT_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# ---- tests ----------------------------------------------------------------
UNIT_SRCS  := $(wildcard tests/unit/test-*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

$(B)/tests/%: tests/unit/%.c $(B)/libkvmmmu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/common -o $@ $< $(B)/libkvmmmu.a $(LIBS)

.PHONY: check check-report golden-update report
# The README's test command: unit tests, golden replay, the fail corpus, the
# seed's own dumps, and a parse of every tapset and script.
check: $(B)/kvmmmu-report $(UNIT_TESTS)
	@KVMMMU_REPORT=$(B)/kvmmmu-report UNIT_TESTS="$(UNIT_TESTS)" tests/run-tests.sh

# Rewrite the golden outputs after a deliberate change; read the diff.
golden-update: $(B)/kvmmmu-report
	KVMMMU_REPORT=$(B)/kvmmmu-report tests/run-tests.sh --update-golden

# Every report for TRACE into report/, then the summary.
TRACE ?= tests/traces/6.1.0-56-amd64/zap_unsync.trace
report: $(B)/kvmmmu-report
	@mkdir -p report
	$(B)/kvmmmu-report walks $(TRACE) > report/walks.txt
	$(B)/kvmmmu-report walks --tree $(TRACE) > report/walks-tree.txt
	$(B)/kvmmmu-report walks --format json $(TRACE) > report/walks.json
	$(B)/kvmmmu-report walks --format csv $(TRACE) > report/walks.csv
	$(B)/kvmmmu-report walks --format dot $(TRACE) > report/walks.dot
	$(B)/kvmmmu-report roots $(TRACE) > report/roots.txt
	$(B)/kvmmmu-report roots --format json $(TRACE) > report/roots.json
	$(B)/kvmmmu-report hist --linear 0,100,10 $(TRACE) > report/hist-rate.txt
	$(B)/kvmmmu-report hist --format json $(TRACE) > report/hist-rate.json
	$(B)/kvmmmu-report hist --latency $(TRACE) > report/hist-latency.txt
	$(B)/kvmmmu-report summary --format json $(TRACE) > report/summary.json
	$(B)/kvmmmu-report html -o report/index.html $(TRACE)
	$(B)/kvmmmu-report summary $(TRACE) | tee report/summary.txt
	@echo "report: written to report/ from $(TRACE)"
