/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: kvmmmu-report cache on any input (fuzz.h). */
#include "fuzz.h"
#include "cli/cli.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_run_command("cache", kvmmmu_cmd_cache, NULL, data, size);
}
