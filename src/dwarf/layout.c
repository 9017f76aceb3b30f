/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout.c - the shadow MMU's types read through libdw (Dwfl, offline). */
/* g_debug() lines show with G_MESSAGES_DEBUG=kvmmmu (or all). */
#define G_LOG_DOMAIN "kvmmmu"
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <string.h>

#include "dwarf/layout.h"

G_DEFINE_QUARK(kvmmmu-dwarf-error-quark, kvmmmu_dwarf_error)

static const Dwfl_Callbacks offline_callbacks = {
  .find_elf = dwfl_build_id_find_elf,
  .find_debuginfo = dwfl_standard_find_debuginfo,
  .section_address = dwfl_offline_section_address,
};

/* A kvm.ko or vmlinux inside dir, the first found in the usual places. */
static char *
object_in_dir(const char *dir)
{
  static const char *const candidates[] = {
    "kvm.ko", "kvm/kvm.ko", "dbg/kvm.ko", "arch/x86/kvm/kvm.ko", "vmlinux",
  };
  for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
    char *p = g_build_filename(dir, candidates[i], NULL);

    if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
      return p;
    g_free(p);
  }
  return NULL;
}

char *
kvmmmu_dwarf_find_for_release(const char *release)
{
  const char *dirs_env = g_getenv("KVMMMU_DEBUGINFO_DIRS");
  const char *cache = g_getenv("KVMMMU_CACHE");
  g_autofree char *home_cache = g_build_filename(g_get_home_dir(), ".cache", "kvmmmu", NULL);
  g_autofree char *dirs_default = g_strjoin(":", "/usr/lib/debug", cache ? cache : home_cache,
                                            NULL);
  g_auto(GStrv) dirs = g_strsplit(dirs_env ? dirs_env : dirs_default, ":", -1);

  if (!release || !*release || strchr(release, '/'))
    return NULL;
  for (guint i = 0; dirs[i]; i++) {
    char *paths[] = {
      g_strdup_printf("%s/lib/modules/%s/kernel/arch/x86/kvm/kvm.ko", dirs[i], release),
      g_strdup_printf("%s/%s/dbg/kvm.ko", dirs[i], release),
      g_strdup_printf("%s/boot/vmlinux-%s", dirs[i], release),
    };
    char *found = NULL;

    for (guint k = 0; k < G_N_ELEMENTS(paths); k++) {
      if (!found && *dirs[i] && g_file_test(paths[k], G_FILE_TEST_IS_REGULAR))
        found = g_strdup(paths[k]);
      g_free(paths[k]);
    }
    if (found)
      return found;
  }
  return NULL;
}

/* The type a DIE refers to, past typedefs and qualifiers. */
static gboolean
real_type(Dwarf_Die *die, Dwarf_Die *type)
{
  Dwarf_Attribute attr;

  if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, type))
    return FALSE;
  while (dwarf_tag(type) == DW_TAG_typedef || dwarf_tag(type) == DW_TAG_const_type ||
         dwarf_tag(type) == DW_TAG_volatile_type) {
    if (!dwarf_attr_integrate(type, DW_AT_type, &attr) || !dwarf_formref_die(&attr, type))
      return FALSE;
  }
  return TRUE;
}

static gboolean
attr_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *value)
{
  Dwarf_Attribute attr;

  return dwarf_attr_integrate(die, name, &attr) && dwarf_formudata(&attr, value) == 0;
}

/* A bitfield's offset from bit 0 of the union, little-endian. */
static gboolean
member_bits(Dwarf_Die *member, guint *offset, guint *size)
{
  Dwarf_Word bit_size, v, location = 0;

  if (!attr_udata(member, DW_AT_bit_size, &bit_size))
    return FALSE;
  attr_udata(member, DW_AT_data_member_location, &location);
  if (attr_udata(member, DW_AT_data_bit_offset, &v)) {
    /* DWARF 4+: from the start of the containing entity */
    *offset = v;
  } else if (attr_udata(member, DW_AT_bit_offset, &v)) {
    /* DWARF 2/3: from the most significant bit of the storage unit */
    Dwarf_Word unit;
    Dwarf_Die type;

    if (!attr_udata(member, DW_AT_byte_size, &unit)) {
      if (!real_type(member, &type) || !attr_udata(&type, DW_AT_byte_size, &unit))
        return FALSE;
    }
    *offset = location * 8 + unit * 8 - v - bit_size;
  } else
    *offset = location * 8;
  *size = bit_size;
  return TRUE;
}

/* union kvm_mmu_page_role { u32 word; struct { unsigned level:4; ... }; } */
static gboolean
read_role(Dwarf_Die *un, KvmmmuKernelLayout *out)
{
  Dwarf_Die member, st, field;

  out->n_fields = 0;
  if (dwarf_child(un, &member) != 0)
    return FALSE;
  do {
    if (dwarf_tag(&member) != DW_TAG_member || dwarf_diename(&member))
      continue;
    if (!real_type(&member, &st) || dwarf_tag(&st) != DW_TAG_structure_type ||
        dwarf_child(&st, &field) != 0)
      continue;
    do {
      const char *name = dwarf_diename(&field);
      guint offset, size;
      KvmmmuRoleField *rf;

      if (dwarf_tag(&field) != DW_TAG_member || !name || !member_bits(&field, &offset, &size))
        continue;
      if (out->n_fields == KVMMMU_ROLE_MAX_FIELDS || offset + size > 32)
        return FALSE;
      rf = &out->fields[out->n_fields++];
      g_strlcpy(rf->name, name, sizeof rf->name);
      rf->bit_offset = offset;
      rf->bit_size = size;
    } while (dwarf_siblingof(&field, &field) == 0);
  } while (dwarf_siblingof(&member, &member) == 0);
  return out->n_fields > 0;
}

/* Element count of struct's array member name, 0 when absent. */
static guint
array_bound(Dwarf_Die *st, const char *name)
{
  Dwarf_Die member, type, sub;
  Dwarf_Word n;

  if (dwarf_child(st, &member) != 0)
    return 0;
  do {
    if (dwarf_tag(&member) != DW_TAG_member || g_strcmp0(dwarf_diename(&member), name) != 0)
      continue;
    if (!real_type(&member, &type) || dwarf_tag(&type) != DW_TAG_array_type ||
        dwarf_child(&type, &sub) != 0 || dwarf_tag(&sub) != DW_TAG_subrange_type)
      return 0;
    if (attr_udata(&sub, DW_AT_count, &n))
      return n;
    if (attr_udata(&sub, DW_AT_upper_bound, &n))
      return n + 1;
    return 0;
  } while (dwarf_siblingof(&member, &member) == 0);
  return 0;
}

typedef struct {
  Dwfl *dwfl;
  Dwfl_Module *mod;
  char *object;
} Opened;

static void
opened_close(Opened *o)
{
  if (o->dwfl)
    dwfl_end(o->dwfl);
  g_free(o->object);
}

static gboolean
open_object(const char *path, Opened *o, GError **error)
{
  memset(o, 0, sizeof *o);
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    o->object = object_in_dir(path);
    if (!o->object) {
      g_set_error(error, KVMMMU_DWARF_ERROR, 0,
                  "Cannot find kvm.ko or vmlinux in directory=%s", path);
      return FALSE;
    }
  } else
    o->object = g_strdup(path);
  o->dwfl = dwfl_begin(&offline_callbacks);
  if (!o->dwfl) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "Failed to start libdwfl: %s", dwfl_errmsg(-1));
    return FALSE;
  }
  o->mod = dwfl_report_offline(o->dwfl, "kvm", o->object, -1);
  if (!o->mod || dwfl_report_end(o->dwfl, NULL, NULL) != 0) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "Cannot open debuginfo: path=%s: %s", o->object,
                dwfl_errmsg(-1));
    return FALSE;
  }
  return TRUE;
}

/* Call visit on every top-level DIE of every CU (types and functions live
 * there), until it returns FALSE. */
typedef gboolean (*TopDieFunc)(Dwarf_Die *cu, Dwarf_Die *die, gpointer data);

static void
visit_top_dies(Opened *o, TopDieFunc visit, gpointer data)
{
  Dwarf_Die *cu = NULL;
  Dwarf_Addr bias;

  while ((cu = dwfl_module_nextcu(o->mod, cu, &bias))) {
    Dwarf_Die die;

    if (dwarf_child(cu, &die) != 0)
      continue;
    do
      if (!visit(cu, &die, data))
        return;
    while (dwarf_siblingof(&die, &die) == 0);
  }
}

typedef struct {
  KvmmmuKernelLayout *out;
  gboolean have_role;
} LayoutScan;

static gboolean
scan_layout(Dwarf_Die *cu, Dwarf_Die *die, gpointer data)
{
  LayoutScan *scan = data;
  KvmmmuKernelLayout *out = scan->out;
  const char *name = dwarf_diename(die);
  int tag = dwarf_tag(die);

  if (!name || dwarf_hasattr(die, DW_AT_declaration))
    return TRUE;
  if (!scan->have_role && tag == DW_TAG_union_type && strcmp(name, "kvm_mmu_page_role") == 0)
    scan->have_role = read_role(die, out);
  else if (tag == DW_TAG_structure_type && !out->page_array_nr && strcmp(name, "kvm_mmu_pages") == 0)
    out->page_array_nr = array_bound(die, "page");
  else if (tag == DW_TAG_structure_type && !out->root_max_level &&
           strcmp(name, "mmu_page_path") == 0)
    out->root_max_level = array_bound(die, "parent");
  else if (tag == DW_TAG_structure_type && !out->num_prev_roots && strcmp(name, "kvm_mmu") == 0)
    out->num_prev_roots = array_bound(die, "prev_roots");
  /* stop once everything is found */
  return !(scan->have_role && out->page_array_nr && out->root_max_level && out->num_prev_roots);
}

gboolean
kvmmmu_dwarf_read_layout(const char *path, KvmmmuKernelLayout *out, GError **error)
{
  Opened o;
  LayoutScan scan = { out, FALSE };
  const unsigned char *bits;
  GElf_Addr vaddr;
  gboolean ok = FALSE;
  int n;

  memset(out, 0, sizeof *out);
  g_debug("Reading DWARF: path=%s", path);
  if (!open_object(path, &o, error))
    goto out;
  visit_top_dies(&o, scan_layout, &scan);
  if (!scan.have_role) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0,
                "Cannot find union kvm_mmu_page_role in the DWARF of path=%s%s%s", o.object,
                dwarf_errno() ? ": " : "", dwarf_errno() ? dwarf_errmsg(-1) : "");
    goto out;
  }
  n = dwfl_module_build_id(o.mod, &bits, &vaddr);
  for (int i = 0; i < n && (gsize)(2 * i + 2) < sizeof out->build_id; i++)
    snprintf(out->build_id + 2 * i, 3, "%02x", bits[i]);
  out->from_dwarf = TRUE;
  snprintf(out->source, sizeof out->source, "DWARF of %s", o.object);
  ok = TRUE;
out:
  opened_close(&o);
  return ok;
}

/* ---- pre-flight: what the tapsets probe exists in this kernel --------- */

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
  Opened o;
  guint missing = 0;
  GHashTable *fns = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  GHashTable *types = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

  if (!open_object(path, &o, error)) {
    missing = G_MAXUINT;
    goto out;
  }
  /* One pass over the top-level DIEs: the concrete functions and the
   * struct definitions we care about. */
  {
    PreflightScan scan = { fns, types };

    visit_top_dies(&o, scan_preflight, &scan);
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
  opened_close(&o);
  return missing;
}
