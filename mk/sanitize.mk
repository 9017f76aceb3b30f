# The whole test suite under ASan+UBSan, then the unit tests and every
# command under valgrind (errors and definite leaks fail; html with the
# leaks of its drawing libraries suppressed, tests/valgrind-libs.supp), then the
# reader's threads under ThreadSanitizer.
#   make check-sanitize
#   make check-threads    (ThreadSanitizer only)
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite

DEB_PACKAGES += valgrind

.PHONY: check-sanitize check-valgrind check-threads
check-sanitize:
	$(MAKE) --no-print-directory B=build-asan CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
	  KVMMMU_SANITIZE=1 check
	$(MAKE) --no-print-directory check-valgrind
	$(MAKE) --no-print-directory check-threads

# pthreads in the reader, so ThreadSanitizer sees every lock.
check-threads:
	$(MAKE) --no-print-directory B=build-tsan CFLAGS="-O1 -g -fsanitize=thread" \
	  LDFLAGS="-fsanitize=thread" build-tsan/kvmmmu-report
	KVMMMU_REPORT=build-tsan/kvmmmu-report tests/threads-stress.sh

check-valgrind: $(B)/kvmmmu-report $(B)/kvmmmu-report-html $(UNIT_TESTS)
	@pass=0; fail=0; \
	run() { if "$$@" >/dev/null 2>$(B)/valgrind.err; rc=0; then :; else rc=$$?; fi; \
	  if [ $$rc = 99 ]; then fail=$$((fail + 1)); echo "FAIL valgrind $$*"; head -30 $(B)/valgrind.err; \
	  else pass=$$((pass + 1)); fi; }; \
	for t in $(UNIT_TESTS); do run env KVMMMU_RECORD_FORMAT_DOC=docs/record-format.md $(VALGRIND) $$t; done; \
	for trace in tests/traces/*/*.trace; do \
	  for c in "walks" "walks --tree" "walks --format json" "roots --format json" "hist" "hist --latency" "summary" "check" "top --once"; do \
	    run $(VALGRIND) $(B)/kvmmmu-report $$c $$trace; done; done; \
	for trace in tests/fail/*.trace; do \
	  for c in "walks --tree" "roots" "hist" "check"; do \
	    run $(VALGRIND) $(B)/kvmmmu-report $$c $$trace; done; done; \
	for trace in tests/traces/*/zap_unsync.trace tests/fail/walk-open-at-end.trace; do \
	  run $(VALGRIND) --suppressions=tests/valgrind-libs.supp $(B)/kvmmmu-report-html html $$trace; done; \
	echo "check-valgrind: $$pass passed, $$fail failed"; [ $$fail = 0 ]
