/* SPDX-License-Identifier: GPL-2.0-or-later */
/* preflight.c - before stap runs: what the tapsets probe exists in this
 * kernel's DWARF (functions, the step line, the variables read). */
#include <dwarf.h>
#include <stdio.h>
#include <string.h>

#include "dwarf/layout.h"
#include "dwarf/object.h"
#include "dwarf/preflight.h"

typedef struct {
  const char *name;          /* function */
  const char *vars;          /* space-separated variables the tapset reads */
  int rel_line;              /* a statement probe this many lines in, or -1 */
} ProbedFunction;

/* Alternatives are separated by '|': any one of them serves. */
static const struct {
  const char *alias;
  ProbedFunction fn[2];
} probed[] = {
  { "kvmmmu.unsync_walk, kvmmmu.zap_step",
    { { "mmu_zap_unsync_children", "sp i pages parents parent kvm", 15 }, { NULL } } },
  { "kvmmmu.root_load", { { "kvm_mmu_load", "vcpu", -1 }, { NULL } } },
  { "kvmmmu.root_switch",
    { { "kvm_mmu_new_pgd", "vcpu", -1 }, { "kvm_mmu_new_cr3", "vcpu", -1 } } },
  { "kvmmmu.vcpu_roots", { { "kvm_arch_vcpu_ioctl_run", "vcpu", -1 }, { NULL } } },
};

static const struct {
  const char *type;
  const char *members; /* space-separated; "a|b" = either */
} probed_members[] = {
  { "kvm_mmu", "root|root_hpa prev_roots root_role|mmu_role|base_role" },
  { "kvm", "vcpu_array|vcpus" },
  { "kvm_vcpu", "arch kvm vcpu_id" },
  { "kvm_mmu_page", "role gfn unsync" },
  { "kvm_mmu_pages", "page nr" },
  { "mmu_page_path", "parent" },
};

typedef struct {
  Dwarf_Die die;
  Dwarf_Die cu;
  gboolean found;
} FoundDie;

static const char *
die_name(Dwarf_Die *die)
{
  Dwarf_Attribute attr;

  return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

/* Names of the parameters and variables of fn, lexical blocks included. */
static void
collect_vars(Dwarf_Die *fn, GHashTable *names)
{
  Dwarf_Die child;

  if (dwarf_child(fn, &child) != 0)
    return;
  do {
    int tag = dwarf_tag(&child);
    const char *name = die_name(&child);

    if ((tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) && name)
      g_hash_table_add(names, g_strdup(name));
    else if (tag == DW_TAG_lexical_block)
      collect_vars(&child, names);
  } while (dwarf_siblingof(&child, &child) == 0);
}

/* Does fn have code on the line rel lines after its declaration? */
static gboolean
has_line(Dwarf_Die *cu, Dwarf_Die *fn, int rel, int *line_out, const char **file_out)
{
  Dwarf_Lines *lines;
  size_t n;
  int decl;
  const char *decl_file = dwarf_decl_file(fn);

  if (dwarf_decl_line(fn, &decl) != 0 || dwarf_getsrclines(cu, &lines, &n) != 0)
    return FALSE;
  for (size_t i = 0; i < n; i++) {
    Dwarf_Line *l = dwarf_onesrcline(lines, i);
    Dwarf_Addr addr;
    int lineno;

    if (dwarf_lineno(l, &lineno) != 0 || lineno != decl + rel || dwarf_lineaddr(l, &addr) != 0)
      continue;
    if (decl_file && g_strcmp0(dwarf_linesrc(l, NULL, NULL), decl_file) != 0)
      continue;
    if (dwarf_haspc(fn, addr) == 1) {
      *line_out = lineno;
      *file_out = decl_file;
      return TRUE;
    }
  }
  return FALSE;
}

typedef struct {
  GHashTable *fns;   /* function name -> FoundDie */
  GHashTable *types; /* struct name -> FoundDie */
} PreflightScan;

static void
found_add(GHashTable *table, const char *key, Dwarf_Die *cu, Dwarf_Die *die)
{
  FoundDie *f;

  if (g_hash_table_contains(table, key))
    return;
  f = g_new0(FoundDie, 1);
  f->die = *die;
  f->cu = *cu;
  f->found = TRUE;
  g_hash_table_insert(table, (gpointer)key, f);
}

static gboolean
scan_preflight(Dwarf_Die *cu, Dwarf_Die *die, gpointer data)
{
  PreflightScan *scan = data;
  int tag = dwarf_tag(die);
  const char *name;

  if (tag == DW_TAG_subprogram &&
      (dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges))) {
    name = die_name(die);
    for (guint i = 0; name && i < G_N_ELEMENTS(probed); i++)
      for (guint k = 0; k < 2; k++)
        if (probed[i].fn[k].name && strcmp(name, probed[i].fn[k].name) == 0)
          found_add(scan->fns, probed[i].fn[k].name, cu, die);
  } else if (tag == DW_TAG_structure_type && !dwarf_hasattr(die, DW_AT_declaration)) {
    name = dwarf_diename(die);
    for (guint i = 0; name && i < G_N_ELEMENTS(probed_members); i++)
      if (strcmp(name, probed_members[i].type) == 0)
        found_add(scan->types, probed_members[i].type, cu, die);
  }
  return TRUE;
}

guint
kvmmmu_dwarf_preflight(const char *path, GString *out, GError **error)
{
  KvmmmuDwarfObject o;
  guint missing = 0;
  GHashTable *fns = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  GHashTable *types = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

  if (!kvmmmu_dwarf_object_open(path, &o, error)) {
    missing = G_MAXUINT;
    goto out;
  }
  /* One pass over the top-level DIEs: the concrete functions and the
   * struct definitions we care about. */
  {
    PreflightScan scan = { fns, types };

    kvmmmu_dwarf_object_visit(&o, scan_preflight, &scan);
  }

  for (guint i = 0; i < G_N_ELEMENTS(probed); i++) {
    gboolean any = FALSE;
    g_autoptr(GString) what = g_string_new("");

    for (guint k = 0; k < 2 && !any; k++) {
      const ProbedFunction *pf = &probed[i].fn[k];
      FoundDie *f = pf->name ? g_hash_table_lookup(fns, pf->name) : NULL;
      g_autoptr(GHashTable) vars = NULL;
      g_auto(GStrv) want = NULL;
      gboolean vars_ok = TRUE;

      if (!pf->name)
        continue;
      g_string_append_printf(what, "%s%s", what->len ? " or " : "", pf->name);
      if (!f)
        continue;
      vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
      collect_vars(&f->die, vars);
      want = g_strsplit(pf->vars, " ", -1);
      g_string_assign(what, pf->name);
      for (guint v = 0; want[v]; v++) {
        if (!g_hash_table_contains(vars, want[v])) {
          g_string_append_printf(what, " (no $%s)", want[v]);
          vars_ok = FALSE;
        }
      }
      if (pf->rel_line >= 0) {
        int line = 0;
        const char *file = NULL;

        if (has_line(&f->cu, &f->die, pf->rel_line, &line, &file))
          g_string_append_printf(what, "+%d = %s:%d", pf->rel_line, file, line);
        else {
          g_string_append_printf(what, "+%d has no code", pf->rel_line);
          vars_ok = FALSE;
        }
      }
      if (vars_ok) {
        g_string_append(what, " with");
        for (guint v = 0; want[v]; v++)
          g_string_append_printf(what, " $%s", want[v]);
      }
      any = vars_ok;
    }
    g_string_append_printf(out, "%s %s: %s\n", any ? "ok     " : "MISSING", probed[i].alias,
                           what->str);
    if (!any)
      missing++;
  }

  for (guint i = 0; i < G_N_ELEMENTS(probed_members); i++) {
    FoundDie *f = g_hash_table_lookup(types, probed_members[i].type);
    g_auto(GStrv) want = g_strsplit(probed_members[i].members, " ", -1);
    g_autoptr(GString) what = g_string_new("");
    gboolean ok = f != NULL;

    for (guint w = 0; f && want[w]; w++) {
      g_auto(GStrv) alts = g_strsplit(want[w], "|", -1);
      const char *hit = NULL;
      Dwarf_Die m;

      for (guint a = 0; alts[a] && !hit; a++)
        if (dwarf_child(&f->die, &m) == 0)
          do
            if (dwarf_tag(&m) == DW_TAG_member && g_strcmp0(dwarf_diename(&m), alts[a]) == 0)
              hit = alts[a];
          while (!hit && dwarf_siblingof(&m, &m) == 0);
      g_string_append_printf(what, "%s%s", what->len ? " " : "", hit ? hit : want[w]);
      if (!hit) {
        g_string_append(what, "(missing)");
        ok = FALSE;
      }
    }
    g_string_append_printf(out, "%s struct %s: %s\n", ok ? "ok     " : "MISSING",
                           probed_members[i].type, f ? what->str : "not in this DWARF");
    if (!ok)
      missing++;
  }
out:
  g_hash_table_destroy(fns);
  g_hash_table_destroy(types);
  kvmmmu_dwarf_object_close(&o);
  return missing;
}
