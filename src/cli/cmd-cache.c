/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report cache: KVM's prev_roots cache replayed from the switch
 * records for every size from 1 to 16, against what the kernel did. */
#include <stdio.h>

#include "cli/cli.h"
#include "model/cache.h"

typedef struct {
  KvmmmuCli *cli;
  KvmmmuCache *cache;
} CacheRun;

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  CacheRun *run = data;

  /* The layout of the capture this header starts is chosen by now. */
  if (rec->kind == KVMMMU_RECORD_HEADER)
    kvmmmu_cli_cache_n(run->cli->layout, run->cache);
  kvmmmu_cache_add(run->cache, rec);
}

/* A record the filter left out still numbers its VM, as --vm does. */
static void
on_left_out(const KvmmmuRecord *rec, gpointer data)
{
  CacheRun *run = data;

  kvmmmu_cache_note_vm(run->cache, rec);
}

int
kvmmmu_cmd_cache(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuCache) cache = kvmmmu_cache_new(KVMMMU_CLI_PREV_ROOTS);
  g_autoptr(GString) out = g_string_new("");
  CacheRun run = { &cli, cache };
  guint64 bad_lines;
  int status;

  if (!kvmmmu_cli_parse(&cli, "cache",
                        "KVM's cache of previous guest roots replayed from the switch records:\n"
                        "per vCPU, the hits and misses it would have with 1 to 16 previous roots,\n"
                        "the load time that would save, the reuse depth of every switch, and the\n"
                        "model checked against the kernel's own hits at its KVM_MMU_NUM_PREV_ROOTS.",
                        NULL, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  cli.left_out_func = on_left_out;
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_cache_finish(cache);
  if (!kvmmmu_cli_expect_records("cache", stats, stats->per_kind[KVMMMU_RECORD_SWITCH],
                                 "switch records", "root_hpa")) {
    kvmmmu_cli_clear(&cli);
    return status == KVMMMU_EXIT_OK ? KVMMMU_EXIT_PROBLEMS : status;
  }
  switch (cli.format) {
  case KVMMMU_FORMAT_DOT: /* only walks takes dot: kvmmmu_cli_parse */
  case KVMMMU_FORMAT_TEXT:
    kvmmmu_render_loss_note(out, stats);
    kvmmmu_render_cache_text(out, cache);
    break;
  case KVMMMU_FORMAT_CSV:
    kvmmmu_render_cache_csv(out, cache);
    break;
  case KVMMMU_FORMAT_OPENMETRICS:
    kvmmmu_render_cache_openmetrics(out, cache, stats);
    break;
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node = kvmmmu_render_cache_json(cache);
    kvmmmu_cli_write_json(node);
    break;
  }
  }
  if (!kvmmmu_cli_write_report(&cli, "cache", out))
    status = KVMMMU_EXIT_UNUSABLE;
  kvmmmu_cli_note_loss(&cli, stats);
  kvmmmu_cli_clear(&cli);
  return status;
}
