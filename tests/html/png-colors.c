/* SPDX-License-Identifier: GPL-2.0-or-later */
/* png-colors FILE.png: print "WIDTHxHEIGHT COLORS INK" - the distinct pixel
 * colours and the share of pixels (per mille) that are not the background
 * (the top-left pixel's colour).  check-html uses it to tell a drawn page
 * from a blank one without python. */
#include <stdio.h>

#include <cairo.h>
#include <glib.h>

int
main(int argc, char **argv)
{
  cairo_surface_t *s;
  GHashTable *seen;
  guint32 bg;
  guint64 ink = 0;
  int w, h, stride;
  unsigned char *data;

  if (argc != 2) {
    fprintf(stderr, "usage: png-colors FILE.png\n");
    return 64;
  }
  s = cairo_image_surface_create_from_png(argv[1]);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    fprintf(stderr, "png-colors: Cannot read PNG: path=%s: %s\n", argv[1],
            cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    return 2;
  }
  w = cairo_image_surface_get_width(s);
  h = cairo_image_surface_get_height(s);
  stride = cairo_image_surface_get_stride(s);
  data = cairo_image_surface_get_data(s);
  seen = g_hash_table_new(g_direct_hash, g_direct_equal);
  bg = w && h ? *(guint32 *)data : 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint32 px = *(guint32 *)(data + y * stride + x * 4);

      g_hash_table_add(seen, GUINT_TO_POINTER(px));
      if (px != bg)
        ink++;
    }
  printf("%dx%d %u %" G_GUINT64_FORMAT "\n", w, h, g_hash_table_size(seen),
         w && h ? ink * 1000 / ((guint64)w * h) : 0);
  g_hash_table_destroy(seen);
  cairo_surface_destroy(s);
  return 0;
}
