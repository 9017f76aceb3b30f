# libFuzzer over the reader and every command's model and renderer.
#   make fuzz [FUZZ_SECONDS=120]
# The corpus starts from tests/traces and tests/fail; crashes land in
# $(B)/fuzz/ as crash-* files: add each to tests/fail/ with its .expect.
FUZZ_SECONDS ?= 120
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

FUZZ_SRCS := $(wildcard src/format/*.c src/reader/*.c src/model/*.c src/render/*.c)

$(B)/fuzz/fuzz-report: tests/fuzz/fuzz-report.c $(FUZZ_SRCS) $(wildcard src/*/*.h) tests/common/record-log.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -std=gnu11 -Isrc -Itests/common $(PKG_CFLAGS) -o $@ tests/fuzz/fuzz-report.c $(FUZZ_SRCS) $(PKG_LIBS) -lm

.PHONY: fuzz
fuzz: $(B)/fuzz/fuzz-report
	@rm -rf $(B)/fuzz/corpus && mkdir -p $(B)/fuzz/corpus
	@for f in tests/traces/*/*.trace tests/fail/*.trace; do cp "$$f" "$(B)/fuzz/corpus/$$(echo "$$f" | tr / _)"; done
	@cd $(B)/fuzz && ./fuzz-report -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -print_final_stats=1 corpus 2>&1 | tee fuzz.log | grep -E '^(#[0-9]+ +DONE|INFO: fuzzed|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY)' ; \
	  rc=$${PIPESTATUS[0]}; \
	  if [ $$rc = 0 ]; then echo "fuzz: 1 passed, 0 failed"; else echo "fuzz: 0 passed, 1 failed (see $(B)/fuzz/fuzz.log)"; fi; exit $$rc
DEB_PACKAGES += clang libclang-rt-14-dev
