# The report generator: src/ is format -> reader -> model -> render -> cli.

# The HTML page's renderers draw with cairo and Graphviz: compiled with their
# flags, into a library of their own that only kvmmmu-report-html links.
HTML_SRCS   := $(wildcard src/render/html-*.c src/render/svg-inline.c)
REPORT_SRCS := $(filter-out $(HTML_SRCS),$(wildcard src/format/*.c src/reader/*.c src/model/*.c src/render/*.c src/dwarf/*.c))
CLI_SRCS    := $(wildcard src/cli/*.c)
REPORT_OBJS := $(REPORT_SRCS:%.c=$(B)/%.o)
HTML_OBJS   := $(HTML_SRCS:%.c=$(B)/%.o)
CLI_OBJS    := $(CLI_SRCS:%.c=$(B)/%.o)
# kvmmmu-report runs html through kvmmmu-report-html (html-exec.c), which
# has the real one (cmd-html.c) and the drawing libraries.
CLI_OBJS_LIGHT := $(filter-out $(B)/src/cli/cmd-html.o,$(CLI_OBJS))
CLI_OBJS_HTML  := $(filter-out $(B)/src/cli/html-exec.o,$(CLI_OBJS))
# Everything: the unit tests and the generator.
LIBS        = $(PKG_LIBS) -lm

# An object's pkg-config packages: the report's, but for the HTML renderers.
OBJ_PKGS = $(REPORT_PKGS)
$(HTML_OBJS): OBJ_PKGS = $(HTML_PKGS)
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(call CFLAGS_FOR,$(OBJ_PKGS)) -c -o $@ $<

$(B)/libkvmmmu.a: $(REPORT_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(B)/libkvmmmu-html.a: $(HTML_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The two are built apart: kvmmmu-report needs only glib and libdw.  Every
# target that runs kvmmmu-report html names both.
$(B)/kvmmmu-report: $(CLI_OBJS_LIGHT) $(B)/libkvmmmu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg,--libs,$(REPORT_PKGS)) -lm

$(B)/kvmmmu-report-html: $(CLI_OBJS_HTML) $(B)/libkvmmmu-html.a $(B)/libkvmmmu.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg,--libs,$(HTML_PKGS)) -lm

# The front end (kvmmmu record, kvmmmu report ...): glib alone.
$(B)/kvmmmu: $(B)/src/front/kvmmmu.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg,--libs,glib-2.0)
$(B)/src/front/kvmmmu.o: OBJ_PKGS = glib-2.0
-include $(B)/src/front/kvmmmu.d

-include $(REPORT_OBJS:.o=.d) $(HTML_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

# ---- tests ----------------------------------------------------------------
UNIT_SRCS  := $(wildcard tests/unit/test-*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

$(B)/tests/%: tests/unit/%.c $(B)/libkvmmmu-html.a $(B)/libkvmmmu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/common -I$(B)/tests -o $@ $< $(B)/libkvmmmu-html.a $(B)/libkvmmmu.a $(LIBS)

# The tapsets' record formatter and kind table, taken out of their embedded
# C to be tested in user space against the reader (test-tapset-format): the
# C of the generated kvmmmu_format.stpm, then the formatters of the runtime.
$(B)/tests/tapset-formatters.h: tapsets/kvmmmu_format.stpm tapsets/kvmmmu_runtime.stp
	@mkdir -p $(dir $@)
	{ sed -n '/^@define __kvmmmu_format_c/,/^%}/p' tapsets/kvmmmu_format.stpm | sed '1,3d;$$d'; \
	  sed -n '/kvmmmu-formatters begin/,/kvmmmu-formatters end/p' tapsets/kvmmmu_runtime.stp; } > $@
	@grep -q kvmmmu_kinds $@ && grep -q kvmmmu_fmt_record $@ || \
	  { echo "$@: no kind table or formatter found in the tapsets" >&2; rm -f $@; exit 1; }
# The runtime's flush padding, tested against a model of SystemTap 4.8's
# print buffer and relay (test-flush-align).
$(B)/tests/tapset-flush.h: tapsets/kvmmmu_runtime.stp
	@mkdir -p $(dir $@)
	sed -n '/kvmmmu-flush begin/,/kvmmmu-flush end/p' $< > $@
	@grep -q kvmmmu_commit $@ || \
	  { echo "$@: no flush padding found in the tapsets" >&2; rm -f $@; exit 1; }
$(B)/tests/test-flush-align: $(B)/tests/tapset-flush.h $(B)/tests/tapset-formatters.h
$(B)/tests/tapset-side.o: tests/unit/tapset-side.c $(B)/tests/tapset-formatters.h
	$(CC) $(ALL_CFLAGS) -I$(B)/tests -c -o $@ $<
$(B)/tests/test-tapset-format: tests/unit/test-tapset-format.c $(B)/tests/tapset-side.o $(B)/libkvmmmu.a
	$(CC) $(ALL_CFLAGS) -Itests/common -Itests/unit -o $@ $< $(B)/tests/tapset-side.o $(B)/libkvmmmu.a $(LIBS)

# The tapsets' side of the record format (tapsets/kvmmmu_format.stpm) is
# generated from src/format/records.h; make check fails while the committed
# file differs from what this writes.
$(B)/gen-tapset-format: src/gen/tapset-format.c $(B)/libkvmmmu.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libkvmmmu.a $(LIBS)
$(B)/kvmmmu_format.stpm: $(B)/gen-tapset-format
	$< > $@.tmp && mv $@.tmp $@
.PHONY: tapset-format
tapset-format: $(B)/kvmmmu_format.stpm
	cat $< > tapsets/kvmmmu_format.stpm

.PHONY: check check-report golden-update report
# The README's test command: unit tests, golden replay, the fail corpus, the
# seed's own dumps, and a parse of every tapset and script.
check: $(B)/kvmmmu-report $(B)/kvmmmu-report-html $(B)/kvmmmu $(UNIT_TESTS) $(B)/kvmmmu_format.stpm $(B)/bench/scale-trace $(B)/bench/run-timed
	@KVMMMU_REPORT=$(B)/kvmmmu-report UNIT_TESTS="$(UNIT_TESTS)" FORMAT_STPM=$(B)/kvmmmu_format.stpm \
	  BENCH_SCALE=$(B)/bench/scale-trace BENCH_TIMED=$(B)/bench/run-timed tests/run-tests.sh

# Rewrite the golden outputs after a deliberate change; read the diff.
golden-update: $(B)/kvmmmu-report
	KVMMMU_REPORT=$(B)/kvmmmu-report tests/run-tests.sh --update-golden

TRACE ?= tests/traces/6.1.0-56-amd64/zap_unsync.trace
# The reports that fit the trace's script (walks of a root_hpa capture only
# say there are none), into report/, replacing an earlier trace's.
report: $(B)/kvmmmu-report $(B)/kvmmmu-report-html
	@mkdir -p report
	@rm -f report/*.txt report/*.json report/*.csv report/*.dot report/index.html
	@script=$$(head -n1 "$(TRACE)" | sed -n 's/.* script=\([^ ]*\).*/\1/p'); \
	run() { echo "kvmmmu-report $$*"; $(B)/kvmmmu-report "$$@"; }; \
	set -e; \
	case "$$script" in \
	zap_unsync|"") \
	  run walks "$(TRACE)" > report/walks.txt; \
	  run walks --tree "$(TRACE)" > report/walks-tree.txt; \
	  run walks --format json "$(TRACE)" > report/walks.json; \
	  run walks --format csv "$(TRACE)" > report/walks.csv; \
	  run walks --format dot "$(TRACE)" > report/walks.dot ;; \
	esac; \
	case "$$script" in \
	root_hpa|"") \
	  run roots "$(TRACE)" > report/roots.txt; \
	  run roots --format json "$(TRACE)" > report/roots.json; \
	  run hist --latency "$(TRACE)" > report/hist-latency.txt ;; \
	esac; \
	case "$$script" in \
	root_hpa|mmu_load_rate|"") \
	  run hist --linear 0,100,10 "$(TRACE)" > report/hist-rate.txt; \
	  run hist --format json "$(TRACE)" > report/hist-rate.json ;; \
	esac; \
	run summary --format json "$(TRACE)" > report/summary.json; \
	run html -o report/index.html "$(TRACE)"; \
	run summary "$(TRACE)" | tee report/summary.txt; \
	echo "report: written to report/ from $(TRACE) (the reports of script=$${script:-?})"
