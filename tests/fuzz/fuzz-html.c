/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer: kvmmmu-report html on any input (fuzz.h), cairo's charts and
 * Graphviz's walk trees included.  The page must be whole and hold no
 * element the input named: every text from the trace is escaped. */
#include "fuzz.h"

#include <dlfcn.h>
#include <cairo.h>
#include <cairo-svg.h>
#include <graphviz/gvc.h>

#include "cli/cli.h"

/* dot's layout and the core renderers (svg among them) alone, from the
 * plugin directory beside libgvc: without the pango plugin Graphviz sizes
 * labels from its own font metrics instead of shaping them, a fifth of an
 * input's time, and our code does the same either way.  NULL when they
 * are not found (the context then loads every plugin, as the program's). */
static GVC_t *
context_without_pango(void *real)
{
  static const char *const libs[][2] = {
    { "libgvplugin_dot_layout.so.6", "gvplugin_dot_layout_LTX_library" },
    { "libgvplugin_core.so.6", "gvplugin_core_LTX_library" },
  };
  static lt_symlist_t builtins[G_N_ELEMENTS(libs) + 1];
  g_autofree char *dir = NULL;
  Dl_info info;

  if (!dladdr(real, &info) || !info.dli_fname)
    return NULL;
  dir = g_path_get_dirname(info.dli_fname);
  for (guint i = 0; i < G_N_ELEMENTS(libs); i++) {
    g_autofree char *path = g_build_filename(dir, "graphviz", libs[i][0], NULL);
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);

    builtins[i].name = libs[i][1];
    builtins[i].address = lib ? dlsym(lib, libs[i][1]) : NULL;
    if (!builtins[i].address)
      return NULL;
  }
  return gvContextPlugins(builtins, 0);
}

/* Graphviz keeps state of a freed context (a font name cache) and reads it
 * in the next one.  The program makes one context in its life, so the
 * fuzzer keeps one too: these stand for libgvc's own. */
GVC_t *
gvContext(void)
{
  static GVC_t *gvc;

  if (!gvc) {
    GVC_t *(*real)(void) = (GVC_t * (*)(void))dlsym(RTLD_NEXT, "gvContext");

    gvc = context_without_pango((void *)real);
    if (!gvc)
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

/* Cairo's SVG writer finishing a chart (the drawing replayed twice, every
 * number printed) and our inlining of what it wrote cost more than the rest
 * of a page.  The writer is cairo's, and what it writes differs between
 * inputs only in its numbers: charts are written as SVG for one input in
 * FUZZ_HTML_SVG_EVERY (picked by its bytes, as the walks drawn are).  For
 * the others a recording surface takes the same drawing calls and writes
 * nothing, and the page has each chart's figure without its drawing. */
#define FUZZ_HTML_SVG_EVERY 4

static gboolean svg_written; /* for the input being run */

cairo_surface_t *
cairo_svg_surface_create_for_stream(cairo_write_func_t write, void *closure, double w, double h)
{
  static cairo_surface_t *(*real)(cairo_write_func_t, void *, double, double);
  cairo_rectangle_t extents = { 0, 0, w, h };

  if (!svg_written)
    return cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents);
  if (!real)
    real = (cairo_surface_t * (*)(cairo_write_func_t, void *, double, double))
      dlsym(RTLD_NEXT, "cairo_svg_surface_create_for_stream");
  return real(write, closure, w, h);
}

/* on a recording surface it would put the surface in error, and every
 * drawing call after it would do nothing */
void
cairo_svg_surface_restrict_to_version(cairo_surface_t *surface, cairo_svg_version_t version)
{
  static void (*real)(cairo_surface_t *, cairo_svg_version_t);

  if (!svg_written)
    return;
  if (!real)
    real = (void (*)(cairo_surface_t *, cairo_svg_version_t))
      dlsym(RTLD_NEXT, "cairo_svg_surface_restrict_to_version");
  real(surface, version);
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

/* Each walk drawn is a Graphviz layout, most of an input's time: at most
 * this many are drawn (the input's --max-walks, when lower, stands), and
 * only for one input in FUZZ_HTML_DRAW_EVERY (picked by its bytes, so that
 * an input always runs the same way); the others draw none.  Two keep the
 * page's walk section, its picking and its "left out" line reached by
 * inputs of a few walks. */
#define FUZZ_HTML_MAX_WALKS 2
#define FUZZ_HTML_DRAW_EVERY 16

static gint64 walk_cap; /* of the input being run */

/* v lowered to the cap when it is a number above it; else as it is, for
 * GOption to take or refuse */
static char *
lowered(char *v, char *cap)
{
  char *end;
  gint64 x = g_ascii_strtoll(v, &end, 10);

  return *v && !*end && x > walk_cap ? cap : v;
}

static int
html_capped(int argc, char **argv)
{
  char opt[32], *cap = opt + 12;
  char *args[FUZZ_MAX_ARGS + 8];
  gboolean options = TRUE; /* before "--" */
  int n = 0;

  g_snprintf(opt, sizeof opt, "--max-walks=%" G_GINT64_FORMAT, walk_cap);
  /* the cap first: an option of the input's own comes later and wins */
  args[n++] = argv[0];
  args[n++] = opt;
  for (int i = 1; i < argc; i++) {
    options = options && strcmp(argv[i], "--") != 0;
    if (options && strcmp(argv[i], "--max-walks") == 0 && i + 1 < argc) {
      args[n++] = argv[i++];
      args[n++] = lowered(argv[i], cap);
    } else if (options && g_str_has_prefix(argv[i], "--max-walks=")) {
      args[n++] = lowered(argv[i] + 12, cap) == argv[i] + 12 ? argv[i] : opt;
    } else {
      args[n++] = argv[i];
    }
  }
  args[n] = NULL;
  return kvmmmu_cmd_html(n, args);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  guint32 h = 2166136261u; /* FNV-1a */

  for (size_t i = 0; i < size; i++)
    h = (h ^ data[i]) * 16777619u;
  walk_cap = h % FUZZ_HTML_DRAW_EVERY == 0 ? FUZZ_HTML_MAX_WALKS : 0;
  svg_written = h / FUZZ_HTML_DRAW_EVERY % FUZZ_HTML_SVG_EVERY == 0;
  return fuzz_run_command("html", html_capped, check_page, data, size);
}
