/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: kvmmmu-report html on any input (fuzz.h), cairo's charts and
 * Graphviz's walk trees included.  The page must be whole and hold no
 * element the input named: every text from the trace is escaped. */
#include "fuzz.h"

#include <dlfcn.h>
#include <cairo.h>
#include <graphviz/gvc.h>

#include "cli/cli.h"

/* Graphviz keeps state of a freed context (a font name cache) and reads it
 * in the next one.  The program makes one context in its life, so the
 * fuzzer keeps one too: these stand for libgvc's own. */
GVC_t *
gvContext(void)
{
  static GVC_t *gvc;

  if (!gvc) {
    GVC_t *(*real)(void) = (GVC_t * (*)(void))dlsym(RTLD_NEXT, "gvContext");

    gvc = real();
  }
  return gvc;
}

int
gvFreeContext(GVC_t *gvc)
{
  return 0;
}

/* Cairo writes each glyph of a chart's text as an SVG path, a quarter of
 * a megabyte a page, which costs more than all the rest: the labels are
 * made and placed (cairo_text_extents measures them) but not drawn. */
void
cairo_show_text(cairo_t *cr, const char *utf8)
{
}

static void
check_page(char **argv, int argc, int status, const char *out, size_t len)
{
  static const char head[] = "<!DOCTYPE html>\n", tail[] = "</html>\n";

  if (status == 64 || len == 0)
    return;
  if (len < sizeof head + sizeof tail || memcmp(out, head, sizeof head - 1) != 0 ||
      memcmp(out + len - (sizeof tail - 1), tail, sizeof tail - 1) != 0)
    fuzz_fail("fuzz: html wrote %zu bytes that are not one whole page (exit %d)", len, status);
  /* The page has no scripts; one there came from the input unescaped. */
  if (g_strstr_len(out, len, "<script") || g_strstr_len(out, len, "<fuzz"))
    fuzz_fail("fuzz: html: a tag from the input reached the page unescaped");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  return fuzz_run_command("html", kvmmmu_cmd_html, check_page, data, size);
}
