# Fuzzing: one libFuzzer target per report, and a trace generator with
# differential checks (docs/fuzzing.md says what each does).
#
#   make fuzz [FUZZ_SECONDS=30] [FUZZ_JOBS=2] [FUZZ_TARGETS="walks hist"]
#
# FUZZ_SECONDS is the time of each target and of the generator, run
# FUZZ_JOBS at a time: the nine of them take 5 x FUZZ_SECONDS with two
# jobs, plus the builds and a coverage replay.  Inputs are at most
# FUZZ_MAX_LEN bytes, so that inputs stay quick (docs/fuzzing.md gives
# each target's rate).  At the end: each target's executions a second, the line
# coverage of every file of src/model and src/render over all the final
# corpora (a file left at 0% fails: the targets must reach it), then
# "fuzz: N passed, N failed".  Crashes land in $(B)/fuzz/TARGET/ as crash-*
# files, generator failures in $(B)/fuzz/gen/: add each, once fixed, to
# tests/fail/ with its .expect.
FUZZ_SECONDS ?= 30
FUZZ_JOBS ?= 2
FUZZ_MAX_LEN ?= 4096
FUZZ_TARGETS ?= reader summary walks roots cache hist check html
FUZZ_CC ?= clang
FUZZ_PROFDATA ?= llvm-profdata
FUZZ_COV ?= llvm-cov
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
# The html charts' time bins, fewer than the program's: inputs of a few
# records then reach the bins' doubling, and a page costs less to draw.
FUZZ_HTML_BINS := -DKVMMMU_TIMELINE_BINS=64 -DKVMMMU_SERIES_BINS=64
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(FUZZ_HTML_BINS)
# The coverage build replays the corpora: profile counters, no sanitizer.
FUZZ_COV_CFLAGS := -g -O1 -fprofile-instr-generate -fcoverage-mapping $(FUZZ_HTML_BINS)

# The CLI's commands as they run, but for main() and the html stub.
FUZZ_LIB_SRCS := $(wildcard src/format/*.c src/reader/*.c src/model/*.c src/render/*.c src/dwarf/*.c) \
	$(filter-out src/cli/main.c src/cli/html-exec.c,$(wildcard src/cli/*.c))
FUZZ_OBJS := $(FUZZ_LIB_SRCS:%.c=$(B)/fuzz/obj/%.o)
FUZZ_COV_OBJS := $(FUZZ_LIB_SRCS:%.c=$(B)/fuzz/cov-obj/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/bin/fuzz-%)
FUZZ_COV_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/cov/fuzz-%)
FUZZ_INC = -std=gnu11 -Isrc -Itests/common -Itests/fuzz $(PKG_CFLAGS) -MMD -MP

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_INC) -c -o $@ $<
$(B)/fuzz/cov-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_COV_CFLAGS) $(FUZZ_INC) -c -o $@ $<
$(B)/fuzz/libfuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(B)/fuzz/libfuzz-cov.a: $(FUZZ_COV_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(B)/fuzz/bin/fuzz-%: $(B)/fuzz/obj/tests/fuzz/fuzz-%.o $(B)/fuzz/libfuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm
$(B)/fuzz/cov/fuzz-%: $(B)/fuzz/cov-obj/tests/fuzz/fuzz-%.o $(B)/fuzz/libfuzz-cov.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_COV_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm
$(B)/fuzz/gen-trace: tests/fuzz/gen-trace.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -o $@ $<

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_COV_OBJS:.o=.d) \
	$(FUZZ_TARGETS:%=$(B)/fuzz/obj/tests/fuzz/fuzz-%.d) $(FUZZ_TARGETS:%=$(B)/fuzz/cov-obj/tests/fuzz/fuzz-%.d)

# The generator's differential runs use the ASan+UBSan build of
# check-sanitize (the same directory and flags: built once for both).
# (a phony name of its own: the sub-make's build-asan/kvmmmu-report is
# report.mk's rule)
FUZZ_SAN_REPORT := build-asan/kvmmmu-report
.PHONY: fuzz fuzz-build fuzz-san-report
fuzz-san-report:
	$(MAKE) --no-print-directory B=build-asan CFLAGS="$(SAN_FLAGS)" \
	  LDFLAGS="-fsanitize=address,undefined" $(FUZZ_SAN_REPORT)
fuzz-build: $(FUZZ_BINS) $(FUZZ_COV_BINS) $(B)/fuzz/gen-trace fuzz-san-report
fuzz: fuzz-build
	@FUZZ_DIR=$(B)/fuzz FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_SECONDS=$(FUZZ_SECONDS) \
	  FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_MAX_LEN=$(FUZZ_MAX_LEN) FUZZ_PROFDATA=$(FUZZ_PROFDATA) \
	  FUZZ_COV=$(FUZZ_COV) GEN_TRACE=$(B)/fuzz/gen-trace KVMMMU_REPORT=$(FUZZ_SAN_REPORT) \
	  tests/fuzz/run-fuzz.sh

DEB_PACKAGES += clang llvm libclang-rt-14-dev
