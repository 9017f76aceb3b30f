/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * svg-inline.c - an SVG document (cairo's or Graphviz's) made an element
 * of the HTML page: several drawings share one page, so their ids must
 * not collide, and Graphviz sizes its drawings in pt where CSS wants px.
 */
#include <math.h>
#include <string.h>

#include "render/html-private.h"

/* Past the root element only the references change, and each of them
 * ends in '"' (" id=\"") or '#' ("href=\"#", "url(#"): the text between
 * is copied in runs, as a byte-by-byte match of the three cost several
 * compares a byte on drawings of a hundred kilobytes.  No two of them can
 * overlap, so finding each by its last byte finds what a scan from the
 * left would. */
static void
copy_refs(GString *out, const char *p, const char *end, const char *prefix)
{
  const char *run = p; /* copied up to here */

  while (p < end) {
    const char *q = p;
    gboolean ref;

    while (q < end && *q != '"' && *q != '#')
      q++;
    if (q == end)
      break;
    /* the byte before first: most quotes open or close other attributes,
     * and a call per quote costs more than the copy */
    if (*q == '"')
      ref = q - run >= 4 && q[-1] == '=' && q[-2] == 'd' && memcmp(q - 4, " id=", 4) == 0;
    else
      ref = (q - run >= 6 && q[-1] == '"' && memcmp(q - 6, "href=\"", 6) == 0) ||
            (q - run >= 4 && q[-1] == '(' && memcmp(q - 4, "url(", 4) == 0);
    p = q + 1;
    if (ref) {
      g_string_append_len(out, run, p - run);
      g_string_append(out, prefix);
      run = p;
    }
  }
  g_string_append_len(out, run, end - run);
}

void
kvmmmu_svg_inline(GString *out, const char *svg, gsize len, const char *cls,
                  const char *prefix, double scale)
{
  static const char *const refs[] = { " id=\"", "href=\"#", "url(#" };
  const char *p = g_strstr_len(svg, len, "<svg");
  const char *end = svg + len;

  if (!p)
    return;
  g_string_append_printf(out, "<svg class=\"%s\"", cls);
  p += 4;
  while (p < end) {
    gboolean done = FALSE;

    /* the end of the root element */
    if (*p == '>') {
      g_string_append_c(out, *p++);
      copy_refs(out, p, end, prefix);
      break;
    }
    /* width="715pt" in the root: CSS px */
    if (*p == ' ' && (gsize)(end - p) > 9 &&
        (strncmp(p, " width=\"", 8) == 0 || strncmp(p, " height=\"", 9) == 0)) {
      const char *v = (const char *)memchr(p, '"', end - p) + 1;
      const char *close = memchr(v, '"', end - v);
      char num[32];
      char *num_end;
      double n;

      /* the number is copied: the document need not end in a NUL */
      if (close && close - v < (gssize)sizeof num) {
        memcpy(num, v, close - v);
        num[close - v] = '\0';
        n = g_ascii_strtod(num, &num_end);
        if (num_end != num) {
          g_string_append_len(out, p, v - p);
          g_string_append_printf(out, "%.0f\"", ceil(n * scale));
          p = close + 1;
          continue;
        }
      }
    }
    for (guint r = 0; r < G_N_ELEMENTS(refs) && !done; r++) {
      gsize n = strlen(refs[r]);

      if (*p == refs[r][0] && (gsize)(end - p) >= n && memcmp(p, refs[r], n) == 0) {
        g_string_append_len(out, p, n);
        g_string_append(out, prefix);
        p += n;
        done = TRUE;
      }
    }
    if (!done)
      g_string_append_c(out, *p++);
  }
  while (out->len && (out->str[out->len - 1] == '\n' || out->str[out->len - 1] == ' '))
    g_string_truncate(out, out->len - 1);
  g_string_append_c(out, '\n');
}
