#!/usr/bin/env bash
# unit tests (GLib g_test)
. "$(dirname "$0")/test-subr.sh"

if [ "$UPDATE" = 0 ]; then
  for t in ${UNIT_TESTS:-}; do
    if out=$(KVMMMU_RECORD_FORMAT_DOC=docs/record-format.md "$t" 2>&1); then ok "$t"; else bad "$t" "$out"; fi
  done
fi

finish
