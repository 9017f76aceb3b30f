# The whole test suite under ASan+UBSan, then the unit tests and every
# command under valgrind (tests/check-valgrind.sh: errors and definite leaks
# fail; html with the leaks of its drawing libraries suppressed,
# tests/valgrind-libs.supp; as many runs at once as CPUs), then the
# reader's threads under ThreadSanitizer.
#   make check-sanitize
#   make check-threads    (ThreadSanitizer only)
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

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
	@tests/check-valgrind.sh $(B) $(UNIT_TESTS)
