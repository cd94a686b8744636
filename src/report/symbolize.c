/*
 * symbolize: see symbolize.h.
 *
 * Each module is reported to its own Dwfl at base 0 with add_p_vaddr set,
 * which makes libdwfl's addresses equal to the ELF virtual addresses (bias
 * 0), exactly what the records' offsets are, also for the rare prelinked
 * object whose first PT_LOAD does not start at 0.
 *
 * Inlined code: dwarf_getscopes() gives the scopes of the pc only up to the
 * innermost inlined_subroutine (beyond it, it lists the abstract origin's
 * scopes, which say nothing about where the code was inlined into), so the
 * chain of callers is taken from dwarf_getscopes_die() on that DIE, which
 * walks the concrete tree up to the CU.
 *
 * C++ names are shown demangled and qualified ("std::thread::_M_run", not
 * "_ZNSt6thread..." nor DWARF's bare "_M_run"), by libiberty's
 * cplus_demangle: the demangler of GCC itself, which c++filt, addr2line -C
 * and gdb use, kept up with the ABI by the GCC project, in a static archive
 * whose demangler may be linked into any program (the exception in
 * cp-demangle.c's licence). libdw has no demangler of its own, and
 * __cxa_demangle would bring libstdc++ into this C program.
 */
#include "symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <inttypes.h>
#include <libiberty/demangle.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uthash.h>

#include "mem.h"

/* One answer of rd_symbolize_code. */
struct sym_entry {
    uint64_t offset;
    struct rd_frame *frames;
    size_t n;
    UT_hash_handle hh;
};

/* The address range of one compilation unit, for modules without
 * .debug_aranges (clang does not emit them), where libdwfl cannot find the
 * CU of an address by itself. */
struct sym_cu_range {
    Dwarf_Addr lo, hi, bias;
    Dwarf_Die cu;
};

/* A global variable of a module's DWARF with a fixed address. */
struct sym_var {
    uint64_t addr;
    Dwarf_Off die;
};

struct sym_module {
    char *path;
    Dwfl *dwfl;          /* NULL when the module cannot be read */
    Dwfl_Module *mod;
    char *error;         /* why not, when dwfl is NULL */
    struct sym_entry *cache;
    /* CU ranges sorted by start, indexed on the first miss of libdwfl. */
    struct sym_cu_range *cus;
    size_t ncus, capcus;
    bool cus_indexed;
    /* Globals sorted by address, indexed on the first data lookup. */
    struct sym_var *vars;
    size_t nvars, capvars;
    bool vars_indexed;
    UT_hash_handle hh;
};

struct rd_symbolizer {
    FILE *warn;
    struct sym_module *modules;
};

static const Dwfl_Callbacks dwfl_callbacks = {
    .find_elf = NULL, /* every module is reported with its file name */
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
};

struct rd_symbolizer *rd_symbolizer_new(FILE *warn)
{
    struct rd_symbolizer *s = rd_xcalloc(1, sizeof *s);
    s->warn = warn;
    return s;
}

void rd_symbolizer_free(struct rd_symbolizer *s)
{
    struct sym_module *m, *mtmp;
    if (!s)
        return;
    HASH_ITER(hh, s->modules, m, mtmp) {
        struct sym_entry *e, *etmp;
        HASH_ITER(hh, m->cache, e, etmp) {
            HASH_DEL(m->cache, e);
            rd_frames_free(e->frames, e->n);
            free(e);
        }
        HASH_DEL(s->modules, m);
        if (m->dwfl)
            dwfl_end(m->dwfl);
        free(m->vars);
        free(m->cus);
        free(m->error);
        free(m->path);
        free(m);
    }
    free(s);
}

/* Open the module. A FIFO or device named in a (hostile) record must not
 * block us, so only regular files are handed to libdwfl. */
static void module_open(struct rd_symbolizer *s, struct sym_module *m)
{
    struct stat st;
    if (m->path[0] != '/') {
        m->error = rd_xstrdup("not an absolute path");
        return; /* [vdso] and the like: expected, not worth a warning */
    }
    if (stat(m->path, &st) != 0) {
        m->error = rd_xstrdup(strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        m->error = rd_xstrdup("not a regular file");
    } else {
        m->dwfl = dwfl_begin(&dwfl_callbacks);
        if (!m->dwfl) {
            m->error = rd_xstrdup(dwfl_errmsg(-1));
        } else {
            dwfl_report_begin(m->dwfl);
            m->mod = dwfl_report_elf(m->dwfl, rd_basename(m->path), m->path, -1, 0, true);
            if (!m->mod)
                m->error = rd_xstrdup(dwfl_errmsg(-1));
            dwfl_report_end(m->dwfl, NULL, NULL);
            if (!m->mod) {
                dwfl_end(m->dwfl);
                m->dwfl = NULL;
            }
        }
    }
    if (m->error && s->warn)
        fprintf(s->warn,
                "racedet: warning: cannot read %s (%s): its frames are shown as module+offset\n",
                m->path, m->error);
}

static struct sym_module *module_get(struct rd_symbolizer *s, const char *path)
{
    struct sym_module *m;
    HASH_FIND_STR(s->modules, path, m);
    if (m)
        return m;
    m = rd_xcalloc(1, sizeof *m);
    m->path = rd_xstrdup(path);
    HASH_ADD_KEYPTR(hh, s->modules, m->path, strlen(m->path), m);
    module_open(s, m);
    return m;
}

const char *rd_symbolizer_module_error(struct rd_symbolizer *s, const char *module)
{
    if (!module)
        return "no module";
    return module_get(s, module)->error;
}

/* ---- code addresses ------------------------------------------------------ */

/* DW_AT_name, following abstract_origin / specification. */
static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

/* name as C++ writes it, without parameters ("ns::Queue<int>::push"), or
 * NULL when it is not a mangled C++ name. A fresh string. */
static char *demangle(const char *name)
{
    if (!name || strncmp(name, "_Z", 2) != 0)
        return NULL;
    return cplus_demangle(name, DMGL_ANSI);
}

/* The name to show for a function: its DWARF linkage name demangled
 * (qualified, unlike DW_AT_name), else its DWARF name, else its ELF
 * symbol, demangled. die and symname may be NULL. A fresh string, or NULL
 * when nothing names it. */
static char *function_name(Dwarf_Die *die, const char *symname)
{
    Dwarf_Attribute attr;
    const char *linkage = NULL, *name = NULL;
    char *d;
    if (die) {
        linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
        if (!linkage)
            linkage = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
        name = die_name(die);
    }
    if ((d = demangle(linkage)) != NULL)
        return d;
    if (name)
        return rd_xstrdup(name);
    d = demangle(symname);
    return d ? d : rd_xstrdup(symname);
}

/* The call site of an inlined_subroutine DIE, in the file table of its CU. */
static void call_site(Dwarf_Die *inl, const char **file, int *line)
{
    Dwarf_Attribute attr;
    Dwarf_Word w;
    Dwarf_Die cu;
    Dwarf_Files *files;
    size_t nfiles;

    *file = NULL;
    *line = 0;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &attr), &w) == 0 && w <= INT32_MAX)
        *line = (int)w;
    if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &attr), &w) == 0 &&
        dwarf_diecu(inl, &cu, NULL, NULL) != NULL &&
        dwarf_getsrcfiles(&cu, &files, &nfiles) == 0 && w < nfiles)
        *file = dwarf_filesrc(files, w, NULL, NULL);
}

struct frame_list {
    struct rd_frame *v;
    size_t n, cap;
};

/* function: a fresh string (or NULL), which the frame takes. */
static void push_frame(struct frame_list *l, const char *path, uint64_t offset,
                       char *function, const char *file, int line, bool inlined)
{
    struct rd_frame *f = RD_PUSH(l->v, l->n, l->cap);
    memset(f, 0, sizeof *f);
    f->pc = offset;
    f->offset = offset;
    f->module = rd_xstrdup(path);
    f->function = function;
    f->file = rd_xstrdup(file);
    f->line = line;
    f->inlined = inlined;
}

/* Walk outwards from an inlined_subroutine DIE through its concrete parents,
 * one frame per inline level, ending with the enclosing subprogram. */
static void push_inline_chain(struct frame_list *l, const char *path, uint64_t offset,
                              Dwarf_Die *inl, const char *file, int line, const char *symname)
{
    Dwarf_Die *parents = NULL;
    int n = dwarf_getscopes_die(inl, &parents), i;
    const char *cfile;
    int cline;

    push_frame(l, path, offset, function_name(inl, NULL), file, line, true);
    call_site(inl, &cfile, &cline);
    for (i = 1; i < n; i++) {
        int tag = dwarf_tag(&parents[i]);
        if (tag == DW_TAG_inlined_subroutine) {
            push_frame(l, path, offset, function_name(&parents[i], NULL), cfile, cline, true);
            call_site(&parents[i], &cfile, &cline);
        } else if (tag == DW_TAG_subprogram) {
            push_frame(l, path, offset, function_name(&parents[i], symname), cfile, cline,
                       false);
            free(parents);
            return;
        }
    }
    /* No enclosing subprogram in the DWARF: use the ELF symbol. */
    push_frame(l, path, offset, function_name(NULL, symname), cfile, cline, false);
    free(parents);
}

static int cu_range_cmp(const void *a, const void *b)
{
    const struct sym_cu_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The CU holding addr: libdwfl's answer (from .debug_aranges), else our
 * own index of the CUs' DW_AT_ranges / low_pc..high_pc. */
static Dwarf_Die *find_cu(struct sym_module *m, Dwarf_Addr addr, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dwfl_module_addrdie(m->mod, addr, bias);
    size_t lo = 0, hi;
    if (cu)
        return cu;
    if (!m->cus_indexed) {
        Dwarf_Die *it = NULL;
        Dwarf_Addr b = 0;
        m->cus_indexed = true;
        while ((it = dwfl_module_nextcu(m->mod, it, &b)) != NULL) {
            Dwarf_Addr base, start, end;
            ptrdiff_t off = 0;
            while ((off = dwarf_ranges(it, off, &base, &start, &end)) > 0) {
                struct sym_cu_range *r;
                if (end <= start)
                    continue;
                r = RD_PUSH(m->cus, m->ncus, m->capcus);
                r->lo = start + b;
                r->hi = end + b;
                r->bias = b;
                r->cu = *it;
            }
        }
        if (m->ncus)
            qsort(m->cus, m->ncus, sizeof *m->cus, cu_range_cmp);
    }
    /* the last range starting at or below addr, then back over overlaps */
    hi = m->ncus;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->cus[mid].lo <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo-- > 0) {
        if (addr < m->cus[lo].hi) {
            *bias = m->cus[lo].bias;
            return &m->cus[lo].cu;
        }
    }
    return NULL;
}

static void symbolize_pc(struct sym_module *m, uint64_t offset, struct frame_list *l)
{
    Dwarf_Addr addr = offset, bias = 0;
    const char *symname = NULL, *file = NULL;
    int line = 0;
    Dwfl_Line *dl;
    Dwarf_Die *cu;
    GElf_Off symoff;
    GElf_Sym sym;

    if (!m->mod) {
        push_frame(l, m->path, offset, NULL, NULL, 0, false);
        return;
    }
    symname = dwfl_module_addrinfo(m->mod, addr, &symoff, &sym, NULL, NULL, NULL);
    dl = dwfl_module_getsrc(m->mod, addr);
    if (dl)
        file = dwfl_lineinfo(dl, NULL, &line, NULL, NULL, NULL);
    cu = find_cu(m, addr, &bias);
    if (cu && !file) {
        Dwarf_Line *ln = dwarf_getsrc_die(cu, addr - bias);
        if (ln) {
            file = dwarf_linesrc(ln, NULL, NULL);
            if (dwarf_lineno(ln, &line) != 0)
                line = 0;
        }
    }
    if (line < 0)
        line = 0;
    if (cu) {
        Dwarf_Die *scopes = NULL;
        int n = dwarf_getscopes(cu, addr - bias, &scopes), i;
        for (i = 0; i < n; i++) {
            int tag = dwarf_tag(&scopes[i]);
            if (tag == DW_TAG_inlined_subroutine) {
                push_inline_chain(l, m->path, offset, &scopes[i], file, line, symname);
                break;
            }
            if (tag == DW_TAG_subprogram) {
                push_frame(l, m->path, offset, function_name(&scopes[i], symname), file, line,
                           false);
                break;
            }
        }
        free(scopes);
    }
    if (l->n == 0)
        push_frame(l, m->path, offset, function_name(NULL, symname), file, line, false);
}

size_t rd_symbolize_code(struct rd_symbolizer *s, const char *module, uint64_t offset,
                         const struct rd_frame **frames)
{
    struct sym_module *m = module_get(s, module ? module : "");
    struct sym_entry *e;
    struct frame_list l = {0};

    HASH_FIND(hh, m->cache, &offset, sizeof offset, e);
    if (!e) {
        symbolize_pc(m, offset, &l);
        e = rd_xcalloc(1, sizeof *e);
        e->offset = offset;
        e->frames = l.v;
        e->n = l.n;
        HASH_ADD(hh, m->cache, offset, sizeof e->offset, e);
    }
    *frames = e->frames;
    return e->n;
}

/* ---- data addresses -------------------------------------------------------- */

/* The address of a location expression that is just "this address":
 * DW_OP_addr, or DW_OP_addrx (an index into .debug_addr, clang's DWARF 5). */
static bool op_address(Dwarf_Attribute *loc, Dwarf_Op *op, Dwarf_Addr *addr)
{
    Dwarf_Attribute a;
    if (op->atom == DW_OP_addr) {
        *addr = op->number;
        return true;
    }
    if (op->atom == DW_OP_addrx || op->atom == DW_OP_GNU_addr_index)
        return dwarf_getlocation_attr(loc, op, &a) == 0 && dwarf_formaddr(&a, addr) == 0;
    return false;
}

/* Record every variable with a fixed address (DW_OP_addr) below die,
 * descending into functions and blocks for function-local statics. */
static void index_vars(struct sym_module *m, Dwarf_Die *parent, Dwarf_Addr bias, int depth)
{
    Dwarf_Die child;
    if (depth > 64 || dwarf_child(parent, &child) != 0)
        return;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_variable) {
            Dwarf_Attribute attr;
            Dwarf_Op *expr;
            size_t len;
            Dwarf_Addr addr;
            if (dwarf_attr(&child, DW_AT_location, &attr) &&
                dwarf_getlocation(&attr, &expr, &len) == 0 && len == 1 &&
                op_address(&attr, &expr[0], &addr)) {
                struct sym_var *v = RD_PUSH(m->vars, m->nvars, m->capvars);
                v->addr = addr + bias;
                v->die = dwarf_dieoffset(&child);
            }
        } else if (tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block ||
                   tag == DW_TAG_namespace || tag == DW_TAG_inlined_subroutine) {
            index_vars(m, &child, bias, depth + 1);
        }
    } while (dwarf_siblingof(&child, &child) == 0);
}

static int var_cmp(const void *a, const void *b)
{
    const struct sym_var *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static const struct sym_var *find_var(struct sym_module *m, uint64_t addr)
{
    size_t lo = 0, hi;
    if (!m->vars_indexed) {
        Dwarf_Die *cu = NULL;
        Dwarf_Addr bias = 0;
        m->vars_indexed = true;
        while ((cu = dwfl_module_nextcu(m->mod, cu, &bias)) != NULL)
            index_vars(m, cu, bias, 0);
        if (m->nvars)
            qsort(m->vars, m->nvars, sizeof *m->vars, var_cmp);
    }
    hi = m->nvars;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->vars[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->nvars && m->vars[lo].addr == addr ? &m->vars[lo] : NULL;
}

/* Synchronisation types are where the path into an object stops: their
 * insides (glibc's __data.__lock, ...) mean nothing to the reader. */
static bool is_sync_typedef(const char *name)
{
    return name && (strncmp(name, "pthread_", 8) == 0 || strcmp(name, "sem_t") == 0 ||
                    strcmp(name, "mtx_t") == 0 || strcmp(name, "cnd_t") == 0 ||
                    strcmp(name, "once_flag") == 0 || strncmp(name, "__", 2) == 0);
}

static bool die_type(Dwarf_Die *die, Dwarf_Die *type)
{
    Dwarf_Attribute attr;
    return dwarf_formref_die(dwarf_attr_integrate(die, DW_AT_type, &attr), type) != NULL;
}

/* Number of elements of one array dimension, or 0 when unknown. */
static Dwarf_Word subrange_count(Dwarf_Die *sub)
{
    Dwarf_Attribute attr;
    Dwarf_Word w;
    Dwarf_Sword lower = 0;
    if (dwarf_formudata(dwarf_attr_integrate(sub, DW_AT_count, &attr), &w) == 0)
        return w;
    if (dwarf_attr_integrate(sub, DW_AT_lower_bound, &attr))
        dwarf_formsdata(&attr, &lower);
    if (dwarf_formudata(dwarf_attr_integrate(sub, DW_AT_upper_bound, &attr), &w) == 0 &&
        (Dwarf_Sword)w >= lower)
        return (Dwarf_Word)((Dwarf_Sword)w - lower + 1);
    return 0;
}

struct strbuf {
    char *s;
    size_t n, cap;
};

static void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    char *piece;
    int n;
    va_start(ap, fmt);
    n = vasprintf(&piece, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->n + (size_t)n + 1 > b->cap) {
        b->cap = (b->n + (size_t)n + 1) * 2;
        b->s = rd_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, piece, (size_t)n + 1);
    b->n += (size_t)n;
    free(piece);
}

/* Append to b the path of byte `off` inside an object of type `type`:
 * "[2]", ".mu", "[1].lock"; leaves in *rest the bytes not accounted for. */
static void describe_in_type(Dwarf_Die *type, uint64_t off, struct strbuf *b, uint64_t *rest)
{
    Dwarf_Die t = *type;
    int guard;
    for (guard = 0; guard < 64; guard++) {
        int tag = dwarf_tag(&t);
        if (tag == DW_TAG_typedef || tag == DW_TAG_const_type || tag == DW_TAG_volatile_type ||
            tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type) {
            if (tag == DW_TAG_typedef && is_sync_typedef(die_name(&t)))
                break;
            if (!die_type(&t, &t))
                break;
            continue;
        }
        if (tag == DW_TAG_array_type) {
            Dwarf_Die elem, sub;
            Dwarf_Word esize, counts[16], stride;
            int ndims = 0, k, j;
            if (!die_type(&t, &elem) || dwarf_aggregate_size(&elem, &esize) != 0 || esize == 0)
                break;
            if (dwarf_child(&t, &sub) == 0) {
                do {
                    if (dwarf_tag(&sub) == DW_TAG_subrange_type && ndims < 16)
                        counts[ndims++] = subrange_count(&sub);
                } while (dwarf_siblingof(&sub, &sub) == 0);
            }
            if (ndims == 0)
                counts[ndims++] = 0;
            for (k = 0; k < ndims; k++) {
                stride = esize;
                for (j = k + 1; j < ndims; j++)
                    stride *= counts[j] ? counts[j] : 1;
                sb_printf(b, "[%" PRIu64 "]", (uint64_t)(off / stride));
                off %= stride;
            }
            t = elem;
            continue;
        }
        if (tag == DW_TAG_structure_type || tag == DW_TAG_class_type) {
            Dwarf_Die mem, mtype;
            bool found = false;
            if (is_sync_typedef(die_name(&t)) || dwarf_child(&t, &mem) != 0)
                break;
            do {
                Dwarf_Attribute attr;
                Dwarf_Word loc, msize;
                if (dwarf_tag(&mem) != DW_TAG_member)
                    continue;
                if (dwarf_formudata(dwarf_attr(&mem, DW_AT_data_member_location, &attr), &loc) != 0)
                    continue;
                if (!die_type(&mem, &mtype) || dwarf_aggregate_size(&mtype, &msize) != 0)
                    continue;
                if (off >= loc && off - loc < msize) {
                    const char *name = die_name(&mem);
                    if (name)
                        sb_printf(b, ".%s", name);
                    off -= loc;
                    t = mtype;
                    found = true;
                    break;
                }
            } while (dwarf_siblingof(&mem, &mem) == 0);
            if (!found)
                break;
            continue;
        }
        break; /* unions (every pthread type is one), base types, pointers */
    }
    *rest = off;
}

char *rd_symbolize_data(struct rd_symbolizer *s, const char *module, uint64_t offset)
{
    struct sym_module *m;
    const struct sym_var *var;
    const char *symname;
    char *pretty;
    GElf_Off symoff = 0;
    GElf_Sym sym;
    struct strbuf b = {0};
    uint64_t rest;

    if (!module)
        return NULL;
    m = module_get(s, module);
    if (!m->mod)
        return NULL;
    symname = dwfl_module_addrinfo(m->mod, offset, &symoff, &sym, NULL, NULL, NULL);
    if (!symname)
        return NULL;
    rest = symoff;
    pretty = demangle(symname); /* "ns::counter", qualified as DWARF's name is not */
    sb_printf(&b, "%s", pretty ? pretty : symname);
    var = find_var(m, offset - symoff);
    if (var) {
        Dwarf_Addr bias;
        Dwarf *dw = dwfl_module_getdwarf(m->mod, &bias);
        Dwarf_Die vdie, type;
        if (dw && dwarf_offdie(dw, var->die, &vdie) && die_type(&vdie, &type)) {
            const char *dname = die_name(&vdie);
            if (!pretty && dname && strcmp(dname, symname) != 0) {
                /* function-local static "count.1" is called "count" in C */
                b.n = 0;
                sb_printf(&b, "%s", dname);
            }
            describe_in_type(&type, symoff, &b, &rest);
        }
    }
    if (rest)
        sb_printf(&b, "+%" PRIu64, rest);
    free(pretty);
    return b.s;
}
