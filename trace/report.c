/* report.c — JUnit XML and TAP from checks (report.h). */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "sbuf.h"
#include "trace.h"

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                              : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (k == 0 || k > n) return 0;
    uint32_t cp = k == 1 ? s[0] : s[0] & (0x7Fu >> k);
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < least[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return k;
}

/* A copy of s as clean UTF-8: invalid bytes and control characters other
 * than tab and newline become '?'. */
static char *clean_copy(const char *s)
{
    if (s == NULL) return NULL;
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (c == NULL) return NULL;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(u + i, n - i);
        bool ctl = k == 1 && ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7F);
        if (k == 0 || ctl) {
            c[i++] = '?';
            continue;
        }
        memcpy(c + i, s + i, k);
        i += k;
    }
    c[n] = '\0';
    return c;
}

void ps_report_add(ps_report *r, const char *suite, const char *name, const char *file,
                   uint32_t line, const char *failure)
{
    if (r->nomem) return;
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 16;
        ps_report_case *c = cap > r->cap ? realloc(r->cases, cap * sizeof *c) : NULL;
        if (c == NULL) {
            r->nomem = true;
            return;
        }
        r->cases = c;
        r->cap = cap;
    }
    ps_report_case *c = &r->cases[r->n];
    *c = (ps_report_case){ clean_copy(suite), clean_copy(name), clean_copy(file), line,
                           clean_copy(failure) };
    r->n++;
    if (!c->suite || !c->name || (file && !c->file) || (failure && !c->failure)) r->nomem = true;
}

void ps_report_free(ps_report *r)
{
    for (uint32_t i = 0; i < r->n; i++) {
        free(r->cases[i].suite);
        free(r->cases[i].name);
        free(r->cases[i].file);
        free(r->cases[i].failure);
    }
    free(r->cases);
    memset(r, 0, sizeof *r);
}

uint32_t ps_report_failures(const ps_report *r)
{
    uint32_t f = 0;
    for (uint32_t i = 0; i < r->n; i++) f += r->cases[i].failure != NULL;
    return f;
}

/* ---- JUnit XML ---- */

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\n': fputs("&#10;", f); break; /* kept in attributes, too */
        case '\t': fputs("&#9;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* The end of the suite starting at case i: suites are runs of equal names. */
static uint32_t suite_end(const ps_report *r, uint32_t i)
{
    uint32_t j = i + 1;
    while (j < r->n && strcmp(r->cases[j].suite, r->cases[i].suite) == 0) j++;
    return j;
}

static void junit_case(FILE *f, const ps_report_case *c)
{
    fputs("    <testcase classname=\"", f);
    xml_text(f, c->suite);
    fputs("\" name=\"", f);
    xml_text(f, c->name);
    fputs("\"", f);
    if (c->file) {
        fputs(" file=\"", f);
        xml_text(f, c->file);
        fprintf(f, "\" line=\"%u\"", c->line);
    }
    if (!c->failure) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n      <failure message=\"", f);
    xml_text(f, c->failure);
    fputs("\">", f);
    if (c->file) {
        xml_text(f, c->file);
        fprintf(f, ":%u: ", c->line);
    }
    xml_text(f, c->failure);
    fputs("</failure>\n    </testcase>\n", f);
}

int ps_report_write_junit(const ps_report *r, const char *path, const char *name)
{
    if (r->nomem) return ENOMEM;
    ps_file_out out;
    int err = ps_file_out_open(&out, path);
    if (err) return err;
    FILE *f = out.f;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
    xml_text(f, name);
    fprintf(f, "\" tests=\"%u\" failures=\"%u\">\n", r->n, ps_report_failures(r));
    for (uint32_t i = 0, end; i < r->n; i = end) {
        end = suite_end(r, i);
        uint32_t failures = 0;
        for (uint32_t k = i; k < end; k++) failures += r->cases[k].failure != NULL;
        fputs("  <testsuite name=\"", f);
        xml_text(f, r->cases[i].suite);
        fprintf(f, "\" tests=\"%u\" failures=\"%u\">\n", end - i, failures);
        for (uint32_t k = i; k < end; k++) junit_case(f, &r->cases[k]);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return ps_file_out_commit(&out);
}

/* ---- TAP ---- */

/* A test line's description: one line, '#' escaped (it would start a
 * directive such as SKIP). */
static void tap_description(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '#') fputs("\\#", f);
        else fputc(*s == '\n' ? ' ' : *s, f);
    }
}

/* "  key: value" (":line" appended when line > 0) as YAML: a JSON string
 * is a valid YAML double-quoted scalar. */
static void tap_yaml(FILE *f, const char *key, const char *value, uint32_t line)
{
    ps_sbuf v = { 0 }, j = { 0 };
    ps_sbuf_puts(&v, value);
    if (line) ps_sbuf_printf(&v, ":%u", line);
    ps_json_string(&j, v.failed || !v.s ? "" : v.s);
    fprintf(f, "  %s: %s\n", key, j.failed ? "\"?\"" : j.s);
    ps_sbuf_free(&v);
    ps_sbuf_free(&j);
}

void ps_report_write_tap(const ps_report *r, FILE *out)
{
    fprintf(out, "TAP version 13\n1..%u\n", r->n);
    for (uint32_t i = 0; i < r->n; i++) {
        const ps_report_case *c = &r->cases[i];
        fprintf(out, "%s %u - ", c->failure ? "not ok" : "ok", i + 1);
        tap_description(out, c->suite);
        fputs(": ", out);
        tap_description(out, c->name);
        fputc('\n', out);
        if (!c->failure) continue;
        fputs("  ---\n", out);
        tap_yaml(out, "message", c->failure, 0);
        if (c->file) tap_yaml(out, "at", c->file, c->line);
        fputs("  ...\n", out);
    }
    if (r->nomem) fputs("# out of memory: some cases were lost\n", out);
}
