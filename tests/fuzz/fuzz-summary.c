/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: kvmmmu-report summary on any input (fuzz.h), then top --once
 * on the same trace. */
#include "fuzz.h"
#include "cli/cli.h"

/* top --once on the input's trace, whatever options the input names: -f
 * would follow the file for ever, - would wait on the fuzzer's stdin, and
 * top writes text only. */
static void
run_top_once(const uint8_t *data, size_t size)
{
  FuzzInput in;
  char *args[] = { "top", "--once", fuzz_trace.path, NULL };
  int status;

  fuzz_input_parse(&in, data, size);
  fuzz_file_set(&fuzz_trace, in.trace, in.trace_len);
  status = kvmmmu_cmd_top(3, args);
  fflush(stdout);
  if (status != 0 && status != 1 && status != 2)
    fuzz_fail("fuzz: top --once exited %d: expected 0, 1 or 2", status);
  fuzz_file_set(&fuzz_out, NULL, 0);
  if (lseek(1, 0, SEEK_SET) != 0)
    fuzz_fail("fuzz: lseek stdout: %s", g_strerror(errno));
  fuzz_input_clear(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_run_command("summary", kvmmmu_cmd_summary, NULL, data, size);
  run_top_once(data, size);
  return 0;
}
