/* parse.c — the scenario language's parser: diagnostics and the passes that
 * turn scenario text into a ps_scenario (parse.h; the data is scenario.h;
 * the language is documented in scenarios/README.md). Lines and tokens come
 * from lexer.c, "did you mean" suggestions from suggest.c.
 *
 * The parser reads the file twice. Pass 1 handles every statement except
 * `expect`, and leaves the socket of `at T SOCK send|close` unresolved. Pass 2
 * resolves those sockets and parses the `expect` and `ask` lines (pass 1
 * only checks an `ask` line's time); by then every socket name in the file is
 * known, so they may name sockets defined further down. Pass 3 is
 * `check --against`'s: only `expect` lines, against another scenario's names. */
#include "parse.h"
#include "http.h"

#include "lexer.h"
#include "mem.h"
#include "nat.h"
#include "table.h"
#include "suggest.h"
#include "units.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- diagnostics ---- */

char *ps_diag_format(const ps_diag *d, char *buf, size_t size)
{
    if (d->pos.line == 0)
        snprintf(buf, size, "%s: error: %s", d->file, d->message);
    else
        snprintf(buf, size, "%s:%u:%u: error: %s", d->file, (unsigned)d->pos.line,
                 (unsigned)d->pos.col, d->message);
    return buf;
}

/* ---- the parser's state and its error helpers ---- */

/* A piece of the current line: a token, or part of one (key=value). */
typedef struct span {
    const char *s;
    size_t len;
    uint32_t col;
} span;

typedef struct parser {
    ps_scenario *sc;
    ps_diag *diag;
    int pass;      /* 1 or 2, see the top of this file */
    ps_cursor cur; /* tokens of the current line */
    ps_token tok;  /* the next token */
    ps_token prev; /* the token last consumed */
    uint32_t line;
    uint32_t cap_hosts, cap_links, cap_procs, cap_socks, cap_actions, cap_expects, cap_questions;
    uint32_t cap_forwards;
    ps_time last_t;       /* time of the latest `at`/`say` line ... */
    uint32_t last_t_line; /* ... and its line (0: none yet) */
    uint32_t title_line, seed_line;
    uint32_t next_action; /* pass 2: actions before this one belong to earlier lines */
    /* Name lookups in O(1), so a file of many names and many lines parses in
     * linear time: (kind, host, name or number) -> index. */
    ps_table index;
    uint32_t *proc_twin;  /* per process: the next one with its host and name, PS_NONE */
    uint32_t cap_twin;
} parser;

/* ---- the name index ---- */

static bool oom(parser *p);

typedef enum ix_kind { IX_HOST, IX_SOCK, IX_PROC_NAME, IX_PROC_PID, IX_LINK, IX_QUESTION } ix_kind;

typedef struct ix_key {
    ix_kind kind;
    uint32_t host;  /* PROC_NAME, PROC_PID: the host; LINK: the lower host */
    uint64_t num;   /* PROC_PID: the pid; LINK: the higher host */
    const char *s;  /* HOST, SOCK, PROC_NAME: the name (len bytes) */
    size_t len;
} ix_key;

static uint32_t ix_hash(const ix_key *k)
{
    uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)k->kind << 56 ^ (uint64_t)k->host << 24 ^ k->num);
    for (size_t i = 0; i < k->len; i++) h = (h ^ (unsigned char)k->s[i]) * 0x100000001b3ull;
    return ps_hash64(h);
}

static bool ix_eq(const void *ctx, uint32_t v, const void *key)
{
    const ps_scenario *sc = ctx;
    const ix_key *k = key;
    uint32_t kind = v >> 29, i = v & 0x1fffffffu; /* the kind rides in the value's top bits */
    if (kind != (uint32_t)k->kind) return false;
    switch (k->kind) {
    case IX_HOST: return ps_name_equals(sc->hosts[i].name, k->s, k->len);
    case IX_SOCK: return ps_name_equals(sc->socks[i].name, k->s, k->len);
    case IX_QUESTION: return ps_name_equals(sc->questions[i].id, k->s, k->len);
    case IX_PROC_NAME: return sc->procs[i].host == k->host && ps_name_equals(sc->procs[i].name, k->s, k->len);
    case IX_PROC_PID: return sc->procs[i].host == k->host && sc->procs[i].pid == k->num;
    case IX_LINK: {
        const ps_link_spec *l = &sc->links[i];
        uint32_t lo = l->a < l->b ? l->a : l->b, hi = l->a < l->b ? l->b : l->a;
        return lo == k->host && hi == k->num;
    }
    }
    return false;
}

/* Every cap (PS_MAX_*) is far below 2^29, so the kind fits above the index. */
static uint32_t ix_find(const parser *p, ix_key k)
{
    uint32_t v = ps_table_find(&p->index, ix_hash(&k), ix_eq, p->sc, &k);
    return v == PS_NONE ? PS_NONE : v & 0x1fffffffu;
}

static bool ix_add(parser *p, ix_key k, uint32_t i)
{
    PS_ASSERT(i < (1u << 29));
    return ps_table_insert(&p->index, ix_hash(&k), (uint32_t)k.kind << 29 | i) || oom(p);
}

static uint32_t find_host(const parser *p, const char *s, size_t len)
{
    return ix_find(p, (ix_key){ IX_HOST, 0, 0, s, len });
}

static uint32_t find_sock(const parser *p, const char *s, size_t len)
{
    return ix_find(p, (ix_key){ IX_SOCK, 0, 0, s, len });
}

static ix_key link_key(uint32_t a, uint32_t b)
{
    return (ix_key){ IX_LINK, a < b ? a : b, a < b ? b : a, NULL, 0 };
}

static span tspan(const ps_token *t)
{
    return (span){ t->s, t->len, t->col };
}

/* Copies s[0..len) into buf for a message, shortened to fit in 64 bytes. */
static const char *show(const char *s, size_t len, char buf[64])
{
    if (len <= 60) {
        snprintf(buf, 64, "%.*s", (int)len, s);
        return buf;
    }
    size_t cut = 56;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--; /* keep UTF-8 whole */
    snprintf(buf, 64, "%.*s...", (int)cut, s);
    return buf;
}

/* "'word'" or "end of line", for "found ..." in messages. */
static const char *found(const ps_token *t, char buf[72])
{
    char tmp[64];
    if (t->kind == PS_TOK_END) return "end of line";
    snprintf(buf, 72, "'%s'", show(t->s, t->len, tmp));
    return buf;
}

static bool vfail(parser *p, uint32_t col, const char *hint, const char *fmt, va_list ap)
{
    char *m = p->diag->message;
    size_t size = sizeof p->diag->message;
    p->diag->pos = (ps_pos){ p->line, col };
    vsnprintf(m, size, fmt, ap);
    if (hint != NULL) {
        size_t n = strlen(m);
        snprintf(m + n, size - n, " (did you mean '%s'?)", hint);
    }
    return false;
}

/* Reports an error at column col of the current line; returns false. */
static bool fail_at(parser *p, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_at(parser *p, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(p, col, NULL, fmt, ap);
    va_end(ap);
    return false;
}

/* Like fail_at(), adding " (did you mean 'hint'?)" when hint is not NULL. */
static bool fail_hint(parser *p, uint32_t col, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail_hint(parser *p, uint32_t col, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(p, col, hint, fmt, ap);
    va_end(ap);
    return false;
}

static bool oom(parser *p)
{
    p->diag->pos = (ps_pos){ 0, 0 };
    snprintf(p->diag->message, sizeof p->diag->message, "out of memory");
    return false;
}

/* A NUL-terminated copy of s[0..len) in *out. */
static bool dup_text(parser *p, const char *s, size_t len, char **out)
{
    char *c = malloc(len + 1);
    if (c == NULL) return oom(p);
    memcpy(c, s, len);
    c[len] = '\0';
    *out = c;
    return true;
}

/* Appends a zeroed item to a growable array; NULL (diag set) when out of
 * memory or when the array already holds `limit` items. */
static void *push_item(parser *p, void **arr, uint32_t *n, uint32_t *cap, size_t size,
                       uint32_t limit, const char *what)
{
    if (*n >= limit) {
        fail_at(p, 1, "too many %s: a scenario may have at most %u", what, (unsigned)limit);
        return NULL;
    }
    if (!ps_grow(arr, cap, (size_t)*n + 1, size)) {
        oom(p);
        return NULL;
    }
    void *item = (char *)*arr + (size_t)(*n)++ * size;
    memset(item, 0, size);
    return item;
}
#define PUSH(p, field, limit, what)                                                                 \
    push_item((p), (void **)&(p)->sc->field, &(p)->sc->n##field, &(p)->cap_##field,                \
              sizeof *(p)->sc->field, (limit), (what))

/* ---- reading tokens ---- */

static bool advance(parser *p)
{
    p->prev = p->tok;
    return ps_cursor_next(&p->cur, &p->tok, p->diag);
}

/* Where an error about the next token points: at it, or just after the last
 * token when the line has ended. */
static uint32_t tok_col(const parser *p)
{
    return p->tok.kind == PS_TOK_END ? p->prev.col + (uint32_t)p->prev.len : p->tok.col;
}

static bool is_word(const parser *p, const char *w)
{
    return p->tok.kind == PS_TOK_WORD && ps_name_equals(w, p->tok.s, p->tok.len);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool expected(parser *p, const char *what)
{
    char buf[72];
    return fail_at(p, tok_col(p), "expected %s, found %s", what, found(&p->tok, buf));
}

/* Consumes the next token, which must be a word. */
static bool want_word(parser *p, const char *what, span *out)
{
    *out = tspan(&p->tok); /* set even on failure, so no caller sees garbage */
    return p->tok.kind == PS_TOK_WORD ? advance(p) : expected(p, what);
}

/* Consumes the next token if it is `word`; else reports "expected <what>". */
static bool want_literal(parser *p, const char *word, const char *what)
{
    return is_word(p, word) ? advance(p) : expected(p, what);
}

/* Consumes a "string" token into a new NUL-terminated *out. */
static bool want_string(parser *p, const char *what, char **out)
{
    if (p->tok.kind != PS_TOK_STRING) return expected(p, what);
    char *s = malloc(p->tok.len);
    if (s == NULL) return oom(p);
    ps_token_string(&p->tok, s);
    *out = s;
    return advance(p);
}

static bool want_end(parser *p)
{
    if (p->tok.kind == PS_TOK_END) return true;
    char a[64], b[64];
    return fail_at(p, p->tok.col, "unexpected '%s' after '%s'", show(p->tok.s, p->tok.len, a),
                   show(p->prev.s, p->prev.len, b));
}

/* Writes "a, b or c" into buf. */
static const char *join_words(const char *const *words, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, words[i]);
    }
    return buf;
}

/* Matches sp against words; an unknown word is an error naming `what`, the
 * choices and the nearest one. */
static bool choose(parser *p, span sp, const char *const *words, size_t n, const char *what,
                   size_t *idx)
{
    for (size_t i = 0; i < n; i++) {
        if (ps_name_equals(words[i], sp.s, sp.len)) {
            *idx = i;
            return true;
        }
    }
    char list[320], b[64];
    ps_suggest sg;
    ps_suggest_init(&sg, sp.s, sp.len);
    for (size_t i = 0; i < n; i++) ps_suggest_add(&sg, words[i]);
    return fail_hint(p, sp.col, ps_suggest_best(&sg), "unknown %s '%s'; expected %s", what,
                     show(sp.s, sp.len, b), join_words(words, n, list, sizeof list));
}

/* Consumes the next token, one of `words`. */
static bool keyword(parser *p, const char *const *words, size_t n, const char *what, size_t *idx)
{
    if (p->tok.kind != PS_TOK_WORD) {
        char list[320], b[72];
        return fail_at(p, tok_col(p), "expected %s (%s), found %s", what,
                       join_words(words, n, list, sizeof list), found(&p->tok, b));
    }
    return choose(p, tspan(&p->tok), words, n, what, idx) && advance(p);
}

/* Marks option idx as given; giving it twice is an error. */
static bool once(parser *p, uint32_t *seen, size_t idx, const char *word, uint32_t col)
{
    if (*seen & (1u << idx)) return fail_at(p, col, "'%s' is given twice", word);
    *seen |= 1u << idx;
    return true;
}

/* Consumes one option, a word from `words`, each at most once. */
static bool want_option(parser *p, const char *const *words, size_t n, const char *what,
                        uint32_t *seen, size_t *idx)
{
    uint32_t col = p->tok.col;
    return keyword(p, words, n, what, idx) && once(p, seen, *idx, words[*idx], col);
}

/* Consumes one key=value option (words end with '='), each at most once. */
static bool want_kv_option(parser *p, const char *const *words, size_t n, const char *what,
                           uint32_t *seen, size_t *idx, span *val)
{
    if (p->tok.kind != PS_TOK_WORD) return want_end(p);
    span key = tspan(&p->tok);
    const char *eq = memchr(key.s, '=', key.len);
    if (eq != NULL) key.len = (size_t)(eq - key.s) + 1;
    if (!choose(p, key, words, n, what, idx) || !once(p, seen, *idx, words[*idx], key.col))
        return false;
    *val = (span){ key.s + key.len, p->tok.len - key.len, key.col + (uint32_t)key.len };
    if (val->len == 0) return fail_at(p, val->col, "expected a value after '%s'", words[*idx]);
    return advance(p);
}

/* ---- values ---- */

/* Parses a decimal number in lo..hi; `what` names it in messages. */
static bool parse_uint(parser *p, span sp, const char *what, uint64_t lo, uint64_t hi,
                       uint64_t *out)
{
    char b[64];
    if (sp.len == 0) return fail_at(p, sp.col, "expected a number for the %s", what);
    uint64_t v = 0;
    bool overflow = false;
    for (size_t i = 0; i < sp.len; i++) {
        if (!is_digit(sp.s[i]))
            return fail_at(p, sp.col, "expected a number for the %s, found '%s'", what,
                           show(sp.s, sp.len, b));
        unsigned d = (unsigned)(sp.s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) overflow = true;
        v = v * 10 + d;
    }
    if (overflow || v < lo || v > hi)
        return fail_at(p, sp.col, "%s %s is out of range (%llu to %llu)", what,
                       show(sp.s, sp.len, b), (unsigned long long)lo, (unsigned long long)hi);
    *out = v;
    return true;
}

/* Consumes a number token in lo..hi. */
static bool want_uint(parser *p, const char *what, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (p->tok.kind != PS_TOK_WORD) {
        char b[72];
        return fail_at(p, tok_col(p), "expected a number for the %s, found %s", what,
                       found(&p->tok, b));
    }
    return parse_uint(p, tspan(&p->tok), what, lo, hi, out) && advance(p);
}

static bool parse_port(parser *p, span sp, const char *what, uint16_t *out)
{
    uint64_t v;
    if (!parse_uint(p, sp, what, 1, 65535, &v)) return false;
    *out = (uint16_t)v;
    return true;
}

static bool want_port(parser *p, const char *what, uint16_t *out)
{
    uint64_t v;
    if (!want_uint(p, what, 1, 65535, &v)) return false;
    *out = (uint16_t)v;
    return true;
}

static bool want_time(parser *p, ps_time *out)
{
    char b[64];
    if (p->tok.kind != PS_TOK_WORD) return expected(p, "a time like 150ms");
    if (!ps_time_parse(p->tok.s, p->tok.len, out))
        return fail_at(
            p, p->tok.col,
            "bad time '%s': " PS_TIME_EXPECTED,
            show(p->tok.s, p->tok.len, b));
    return advance(p);
}

/* An address as written: dotted numbers, or `localhost` for 127.0.0.1 (as
 * every machine's /etc/hosts has it). */
static bool is_localhost(span sp)
{
    return ps_name_equals("localhost", sp.s, sp.len);
}

/* ---- IPv6 addresses (scenarios/README.md, "IPv6") ---- */

/* An IPv6 address as written, without brackets: its ps_addr (base.h), the
 * IPv4 value for a mapped ::ffff:a.b.c.d (then *mapped, if given, is set). */
static bool parse_addr6(parser *p, span sp, ps_addr *out, bool *mapped)
{
    char b[64];
    ps_in6 a;
    const char *why = "";
    if (!ps_in6_parse(sp.s, sp.len, &a, &why))
        return fail_at(p, sp.col, "bad IPv6 address '%s': %s", show(sp.s, sp.len, b), why);
    ps_addr v4;
    bool m = ps_in6_mapped(&a, &v4);
    if (mapped) *mapped = m;
    if (m) {
        if ((v4 >> 24) == 0)
            return fail_at(p, sp.col, "'%s' maps 0.x.x.x, which is not an address a socket can use",
                           show(sp.s, sp.len, b));
        *out = v4;
        return true;
    }
    *out = ps_scenario_intern6(p->sc, &a);
    if (*out != PS_NONE) return true;
    if (p->sc->naddrs6 >= PS_MAX_ADDRS6)
        return fail_at(p, sp.col, "too many different IPv6 addresses in one scenario (the limit is %u)",
                       PS_MAX_ADDRS6);
    return oom(p);
}

/* "[ADDR]" at the start of sp: the address inside, and where the text after
 * ']' starts (*rest). */
static bool parse_bracketed(parser *p, span sp, ps_addr *out, bool *mapped, size_t *rest)
{
    char b[64];
    const char *close = memchr(sp.s, ']', sp.len);
    if (close == NULL)
        return fail_at(p, sp.col, "no ']' closing the IPv6 address in '%s'", show(sp.s, sp.len, b));
    size_t n = (size_t)(close - sp.s);
    *rest = n + 1;
    return parse_addr6(p, (span){ sp.s + 1, n - 1, sp.col + 1 }, out, mapped);
}

/* An unbracketed word with two colons or more is an IPv6 address that
 * needed its brackets before ':PORT'. */
static bool unbracketed_v6(parser *p, span sp, const char *example)
{
    const char *c = memchr(sp.s, ':', sp.len);
    if (c == NULL || !memchr(c + 1, ':', sp.len - (size_t)(c + 1 - sp.s))) return true;
    char b[64];
    return fail_at(p, sp.col, "write an IPv6 address in brackets before its port, like %s (in '%s')",
                   example, show(sp.s, sp.len, b));
}

static bool parse_addr(parser *p, span sp, ps_addr *out)
{
    char b[64];
    if (is_localhost(sp)) {
        *out = PS_ADDR_LOOPBACK;
        return true;
    }
    if (memchr(sp.s, ':', sp.len)) return parse_addr6(p, sp, out, NULL);
    if (ps_addr_parse(sp.s, sp.len, out)) {
        /* 0/8 is "this network" (RFC 1122), never a host's: portsim's
         * IPv6 table indexes live there (base.h). */
        if (*out != PS_ADDR_ANY && (*out >> 24) == 0)
            return fail_at(p, sp.col, "%s is in 0.0.0.0/8, which no host may use (RFC 1122)",
                           show(sp.s, sp.len, b));
        return true;
    }
    return fail_at(
        p, sp.col,
        "bad address '%s': expected four numbers from 0 to 255 separated by dots, like 192.0.2.10",
        show(sp.s, sp.len, b));
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True if sp is [A-Za-z_] followed by letters, digits, '_', '-' or `extra`. */
static bool name_ok(span sp, const char *extra)
{
    if (sp.len == 0 || !(is_alpha(sp.s[0]) || sp.s[0] == '_')) return false;
    for (size_t i = 1; i < sp.len; i++) {
        char c = sp.s[i];
        bool plain = is_alpha(c) || is_digit(c) || c == '_' || c == '-';
        if (!plain && (c == '\0' || strchr(extra, c) == NULL)) return false;
    }
    return true;
}

/* Consumes a name: `what` is "host name", "socket name", "program name" ...;
 * programs and users may also use '.' and '+'. */
static bool want_name(parser *p, const char *what, bool program, span *out)
{
    char msg[80], b[64];
    snprintf(msg, sizeof msg, "a %s", what);
    *out = tspan(&p->tok);
    if (p->tok.kind != PS_TOK_WORD) return expected(p, msg);
    if (!name_ok(*out, program ? ".+" : ""))
        return fail_at(
            p, out->col,
            "bad %s '%s': a name starts with a letter or '_' and goes on with letters, digits, '_' or '-'%s",
            what, show(out->s, out->len, b), program ? " (or '.' and '+')" : "");
    return advance(p);
}

/* ---- names: hosts, processes, sockets ---- */

static void suggest_hosts(ps_suggest *sg, const ps_scenario *sc)
{
    for (uint32_t i = 0; i < sc->nhosts; i++) ps_suggest_add(sg, sc->hosts[i].name);
}

static void suggest_socks(ps_suggest *sg, const ps_scenario *sc)
{
    for (uint32_t i = 0; i < sc->nsocks; i++) ps_suggest_add(sg, sc->socks[i].name);
}

static bool resolve_host(parser *p, span sp, uint32_t *out)
{
    *out = find_host(p, sp.s, sp.len);
    if (*out != PS_NONE) return true;
    char b[64];
    ps_suggest sg;
    ps_suggest_init(&sg, sp.s, sp.len);
    suggest_hosts(&sg, p->sc);
    return fail_hint(p, sp.col, ps_suggest_best(&sg), "unknown host '%s'", show(sp.s, sp.len, b));
}

/* Consumes a host name defined earlier. */
static bool want_host(parser *p, uint32_t *out)
{
    span sp = { NULL, 0, 0 };
    return want_word(p, "a host name", &sp) && resolve_host(p, sp, out);
}

/* Resolves a socket name; `what` says what else was possible there. */
static bool resolve_sock(parser *p, span sp, bool or_host, uint32_t *out)
{
    *out = find_sock(p, sp.s, sp.len);
    if (*out != PS_NONE) return true;
    char b[64];
    ps_suggest sg;
    ps_suggest_init(&sg, sp.s, sp.len);
    suggest_socks(&sg, p->sc);
    if (or_host) suggest_hosts(&sg, p->sc);
    return fail_hint(p, sp.col, ps_suggest_best(&sg), "unknown %s '%s'",
                     or_host ? "socket or host" : "socket", show(sp.s, sp.len, b));
}

/* A new host or socket name must not be taken by either. */
static bool claim_name(parser *p, span sp)
{
    char b[64];
    const char *name = show(sp.s, sp.len, b);
    uint32_t h = find_host(p, sp.s, sp.len), s = find_sock(p, sp.s, sp.len);
    if (ps_name_equals("tuples", sp.s, sp.len))
        return fail_at(p, sp.col,
                       "'tuples' is a reserved word (expect tuples distinct); choose another name");
    if (h != PS_NONE)
        return fail_at(p, sp.col, "name '%s' is already used by a host (line %u)", name,
                       (unsigned)p->sc->hosts[h].pos.line);
    if (s != PS_NONE)
        return fail_at(p, sp.col, "name '%s' is already used by a socket (line %u)", name,
                       (unsigned)p->sc->socks[s].pos.line);
    return true;
}

/* Consumes `NAME` after `as`: defines a socket created by action `act`. */
static bool define_sock(parser *p, uint32_t act)
{
    span sp = { NULL, 0, 0 };
    if (!want_name(p, "socket name", false, &sp) || !claim_name(p, sp)) return false;
    ps_sock_spec *s = PUSH(p, socks, PS_MAX_SOCK_NAMES, "socket names");
    if (s == NULL) return false;
    s->action = act;
    s->pos = (ps_pos){ p->line, sp.col };
    p->sc->actions[act].sock = p->sc->nsocks - 1;
    return dup_text(p, sp.s, sp.len, &s->name) &&
           ix_add(p, (ix_key){ IX_SOCK, 0, 0, s->name, strlen(s->name) }, p->sc->nsocks - 1);
}

/* Consumes a process on host h: a pid, or a name that only one of its
 * processes has. */
static bool want_proc(parser *p, uint32_t h, uint32_t *out)
{
    const ps_scenario *sc = p->sc;
    const char *hname = sc->hosts[h].name;
    char b[64];
    span sp = { NULL, 0, 0 };
    if (!want_word(p, "a process name or pid", &sp)) return false;
    if (is_digit(sp.s[0])) {
        uint64_t pid;
        if (!parse_uint(p, sp, "pid", 1, UINT32_MAX, &pid)) return false;
        *out = ix_find(p, (ix_key){ IX_PROC_PID, h, pid, NULL, 0 });
        if (*out != PS_NONE) return true;
        return fail_at(p, sp.col, "no process with pid %llu on host '%s'", (unsigned long long)pid,
                       hname);
    }
    uint32_t n = 0, pids[2] = { 0, 0 };
    for (uint32_t i = ix_find(p, (ix_key){ IX_PROC_NAME, h, 0, sp.s, sp.len }); i != PS_NONE;
         i = p->proc_twin[i]) {
        if (n < 2) pids[n] = sc->procs[i].pid;
        n++;
        if (n == 1) *out = i;
    }
    if (n == 0) {
        /* Only a failing line pays for the scan that finds a suggestion. */
        ps_suggest sg;
        ps_suggest_init(&sg, sp.s, sp.len);
        for (uint32_t i = 0; i < sc->nprocs; i++)
            if (sc->procs[i].host == h) ps_suggest_add(&sg, sc->procs[i].name);
        ps_suggest_add(&sg, "kill");
        ps_suggest_add(&sg, "shell");
        return fail_hint(p, sp.col, ps_suggest_best(&sg), "unknown process '%s' on host '%s'",
                         show(sp.s, sp.len, b), hname);
    }
    if (n > 1) {
        char count[16];
        snprintf(count, sizeof count, n == 2 ? "two" : "%u", (unsigned)n);
        return fail_at(
            p, sp.col,
            "ambiguous: %s processes named '%s' on host '%s' (pids %u and %u%s); write the pid instead",
            count, show(sp.s, sp.len, b), hname, (unsigned)pids[0], (unsigned)pids[1],
            n > 2 ? ", ..." : "");
    }
    return true;
}

/* ---- statements: title, seed, host, link, proc ---- */

/* A statement that may appear once: *line remembers where it was. */
static bool only_once(parser *p, const char *what, uint32_t *line, uint32_t col)
{
    if (*line != 0)
        return fail_at(p, col, "%s is given twice (first on line %u)", what, (unsigned)*line);
    *line = p->line;
    return true;
}

static bool st_title(parser *p, uint32_t col)
{
    return only_once(p, "title", &p->title_line, col) &&
           want_string(p, "a title in double quotes", &p->sc->title) && want_end(p);
}

static bool st_seed(parser *p, uint32_t col)
{
    return only_once(p, "seed", &p->seed_line, col) &&
           want_uint(p, "seed", 0, UINT64_MAX, &p->sc->seed) && want_end(p);
}

/* An IPv6 address on a host line: a global or unique-local unicast one. */
static bool host_addr6(parser *p, ps_host_spec *h, span sp)
{
    char b[64];
    ps_in6 x;
    ps_addr a;
    bool mapped;
    if (!parse_addr6(p, sp, &a, &mapped)) return false;
    if (mapped)
        return fail_at(p, sp.col, "'%s' is an IPv4 address in IPv6 form: list the IPv4 address itself",
                       show(sp.s, sp.len, b));
    if (a == PS_ADDR_ANY)
        return fail_at(p, sp.col, ":: is the wildcard address, not an address a host can have");
    if (a == PS_ADDR6_LOOPBACK)
        return fail_at(p, sp.col, "every host has ::1 already, so list only its other addresses");
    x = p->sc->addrs6[a];
    if (x.b[0] == 0xff || (x.b[0] == 0xfe && (x.b[1] & 0xc0) == 0x80))
        return fail_at(p, sp.col,
                       "'%s' is a %s address, which a host cannot be given here: use a global one like "
                       "2001:db8::10",
                       show(sp.s, sp.len, b), x.b[0] == 0xff ? "multicast" : "link-local");
    uint32_t owner = ps_scenario_host_by_addr(p->sc, a);
    if (owner != PS_NONE)
        return fail_at(p, sp.col, "address %s already belongs to host '%s' (line %u)",
                       show(sp.s, sp.len, b), p->sc->hosts[owner].name,
                       (unsigned)p->sc->hosts[owner].pos.line);
    if (h->naddrs6 == PS_MAX_HOST_ADDRS)
        return fail_at(p, sp.col, "too many IPv6 addresses for host '%s' (the limit is %d)", h->name,
                       PS_MAX_HOST_ADDRS);
    h->addrs6[h->naddrs6++] = a;
    return true;
}

static bool check_host_addr(parser *p, ps_addr a, uint32_t col)
{
    char b[16];
    ps_addr_str(a, b);
    if (a == PS_ADDR_ANY)
        return fail_at(p, col, "0.0.0.0 is the wildcard address, not an address a host can have");
    if ((a >> 24) == 127)
        return fail_at(
            p, col,
            "%s is a loopback address; every host has 127.0.0.1 already, so list only its other addresses",
            b);
    uint32_t owner = ps_scenario_host_by_addr(p->sc, a);
    if (owner != PS_NONE)
        return fail_at(p, col, "address %s already belongs to host '%s' (line %u)", b,
                       p->sc->hosts[owner].name, (unsigned)p->sc->hosts[owner].pos.line);
    return true;
}

/* ports=LO-HI */
static bool parse_range(parser *p, span v, uint16_t *lo, uint16_t *hi)
{
    char b[64];
    const char *dash = memchr(v.s, '-', v.len);
    if (dash == NULL)
        return fail_at(p, v.col, "bad port range '%s': expected LO-HI, like ports=32768-60999",
                       show(v.s, v.len, b));
    size_t n = (size_t)(dash - v.s);
    span l = { v.s, n, v.col }, h = { dash + 1, v.len - n - 1, v.col + (uint32_t)n + 1 };
    if (!parse_port(p, l, "port", lo) || !parse_port(p, h, "port", hi)) return false;
    if (*lo > *hi)
        return fail_at(p, v.col, "bad port range '%s': the first port is above the last",
                       show(v.s, v.len, b));
    return true;
}

static bool host_options(parser *p, ps_host_spec *h)
{
    static const char *const opts[] = { "os=", "ports=", "unpriv=" };
    const char *os_names[PS_OS_COUNT];
    for (int i = 0; i < PS_OS_COUNT; i++) os_names[i] = ps_os_name((ps_os)i);
    uint16_t lo = 0, hi = 0;
    uint64_t unpriv = 0;
    uint32_t seen = 0;
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0, os = 0;
        span v = { NULL, 0, 0 };
        if (!want_kv_option(p, opts, COUNT_OF(opts), "host option", &seen, &k, &v)) return false;
        if (k == 0 && !choose(p, v, os_names, PS_OS_COUNT, "os", &os)) return false;
        if (k == 0) h->os = (ps_os)os;
        if (k == 1 && !parse_range(p, v, &lo, &hi)) return false;
        if (k == 2 && !parse_uint(p, v, "unprivileged port start", 0, 65535, &unpriv)) return false;
    }
    ps_os_defaults(h->os, &h->eph_lo, &h->eph_hi, &h->unpriv_start);
    if (seen & 2u) h->eph_lo = lo, h->eph_hi = hi;
    if (seen & 4u) h->unpriv_start = (uint16_t)unpriv;
    return true;
}

static bool st_host(parser *p, uint32_t col)
{
    span name = { NULL, 0, 0 };
    if (!want_name(p, "host name", false, &name) || !claim_name(p, name)) return false;
    if (is_localhost(name))
        return fail_at(p, name.col, "'localhost' means 127.0.0.1 on every host: give this host another name");
    ps_host_spec *h = PUSH(p, hosts, PS_MAX_HOSTS, "hosts");
    if (h == NULL || !dup_text(p, name.s, name.len, &h->name) ||
        !ix_add(p, (ix_key){ IX_HOST, 0, 0, h->name, strlen(h->name) }, p->sc->nhosts - 1))
        return false;
    h->pos = (ps_pos){ p->line, col };
    /* Addresses start with a digit or have a ':' (IPv6); the options after
     * them are key=value. */
    while (p->tok.kind == PS_TOK_WORD &&
           (is_digit(p->tok.s[0]) || memchr(p->tok.s, ':', p->tok.len)) &&
           !memchr(p->tok.s, '=', p->tok.len)) {
        ps_addr a;
        if (memchr(p->tok.s, ':', p->tok.len)) {
            if (h->naddrs == 0)
                return fail_at(p, p->tok.col, "list the host's IPv4 address first, then its IPv6 ones");
            if (!host_addr6(p, h, tspan(&p->tok)) || !advance(p)) return false;
            continue;
        }
        if (h->naddrs == PS_MAX_HOST_ADDRS)
            return fail_at(p, p->tok.col, "too many addresses for host '%s' (the limit is %d)",
                           h->name, PS_MAX_HOST_ADDRS);
        if (!parse_addr(p, tspan(&p->tok), &a) || !check_host_addr(p, a, p->tok.col)) return false;
        h->addrs[h->naddrs++] = a;
        if (!advance(p)) return false;
    }
    if (h->naddrs == 0) return expected(p, "an IPv4 address (like 192.0.2.10) after the host name");
    return host_options(p, h);
}

/* ---- statements: router, forward (a home router's NAT) ---- */

/* router NAME inside ADDR[/LEN] outside ADDR [masquerade] [conntrack-max=N] */
static bool st_router(parser *p, uint32_t col)
{
    static const char *const opts[] = { "masquerade", "conntrack-max=" };
    span name = { NULL, 0, 0 };
    if (!want_name(p, "router name", false, &name) || !claim_name(p, name)) return false;
    if (is_localhost(name))
        return fail_at(p, name.col, "'localhost' means 127.0.0.1 on every host: give this router another name");
    ps_host_spec *h = PUSH(p, hosts, PS_MAX_HOSTS, "hosts");
    if (h == NULL || !dup_text(p, name.s, name.len, &h->name) ||
        !ix_add(p, (ix_key){ IX_HOST, 0, 0, h->name, strlen(h->name) }, p->sc->nhosts - 1))
        return false;
    h->pos = (ps_pos){ p->line, col };
    h->router = true;
    h->inside_prefix = 24;
    h->conntrack_max = PS_NAT_MAX_DEFAULT;
    ps_os_defaults(PS_OS_LINUX, &h->eph_lo, &h->eph_hi, &h->unpriv_start);
    char b[64], b2[64];
    span in, out;
    if (!want_literal(p, "inside", "'inside' and the router's address on the home network") ||
        !want_word(p, "the inside address, like 192.168.1.1/24", &in))
        return false;
    const char *slash = memchr(in.s, '/', in.len);
    size_t alen = slash ? (size_t)(slash - in.s) : in.len;
    if (slash) {
        uint64_t len;
        span pl = { slash + 1, in.len - alen - 1, in.col + (uint32_t)alen + 1 };
        if (!parse_uint(p, pl, "prefix length", 8, 30, &len)) return false;
        h->inside_prefix = (uint8_t)len;
    }
    if (!parse_addr(p, (span){ in.s, alen, in.col }, &h->addrs[1]) ||
        !check_host_addr(p, h->addrs[1], in.col))
        return false;
    h->naddrs = 1; /* the outside address is checked next, against this one too */
    h->addrs[0] = h->addrs[1];
    ps_addr oa;
    if (!want_literal(p, "outside", "'outside' and the router's public address") ||
        !want_word(p, "the outside address, like 203.0.113.5", &out) ||
        !parse_addr(p, out, &oa) || !check_host_addr(p, oa, out.col))
        return false;
    h->addrs[0] = oa;
    h->naddrs = 2;
    uint32_t mask = ~0u << (32 - h->inside_prefix);
    if ((h->addrs[0] & mask) == (h->addrs[1] & mask))
        return fail_at(p, out.col, "the outside address %s is on the inside network %s: give the router an address of another network",
                       show(out.s, out.len, b), show(in.s, in.len, b2));
    uint32_t seen = 0, seen_kv = 0;
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0;
        span v = { NULL, 0, 0 };
        uint64_t max;
        if (is_word(p, opts[0])) {
            if (!once(p, &seen, 0, opts[0], p->tok.col) || !advance(p)) return false;
            h->masquerade = true;
            continue;
        }
        if (p->tok.kind == PS_TOK_WORD && p->tok.len > 11 && memcmp(p->tok.s, "masquerade=", 11) == 0)
            return fail_at(p, p->tok.col, "'masquerade' takes no value: write just masquerade");
        if (!want_kv_option(p, opts + 1, 1, "router option (or masquerade)", &seen_kv, &k, &v)) return false;
        if (!parse_uint(p, v, "conntrack-max", 1, PS_NAT_MAX_DEFAULT, &max)) return false;
        h->conntrack_max = (uint32_t)max;
    }
    return true;
}

/* forward ROUTER [tcp|udp] PORT to HOST:PORT */
static bool st_forward(parser *p, uint32_t col)
{
    uint32_t r, rcol = p->tok.col;
    uint16_t port, to_port;
    span t;
    char b[64];
    if (!want_host(p, &r)) return false;
    const ps_scenario *sc = p->sc;
    if (!sc->hosts[r].router)
        return fail_at(p, rcol, "'%s' is not a router: forward rules belong on a 'router' line's host",
                       sc->hosts[r].name);
    uint8_t proto = PS_PROTO_TCP;
    if (is_word(p, "udp")) proto = PS_PROTO_UDP;
    if ((is_word(p, "tcp") || is_word(p, "udp")) && !advance(p)) return false;
    uint32_t pcol = p->tok.col;
    if (!want_port(p, "port to forward", &port) ||
        !want_literal(p, "to", "'to' and the inside HOST:PORT") ||
        !want_word(p, "the inside HOST:PORT, like laptop:80", &t))
        return false;
    const char *colon = memchr(t.s, ':', t.len);
    if (colon == NULL)
        return fail_at(p, t.col, "bad forward target '%s': expected HOST:PORT, like laptop:80",
                       show(t.s, t.len, b));
    size_t hl = (size_t)(colon - t.s);
    span hs = { t.s, hl, t.col }, ps = { colon + 1, t.len - hl - 1, t.col + (uint32_t)hl + 1 };
    ps_addr to;
    uint32_t h = PS_NONE;
    if (hl && is_digit(hs.s[0])) {
        if (!parse_addr(p, hs, &to)) return false;
        h = ps_scenario_host_by_addr(sc, to);
    } else {
        if (!resolve_host(p, hs, &h)) return false;
        to = sc->hosts[h].addrs[0];
    }
    if (h == PS_NONE || !ps_scenario_inside(sc, r, h))
        return fail_at(p, t.col, "'%s' is not a host on %s's inside network", show(hs.s, hs.len, b),
                       sc->hosts[r].name);
    if (!parse_port(p, ps, "port", &to_port) || !want_end(p)) return false;
    for (uint32_t i = 0; i < sc->nforwards; i++)
        if (sc->forwards[i].router == r && sc->forwards[i].proto == proto && sc->forwards[i].port == port)
            return fail_at(p, pcol, "%sport %u of '%s' is already forwarded (line %u)",
                           proto == PS_PROTO_UDP ? "UDP " : "", (unsigned)port, sc->hosts[r].name,
                           (unsigned)sc->forwards[i].pos.line);
    ps_forward_spec *f = PUSH(p, forwards, PS_MAX_FORWARDS, "forward rules");
    if (f == NULL) return false;
    *f = (ps_forward_spec){ r, proto, port, to, to_port, { p->line, col } };
    return true;
}

static bool st_link(parser *p, uint32_t col)
{
    uint32_t a, b;
    uint32_t acol = p->tok.col;
    if (!want_host(p, &a)) return false;
    uint32_t bcol = p->tok.col;
    if (!want_host(p, &b)) return false;
    const ps_scenario *sc = p->sc;
    if (a == b)
        return fail_at(p, bcol, "a host cannot be linked to itself ('%s')", sc->hosts[a].name);
    uint32_t old = ix_find(p, link_key(a, b));
    if (old != PS_NONE)
        return fail_at(p, acol, "hosts '%s' and '%s' are already linked (line %u)", sc->hosts[a].name,
                       sc->hosts[b].name, (unsigned)sc->links[old].pos.line);
    ps_time latency;
    if (!want_time(p, &latency) || !want_end(p)) return false;
    ps_link_spec *l = PUSH(p, links, PS_MAX_LINKS, "links");
    if (l == NULL) return false;
    *l = (ps_link_spec){ a, b, latency, { p->line, col } };
    return ix_add(p, link_key(a, b), p->sc->nlinks - 1);
}

static bool st_proc(parser *p, uint32_t col)
{
    static const char *const opts[] = { "pid=", "user=" };
    uint32_t h, seen = 0;
    span name, user = { NULL, 0, 0 };
    uint64_t pid = 0;
    char b[64];
    if (!want_host(p, &h) || !want_name(p, "program name", true, &name)) return false;
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0;
        span v = { NULL, 0, 0 };
        if (!want_kv_option(p, opts, COUNT_OF(opts), "process option", &seen, &k, &v)) return false;
        if (k == 0 && !parse_uint(p, v, "pid", 1, UINT32_MAX, &pid)) return false;
        uint32_t twin = k == 0 ? ix_find(p, (ix_key){ IX_PROC_PID, h, pid, NULL, 0 }) : PS_NONE;
        if (twin != PS_NONE) {
            const ps_proc_spec *q = &p->sc->procs[twin];
            return fail_at(p, v.col, "pid %u is already used on host '%s' by '%s' (line %u)",
                           (unsigned)pid, p->sc->hosts[h].name, q->name, (unsigned)q->pos.line);
        }
        if (k == 1 && !name_ok(v, "."))
            return fail_at(
                p, v.col,
                "bad user name '%s': a name starts with a letter or '_' and goes on with letters, digits, '_', '-' or '.'",
                show(v.s, v.len, b));
        if (k == 1) user = v;
    }
    for (size_t k = 0; k < COUNT_OF(opts); k++)
        if (!(seen & (1u << k)))
            return fail_at(p, tok_col(p), "missing '%s%s' for process '%s'", opts[k],
                           k == 0 ? "N" : "NAME", show(name.s, name.len, b));
    ps_proc_spec *q = PUSH(p, procs, PS_MAX_PROCS, "processes");
    if (q == NULL) return false;
    q->host = h;
    q->pid = (uint32_t)pid;
    q->pos = (ps_pos){ p->line, col };
    if (!dup_text(p, name.s, name.len, &q->name) || !dup_text(p, user.s, user.len, &q->user)) return false;
    /* Processes that share a host and a name chain from the first one, so
     * naming one of them finds all (and is ambiguous) in O(1) per twin. */
    uint32_t i = p->sc->nprocs - 1;
    if (!ps_grow(&p->proc_twin, &p->cap_twin, (size_t)i + 1, sizeof *p->proc_twin)) return oom(p);
    p->proc_twin[i] = PS_NONE;
    ix_key by_name = { IX_PROC_NAME, h, 0, q->name, strlen(q->name) };
    uint32_t first = ix_find(p, by_name);
    if (first == PS_NONE) {
        if (!ix_add(p, by_name, i)) return false;
    } else {
        while (p->proc_twin[first] != PS_NONE) first = p->proc_twin[first];
        p->proc_twin[first] = i;
    }
    return ix_add(p, (ix_key){ IX_PROC_PID, h, pid, NULL, 0 }, i);
}

/* ---- statements: at, say ---- */

/* `at` and `say` lines may not go back in time. */
static bool check_time(parser *p, ps_time t, uint32_t col)
{
    char a[32], b[32];
    if (p->last_t_line != 0 && t < p->last_t)
        return fail_at(p, col, "time goes backwards: %s comes after %s (line %u)",
                       ps_time_str(t, a), ps_time_str(p->last_t, b), (unsigned)p->last_t_line);
    p->last_t = t;
    p->last_t_line = p->line;
    return true;
}

/* Appends an action of `kind` at time t, with no host, process or socket. */
static ps_action *new_action(parser *p, ps_action_kind kind, ps_time t, uint32_t col)
{
    ps_action *a = PUSH(p, actions, PS_MAX_ACTIONS, "timed lines ('at' and 'say')");
    if (a == NULL) return NULL;
    a->kind = kind;
    a->t = t;
    a->host = a->proc = a->sock = a->listener = PS_NONE;
    a->repeat = 1;
    a->pos = (ps_pos){ p->line, col };
    return a;
}

/* `serve [parts N]` on a listen line: checked once the line is read. */
static bool listen_serve(parser *p, ps_action *a, uint32_t seen, uint32_t serve_col, uint32_t parts_col,
                         uint64_t parts)
{
    if ((seen & 32u) && !(seen & 16u))
        return fail_at(p, parts_col, "'parts' belongs to 'serve': write 'serve parts N'");
    if (!(seen & 16u)) return true;
    if (seen & 2u)
        return fail_at(p, serve_col, "a 'serve' listener answers HTTP requests itself: drop 'reply'");
    a->serve_parts = (uint8_t)((seen & 32u) ? parts : 1u);
    return true;
}

/* Where a listen or bind line's [ADDR:]PORT was, for the checks of its
 * options (v6only). */
typedef struct local_ep {
    uint32_t col;  /* the column of the endpoint word */
    bool mapped;   /* written [::ffff:a.b.c.d] */
} local_ep;

/* [ADDR:]PORT of a listen or bind, into a->addr and a->port ([ADDR] makes
 * an IPv6 socket: a->family). A UDP bind may name port 0: the OS picks one;
 * UDP is modelled over IPv4 only. */
static bool want_local_endpoint(parser *p, ps_action *a, const char *verb, bool udp, local_ep *where)
{
    const char *what = udp                ? "a port to bind, like 53, 10.0.0.1:53 or 0 (the OS picks)"
                       : verb[0] == 'l' ? "a port to listen on, like 443 or 10.0.0.1:8080"
                                        : "a port to bind, like 443 or 10.0.0.1:8080";
    span ep = { NULL, 0, 0 };
    if (!want_word(p, what, &ep)) return false;
    const char *colon = memchr(ep.s, ':', ep.len);
    span port = ep;
    bool mapped = false;
    where->col = ep.col;
    if (ep.s[0] == '[' && udp)
        return fail_at(p, ep.col, "UDP is modelled over IPv4 only: bind an IPv4 address or the port alone");
    if (ep.s[0] == '[') {
        size_t rest;
        char b[64];
        if (!parse_bracketed(p, ep, &a->addr, &mapped, &rest)) return false;
        if (rest >= ep.len || ep.s[rest] != ':')
            return fail_at(p, ep.col + (uint32_t)rest, "expected ':PORT' after the address in '%s'",
                           show(ep.s, ep.len, b));
        port = (span){ ep.s + rest + 1, ep.len - rest - 1, ep.col + (uint32_t)rest + 1 };
        a->family = PS_FAM_INET6;
    } else if (colon != NULL) {
        if (!unbracketed_v6(p, ep, "[::]:3000")) return false;
        size_t n = (size_t)(colon - ep.s);
        port = (span){ colon + 1, ep.len - n - 1, ep.col + (uint32_t)n + 1 };
        if (n == 0) { /* the shell's habit (`nc -l :3000`), not this language's */
            char b[64], pb[64];
            return fail_at(p, ep.col,
                           "no address before ':' in '%s': write the port alone (%s %s) to %s "
                           "every address, or an address first (%s 10.0.0.1%s)",
                           show(ep.s, ep.len, b), verb, show(port.s, port.len, pb),
                           verb[0] == 'l' ? "listen on" : "bind to", verb, b);
        }
        if (!parse_addr(p, (span){ ep.s, n, ep.col }, &a->addr)) return false;
    }
    uint64_t v;
    if (!parse_uint(p, port, "port", udp ? 0 : 1, 65535, &v)) return false;
    a->port = (uint16_t)v;
    where->mapped = mapped;
    return true;
}

/* The v6only word after the endpoint `where` of a listen or bind. */
static bool want_v6only(parser *p, ps_action *a, const local_ep *where)
{
    if (a->family != PS_FAM_INET6)
        return fail_at(p, where->col,
                       "v6only is for an IPv6 socket: use [::]:%u or another [ADDRESS]:PORT",
                       (unsigned)a->port);
    if (where->mapped)
        return fail_at(p, where->col,
                       "a v6only socket cannot use an IPv4-mapped address (the kernel says EINVAL)");
    a->v6only = true;
    return true;
}

/* listen [ADDR:]PORT [as SOCK] [reply "TEXT"] [reuseaddr] [reuseport]
 * [serve [parts N]] [v6only], and with udp (`udp bind`) the first four only. */
static bool act_listen(parser *p, ps_action *a, bool udp)
{
    static const char *const opts[] = { "as", "reply", "reuseaddr", "reuseport", "serve", "parts", "v6only" };
    local_ep where;
    if (!want_local_endpoint(p, a, udp ? "udp bind" : "listen", udp, &where)) return false;
    uint32_t seen = 0, serve_col = 0, parts_col = 0;
    uint64_t parts = 1;
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0;
        uint32_t col = p->tok.col;
        if (!want_option(p, opts, udp ? 4 : COUNT_OF(opts), udp ? "udp bind option" : "listen option",
                         &seen, &k))
            return false;
        if (k == 0 && !define_sock(p, p->sc->nactions - 1)) return false;
        if (k == 1 && !want_string(p, "the reply text in double quotes", &a->text)) return false;
        if (k == 2) a->reuseaddr = true;
        if (k == 3) a->reuseport = true;
        if (k == 4) serve_col = col;
        if (k == 5) {
            parts_col = col;
            if (!want_uint(p, "number of parts", 1, PS_HTTP_MAX_PARTS, &parts)) return false;
        }
        if (k == 6 && !want_v6only(p, a, &where)) return false;
    }
    return listen_serve(p, a, seen, serve_col, parts_col, parts);
}

/* Parses a connect target into a->addr/port (see README: ADDR:PORT,
 * HOST:PORT, http://H[:PORT][/...], https://H[:PORT][/...]). */
static bool parse_target(parser *p, span t, ps_action *a)
{
    static const struct {
        const char *scheme;
        uint16_t port;
    } schemes[] = {
        { "http://", 80 },
        { "https://", 443 },
    };
    char b[64];
    size_t skip = 0;
    uint16_t default_port = 0;
    for (size_t i = 0; i < COUNT_OF(schemes); i++) {
        size_t n = strlen(schemes[i].scheme);
        if (t.len >= n && memcmp(t.s, schemes[i].scheme, n) == 0)
            skip = n, default_port = schemes[i].port;
    }
    size_t end = skip;
    bool bracket = skip < t.len && t.s[skip] == '[';
    if (bracket) {
        size_t rest;
        bool mapped;
        span in = { t.s + skip, t.len - skip, t.col + (uint32_t)skip };
        if (!parse_bracketed(p, in, &a->addr, &mapped, &rest)) return false;
        if (mapped)
            return fail_at(p, in.col, "connect to the IPv4 address itself rather than its mapped form");
        end = skip + rest;
        if (end < t.len && t.s[end] != ':' && (default_port == 0 || t.s[end] != '/'))
            return fail_at(p, t.col + (uint32_t)end, "expected ':PORT' after ']' in '%s'",
                           show(t.s, t.len, b));
    } else {
        span w = { t.s + skip, t.len - skip, t.col + (uint32_t)skip };
        if (!unbracketed_v6(p, w, "[2001:db8::1]:443 or http://[2001:db8::1]:8080")) return false;
    }
    while (!bracket && end < t.len && t.s[end] != ':' && (default_port == 0 || t.s[end] != '/')) end++;
    span host = { t.s + skip, end - skip, t.col + (uint32_t)skip };
    if (host.len == 0)
        return fail_at(p, host.col, "expected an address or a host name in the target '%s'",
                       show(t.s, t.len, b));
    if (end == t.len && default_port == 0)
        return fail_at(
            p, t.col,
            "expected ':PORT' after '%s' (or write http:// or https:// for the default port)",
            show(t.s, t.len, b));
    if (bracket) {
        const ps_host_spec *from = &p->sc->hosts[a->host];
        if (a->addr == PS_ADDR_ANY)
            return fail_at(p, host.col, ":: is the wildcard address, not a place to connect to");
        if (a->addr != PS_ADDR6_LOOPBACK && from->naddrs6 == 0)
            return fail_at(p, host.col,
                           "host '%s' has no IPv6 address to connect from: add one to its host line",
                           from->name);
    } else if (is_digit(host.s[0]) || is_localhost(host)) {
        if (!parse_addr(p, host, &a->addr)) return false;
    } else {
        uint32_t h;
        if (!resolve_host(p, host, &h)) return false;
        a->addr = p->sc->hosts[h].addrs[0];
    }
    a->port = default_port;
    if (end < t.len && t.s[end] == ':') {
        size_t pend = end + 1;
        while (pend < t.len && (default_port == 0 || t.s[pend] != '/')) pend++;
        span port = { t.s + end + 1, pend - end - 1, t.col + (uint32_t)end + 1 };
        if (!parse_port(p, port, "port", &a->port)) return false;
    }
    return dup_text(p, t.s, t.len, &a->target);
}

/* from PORT | ADDR | ADDR:PORT: a client's bind() before connect(). Whether
 * ADDR is the host's is decided by the run (EADDRNOTAVAIL), as by the kernel. */
static bool want_from(parser *p, ps_action *a)
{
    span sp = tspan(&p->tok);
    if (p->tok.kind != PS_TOK_WORD || !(memchr(sp.s, '.', sp.len) || memchr(sp.s, ':', sp.len) ||
                                        is_localhost(sp)))
        return want_port(p, "source port", &a->from_port);
    const char *colon = memchr(sp.s, ':', sp.len);
    size_t n = colon ? (size_t)(colon - sp.s) : sp.len;
    char b[64];
    if (n == 0)
        return fail_at(p, sp.col, "no address before ':' in '%s': write 'from PORT' for a port alone",
                       show(sp.s, sp.len, b));
    if (!parse_addr(p, (span){ sp.s, n, sp.col }, &a->from_addr)) return false;
    if (colon && !parse_port(p, (span){ colon + 1, sp.len - n - 1, sp.col + (uint32_t)n + 1 },
                             "source port", &a->from_port))
        return false;
    if (a->from_addr == PS_ADDR_ANY)
        return fail_at(p, sp.col, "0.0.0.0 is not a source address: leave 'from' out to let the OS choose");
    /* The kernel sends nothing from 127.x to the outside: such a bind can
     * only reach the host itself. */
    if ((a->from_addr >> 24) == 127 && (a->addr >> 24) != 127 &&
        ps_scenario_host_by_addr(p->sc, a->addr) != a->host)
        return fail_at(p, sp.col, "a connection from a loopback address (%s) can only go to the same "
                       "host; use one of its other addresses", show(sp.s, n, b));
    return advance(p);
}

/* connect TARGET [from PORT|ADDR|ADDR:PORT] [as SOCK] [request "TEXT"]
 * [repeat N every TIME] [reuseaddr] [reuseport] */
static bool act_connect(parser *p, ps_action *a)
{
    static const char *const opts[] = { "from", "as", "repeat", "request", "reuseaddr", "reuseport" };
    span target = { NULL, 0, 0 };
    if (!want_word(p, "a target like 93.184.216.34:443, server:80 or https://server", &target) ||
        !parse_target(p, target, a))
        return false;
    uint32_t seen = 0, as_col = 0;
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0;
        uint32_t col = p->tok.col;
        uint64_t n;
        if (!want_option(p, opts, COUNT_OF(opts), "connect option", &seen, &k)) return false;
        if (k == 0 && !want_from(p, a)) return false;
        if (k == 4) a->reuseaddr = true;
        if (k == 5) a->reuseport = true;
        if (k == 1 && !define_sock(p, p->sc->nactions - 1)) return false;
        if (k == 1) as_col = col;
        if (k == 2) {
            char what[64];
            if (!want_uint(p, "repeat count", 1, PS_MAX_REPEAT, &n)) return false;
            snprintf(what, sizeof what, "'every TIME' after 'repeat %llu'", (unsigned long long)n);
            a->repeat = (uint32_t)n;
            if (!want_literal(p, "every", what) || !want_time(p, &a->every)) return false;
        }
        if (k == 3 && !want_string(p, "the request text in double quotes", &a->text)) return false;
    }
    if (as_col != 0 && (seen & 4u))
        return fail_at(p, as_col, "a repeated connect cannot be named with 'as'");
    if (a->from_addr != PS_ADDR_ANY && ps_addr_is_v6(a->addr))
        return fail_at(p, a->pos.col, "a source address ('from ADDR') is IPv4 and this connect "
                       "goes to an IPv6 address: leave the address out ('from PORT')");
    return true;
}

/* bind [ADDR:]PORT [reuseaddr] [reuseport] [v6only] [as SOCK] */
static bool act_bind(parser *p, ps_action *a)
{
    static const char *const opts[] = { "as", "reuseaddr", "reuseport", "v6only" };
    local_ep where;
    if (!want_local_endpoint(p, a, "bind", false, &where)) return false;
    uint32_t seen = 0;
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0;
        if (!want_option(p, opts, COUNT_OF(opts), "bind option", &seen, &k)) return false;
        if (k == 0 && !define_sock(p, p->sc->nactions - 1)) return false;
        if (k == 1) a->reuseaddr = true;
        if (k == 2) a->reuseport = true;
        if (k == 3 && !want_v6only(p, a, &where)) return false;
    }
    return true;
}

/* ---- UDP statements ---- */

/* A UDP destination must be IPv4: UDP is modelled over IPv4 only. */
static bool udp_v4(parser *p, const ps_action *a, span target)
{
    if (!ps_addr_is_v6(a->addr)) return true;
    return fail_at(p, target.col, "UDP is modelled over IPv4 only: send to an IPv4 address");
}

/* udp connect ADDR:PORT [from PORT] [as SOCK] [reuseaddr] [reuseport] */
static bool act_udp_connect(parser *p, ps_action *a)
{
    static const char *const opts[] = { "from", "as", "reuseaddr", "reuseport" };
    span target = { NULL, 0, 0 };
    if (!want_word(p, "a destination like 10.0.0.53:53 or server:53", &target) ||
        !parse_target(p, target, a) || !udp_v4(p, a, target))
        return false;
    uint32_t seen = 0;
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0;
        if (!want_option(p, opts, COUNT_OF(opts), "udp connect option", &seen, &k)) return false;
        if (k == 0 && !want_port(p, "source port", &a->from_port)) return false;
        if (k == 1 && !define_sock(p, p->sc->nactions - 1)) return false;
        if (k == 2) a->reuseaddr = true;
        if (k == 3) a->reuseport = true;
    }
    return true;
}

/* at TIME HOST PROC udp bind ... | udp connect ... */
static bool at_udp(parser *p, ps_time t, uint32_t h, uint32_t proc, uint32_t col)
{
    static const char *const verbs[] = { "bind", "connect" };
    size_t verb = 0;
    if (!keyword(p, verbs, COUNT_OF(verbs), "UDP action", &verb)) return false;
    ps_action *a = new_action(p, verb == 0 ? PS_ACT_UDP_BIND : PS_ACT_UDP_CONNECT, t, col);
    if (a == NULL) return false;
    a->host = h;
    a->proc = proc;
    return verb == 0 ? act_listen(p, a, true) : act_udp_connect(p, a);
}

/* fetch URL resources N http1|http2 [pool N] [as PAGE] (sim/http.h) */
static bool act_fetch(parser *p, ps_action *a)
{
    static const char *const opts[] = { "resources", "http1", "http2", "pool", "as" };
    span target = { NULL, 0, 0 };
    if (!want_word(p, "a page address like https://server or server:8080", &target) ||
        !parse_target(p, target, a))
        return false;
    uint32_t seen = 0, pool_col = 0, nfetch = 0;
    uint64_t n = 0, pool = PS_HTTP_DEFAULT_POOL;
    for (uint32_t i = 0; i < p->sc->nactions; i++) nfetch += p->sc->actions[i].kind == PS_ACT_FETCH;
    if (nfetch > PS_HTTP_MAX_PAGES)
        return fail_at(p, a->pos.col, "too many 'fetch' lines (at most %u)", PS_HTTP_MAX_PAGES);
    while (p->tok.kind != PS_TOK_END) {
        size_t k = 0;
        uint32_t col = p->tok.col;
        if (!want_option(p, opts, COUNT_OF(opts), "fetch option", &seen, &k)) return false;
        if (k == 0 && !want_uint(p, "number of resources", 0, PS_HTTP_MAX_RESOURCES, &n)) return false;
        if ((k == 1 || k == 2) && (seen & 6u) == 6u)
            return fail_at(p, col, "a page is fetched over http1 or http2, not both");
        if (k == 3) {
            pool_col = col;
            if (!want_uint(p, "pool size", 1, PS_HTTP_MAX_POOL, &pool)) return false;
        }
        if (k == 4 && !define_sock(p, p->sc->nactions - 1)) return false;
    }
    if (!(seen & 1u)) return fail_at(p, tok_col(p), "expected 'resources N' (how many the page names)");
    if (!(seen & 6u)) return fail_at(p, tok_col(p), "expected 'http1' or 'http2' (the protocol)");
    if (pool_col && (seen & 4u))
        return fail_at(p, pool_col, "'pool' is for http1: HTTP/2 uses one connection");
    a->resources = (uint16_t)n;
    a->http = (seen & 4u) ? 2 : 1;
    a->pool = (uint8_t)pool;
    return true;
}

/* at TIME HOST kill PID | shell "CMD" | PROC listen ... | PROC connect ... | PROC bind ...
 * | PROC udp ... | PROC fetch ... */
static bool at_host(parser *p, ps_time t, uint32_t h, uint32_t col)
{
    static const char *const verbs[] = { "listen", "connect", "bind", "udp", "fetch" };
    bool kill = is_word(p, "kill"), shell = is_word(p, "shell");
    uint32_t proc = PS_NONE;
    size_t verb = 0;
    if (kill || shell) {
        if (!advance(p)) return false;
    } else if (!want_proc(p, h, &proc) || !keyword(p, verbs, COUNT_OF(verbs), "action", &verb)) {
        return false;
    }
    if (verb == 3) return at_udp(p, t, h, proc, col);
    ps_action_kind kind = kill        ? PS_ACT_KILL
                          : shell     ? PS_ACT_SHELL
                          : verb == 0 ? PS_ACT_LISTEN
                          : verb == 1 ? PS_ACT_CONNECT
                          : verb == 2 ? PS_ACT_BIND
                                      : PS_ACT_FETCH;
    ps_action *a = new_action(p, kind, t, col);
    if (a == NULL) return false;
    a->host = h;
    a->proc = proc;
    uint64_t pid;
    switch (kind) {
    case PS_ACT_KILL:
        if (!want_uint(p, "pid", 1, UINT32_MAX, &pid)) return false;
        a->pid = (uint32_t)pid;
        return want_end(p);
    case PS_ACT_SHELL: return want_string(p, "a command in double quotes", &a->text) && want_end(p);
    case PS_ACT_LISTEN: return act_listen(p, a, false);
    case PS_ACT_BIND: return act_bind(p, a);
    case PS_ACT_FETCH: return act_fetch(p, a);
    default: return act_connect(p, a);
    }
}

/* SOCK listen [reply "TEXT"]  |  LISTENER accept as SOCK */
static bool act_sock_gaps(parser *p, ps_action *a)
{
    if (a->kind == PS_ACT_ACCEPT)
        return want_literal(p, "as", "'as NAME' after 'accept'") &&
               define_sock(p, p->sc->nactions - 1) && want_end(p);
    if (p->tok.kind == PS_TOK_END) return true;
    return want_literal(p, "reply", "'reply \"TEXT\"' or the end of the line") &&
           want_string(p, "the reply text in double quotes", &a->text) && want_end(p);
}

/* at TIME SOCK send "TEXT" | close | listen ... | accept ... — the socket is
 * resolved in pass 2. */
static bool at_sock(parser *p, ps_time t, span x, uint32_t col)
{
    static const char *const verbs[] = { "send", "close", "listen", "accept", "sendto" };
    static const ps_action_kind kinds[] = { PS_ACT_SEND, PS_ACT_CLOSE, PS_ACT_LISTEN_SOCK,
                                            PS_ACT_ACCEPT, PS_ACT_SENDTO };
    size_t verb;
    bool is_sock = find_sock(p, x.s, x.len) != PS_NONE;
    if ((is_word(p, "listen") || is_word(p, "accept")) && !is_sock) {
        uint32_t s; /* not defined on an earlier line: a misspelt name */
        return resolve_sock(p, x, true, &s);
    }
    if (!is_word(p, "send") && !is_word(p, "close") && !is_word(p, "sendto") && !is_sock) {
        uint32_t h;
        return resolve_host(p, x, &h);
    }
    if (is_sock && is_word(p, "bind")) {
        char b[64];
        return fail_at(p, p->tok.col, "'%s' is bound already: a socket is bound once, by the line "
                       "that makes it ('at T HOST PROC bind [ADDR:]PORT as NAME')", show(x.s, x.len, b));
    }
    if (!keyword(p, verbs, COUNT_OF(verbs), "socket action", &verb)) return false;
    ps_action *a = new_action(p, kinds[verb], t, col);
    if (a == NULL) return false;
    if (verb == 2 || verb == 3) return act_sock_gaps(p, a);
    span target = { NULL, 0, 0 };
    if (verb == 4 && (!want_word(p, "a destination like 10.0.0.53:53 or server:53", &target) ||
                      !parse_target(p, target, a) || !udp_v4(p, a, target)))
        return false;
    if (verb != 1 && !want_string(p, "the text to send in double quotes", &a->text)) return false;
    return want_end(p);
}

static bool st_at(parser *p, uint32_t col)
{
    ps_time t;
    uint32_t tcol = p->tok.col;
    span x = { NULL, 0, 0 };
    if (!want_time(p, &t) || !check_time(p, t, tcol) || !want_word(p, "a host or socket name", &x))
        return false;
    uint32_t h = find_host(p, x.s, x.len);
    return h != PS_NONE ? at_host(p, t, h, col) : at_sock(p, t, x, col);
}

/* Whether socket x, made by `made`, can take action a: sendto needs a UDP
 * socket, and send on a UDP socket needs one made by `udp connect`. */
static bool udp_use_ok(parser *p, const ps_action *a, const ps_action *made, span x)
{
    char b[64];
    bool udp = made->kind == PS_ACT_UDP_BIND || made->kind == PS_ACT_UDP_CONNECT;
    if (a->kind == PS_ACT_SENDTO && !udp)
        return fail_at(p, x.col,
                       "'%s' is a TCP socket: sendto needs a UDP socket (udp bind or udp connect); "
                       "a TCP connection sends with 'send'",
                       show(x.s, x.len, b));
    if (a->kind == PS_ACT_SEND && made->kind == PS_ACT_UDP_BIND)
        return fail_at(p, x.col,
                       "'%s' is a UDP socket with no peer: use 'sendto ADDR:PORT \"TEXT\"', or make it "
                       "with 'udp connect' to use send",
                       show(x.s, x.len, b));
    return true;
}

/* Pass 2 of an `at` line: resolves the socket of send and close. Pass 1
 * made exactly one action for every `at` line. */
static bool st_at_sock(parser *p)
{
    ps_scenario *sc = p->sc;
    while (sc->actions[p->next_action].pos.line < p->line) p->next_action++;
    ps_action *a = &sc->actions[p->next_action];
    bool accept = a->kind == PS_ACT_ACCEPT;
    if (a->kind != PS_ACT_SEND && a->kind != PS_ACT_CLOSE && a->kind != PS_ACT_SENDTO &&
        a->kind != PS_ACT_LISTEN_SOCK && !accept)
        return true;
    ps_time t;
    span x = { NULL, 0, 0 };
    uint32_t sock;
    if (!want_time(p, &t) || !want_word(p, "a socket name", &x) || !resolve_sock(p, x, false, &sock))
        return false;
    *(accept ? &a->listener : &a->sock) = sock;
    const ps_action *made = &sc->actions[sc->socks[sock].action];
    static const char *const what[] = { [PS_ACT_SEND] = "send", [PS_ACT_CLOSE] = "close",
                                        [PS_ACT_LISTEN_SOCK] = "listen", [PS_ACT_ACCEPT] = "accept",
                                        [PS_ACT_SENDTO] = "sendto" };
    char b[64], t1[32], t2[32];
    if (made->t > a->t)
        return fail_at(p, x.col, "'%s' is created at %s, so it cannot %s at %s",
                       show(x.s, x.len, b), ps_time_str(made->t, t1), what[a->kind],
                       ps_time_str(a->t, t2));
    if (a->kind == PS_ACT_LISTEN_SOCK && made->kind != PS_ACT_BIND)
        return fail_at(p, x.col, "'%s' is not a socket made by 'bind', so it cannot be told to listen "
                       "(a process's 'listen' line binds and listens at once)", show(x.s, x.len, b));
    if (accept && made->kind != PS_ACT_LISTEN && made->kind != PS_ACT_BIND)
        return fail_at(p, x.col, "'%s' is not a listener: 'accept' takes a socket made by 'listen' "
                       "or 'bind'", show(x.s, x.len, b));
    return udp_use_ok(p, a, made, x);
}

static bool st_say(parser *p, uint32_t col)
{
    ps_time t;
    uint32_t tcol = p->tok.col;
    if (!want_time(p, &t) || !check_time(p, t, tcol)) return false;
    ps_action *a = new_action(p, PS_ACT_SAY, t, col);
    return a != NULL && want_string(p, "a caption in double quotes", &a->text) && want_end(p);
}

/* ---- statement: expect ---- */

/* A state name, or one of `extra` (given index PS_STATE_COUNT + i). */
static bool want_state(parser *p, const char *const *extra, size_t nextra, size_t *out)
{
    const char *words[PS_STATE_COUNT + 4];
    for (int i = 0; i < PS_STATE_COUNT; i++) words[i] = ps_state_name((ps_tcp_state)i);
    for (size_t i = 0; i < nextra; i++) words[PS_STATE_COUNT + i] = extra[i];
    return keyword(p, words, PS_STATE_COUNT + nextra, "state", out);
}

/* HOST udp port N free|used: whether a UDP socket holds the port (UDP has
 * its own port space, and no listening). */
static bool exp_udp_port(parser *p, ps_expect *e)
{
    static const char *const port_states[] = { "free", "used" };
    size_t k = 0;
    e->kind = PS_EXP_PORT;
    e->udp = true;
    if (!want_literal(p, "port", "'port N' after 'udp'") || !want_port(p, "port", &e->port) ||
        !keyword(p, port_states, COUNT_OF(port_states), "UDP port state", &k))
        return false;
    e->port_state = k == 0 ? PS_PORT_FREE : PS_PORT_USED;
    return true;
}

/* HOST port N free|listening|used  |  HOST udp port N free|used  |  HOST STATE count N */
static bool exp_host(parser *p, ps_expect *e, uint32_t h)
{
    static const char *const extra[] = { "port", "udp", "nat" };
    static const char *const port_states[] = { "free", "listening", "used" };
    size_t k = 0;
    e->host = h;
    uint32_t col = p->tok.col;
    if (!want_state(p, extra, COUNT_OF(extra), &k)) return false;
    if (k == PS_STATE_COUNT + 1) return exp_udp_port(p, e);
    if (k == PS_STATE_COUNT + 2) {
        if (!p->sc->hosts[h].router)
            return fail_at(p, col, "'%s' is not a router: only a router has a translation table",
                           p->sc->hosts[h].name);
        e->kind = PS_EXP_NAT;
        return want_literal(p, "count", "'count N' after 'nat'") &&
               want_uint(p, "count", 0, UINT32_MAX, &e->value);
    }
    if (k == PS_STATE_COUNT) {
        e->kind = PS_EXP_PORT;
        return want_port(p, "port", &e->port) &&
               keyword(p, port_states, COUNT_OF(port_states), "port state", &k) &&
               (e->port_state = (ps_port_state)k, true);
    }
    e->kind = PS_EXP_COUNT;
    e->state = (ps_tcp_state)k;
    return want_literal(p, "count", "'count N' after the state") &&
           want_uint(p, "count", 0, UINT64_MAX, &e->value);
}

/* SOCK.FIELD in one token. */
static bool parse_field_ref(parser *p, span sp, uint32_t *sock, ps_field *field)
{
    static const char *const fields[] = { "sport", "dport", "tuple", "saddr", "daddr" };
    const char *dot = memchr(sp.s, '.', sp.len);
    size_t n = (size_t)(dot - sp.s), k;
    span name = { sp.s, n, sp.col }, f = { dot + 1, sp.len - n - 1, sp.col + (uint32_t)n + 1 };
    if (!resolve_sock(p, name, false, sock) || !choose(p, f, fields, COUNT_OF(fields), "field", &k))
        return false;
    *field = (ps_field)k;
    return true;
}

/* What a field holds decides what it may be compared with: a port with a
 * port or a number, an address with an address, a tuple with a tuple. */
typedef enum field_kind { FK_PORT, FK_ADDR, FK_TUPLE } field_kind;

static field_kind kind_of(ps_field f)
{
    return f == PS_FIELD_TUPLE ? FK_TUPLE : f == PS_FIELD_SADDR || f == PS_FIELD_DADDR ? FK_ADDR : FK_PORT;
}

/* SOCK.FIELD OP (SOCK.FIELD | NUMBER | ADDRESS) */
static bool exp_compare(parser *p, ps_expect *e)
{
    static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
    static const char *const same[] = { "a port can only be compared with a port or a number",
                                        "an address can only be compared with an address",
                                        "a tuple can only be compared with another tuple" };
    size_t k = 0;
    e->kind = PS_EXP_COMPARE;
    if (!parse_field_ref(p, tspan(&p->tok), &e->sock, &e->field) || !advance(p)) return false;
    field_kind lk = kind_of(e->field);
    uint32_t op_col = p->tok.col;
    if (!keyword(p, ops, COUNT_OF(ops), "comparison", &k)) return false;
    e->cmp = (ps_cmp)k;
    span r = tspan(&p->tok);
    bool literal = p->tok.kind == PS_TOK_WORD && (is_digit(r.s[0]) || is_localhost(r));
    if (!literal && (p->tok.kind != PS_TOK_WORD || !memchr(r.s, '.', r.len)))
        return expected(p, lk == FK_ADDR ? "SOCKET.FIELD or an address" : "SOCKET.FIELD or a number");
    if (literal && lk == FK_TUPLE)
        return fail_at(p, r.col, "a tuple can only be compared with another socket's tuple");
    if (!literal) {
        if (!parse_field_ref(p, r, &e->rsock, &e->rfield)) return false;
        field_kind rk = kind_of(e->rfield);
        if (rk != lk) return fail_at(p, r.col, "%s", same[rk == FK_TUPLE ? FK_TUPLE : lk]);
    }
    if (lk != FK_PORT && e->cmp != PS_CMP_EQ && e->cmp != PS_CMP_NE)
        return fail_at(p, op_col, "%s can only be compared with == or !=", lk == FK_ADDR ? "addresses" : "tuples");
    if (literal && lk == FK_PORT) return want_uint(p, "value", 0, 65535, &e->value);
    if (literal) {
        ps_addr a;
        if (!parse_addr(p, r, &a)) return false;
        e->value = a;
    }
    return advance(p);
}

/* ENAME or ENAME|ENAME|...: any of them passes. The first goes to e->err,
 * every one into the e->errs mask. */
static bool want_errnos(parser *p, ps_expect *e)
{
    const char *errnos[PS_ERRNO_COUNT];
    for (int i = 1; i < PS_ERRNO_COUNT; i++) errnos[i - 1] = ps_errno_name((ps_errno)i);
    _Static_assert(PS_ERRNO_COUNT <= 32, "ps_expect.errs has a bit per ps_errno");
    if (p->tok.kind != PS_TOK_WORD || !memchr(p->tok.s, '|', p->tok.len)) {
        size_t k = 0;
        if (!keyword(p, errnos, PS_ERRNO_COUNT - 1, "error name", &k)) return false;
        e->err = (ps_errno)(k + 1);
        return true;
    }
    span all = tspan(&p->tok);
    for (size_t at = 0; at <= all.len;) {
        const char *bar = memchr(all.s + at, '|', all.len - at);
        size_t n = bar ? (size_t)(bar - all.s) - at : all.len - at, k = 0;
        span one = { all.s + at, n, all.col + (uint32_t)at };
        if (n == 0) return fail_at(p, one.col, "expected an error name on each side of '|'");
        if (!choose(p, one, errnos, PS_ERRNO_COUNT - 1, "error name", &k)) return false;
        if (e->err == PS_OK) e->err = (ps_errno)(k + 1);
        e->errs |= 1u << (k + 1);
        at += n + 1;
    }
    return advance(p);
}

/* accepted-by LISTENER: a socket made by listen or bind. */
static bool exp_accepted_by(parser *p, ps_expect *e)
{
    span x = { NULL, 0, 0 };
    e->kind = PS_EXP_ACCEPTED_BY;
    if (!want_word(p, "a listener's socket name", &x) || !resolve_sock(p, x, false, &e->rsock))
        return false;
    ps_action_kind made = p->sc->actions[p->sc->socks[e->rsock].action].kind;
    char b[64];
    if (made != PS_ACT_LISTEN && made != PS_ACT_BIND)
        return fail_at(p, x.col, "'%s' is not a listener: 'accepted-by' names a socket made by "
                       "'listen' or 'bind'", show(x.s, x.len, b));
    return true;
}

/* SOCK received N: how many datagrams a UDP socket has taken (a TCP
 * socket's bytes are not datagrams, so only a UDP socket may be asked). */
static bool exp_received(parser *p, ps_expect *e)
{
    const ps_action *made = &p->sc->actions[p->sc->socks[e->sock].action];
    if (made->kind != PS_ACT_UDP_BIND && made->kind != PS_ACT_UDP_CONNECT) {
        char b[64];
        return fail_at(p, p->prev.col,
                       "'received' counts datagrams, and '%s' is a TCP socket: ask a UDP socket "
                       "(made by udp bind or udp connect)",
                       p->sc->socks[e->sock].name ? show(p->sc->socks[e->sock].name,
                                                         strlen(p->sc->socks[e->sock].name), b)
                                                  : "?");
    }
    e->kind = PS_EXP_RECEIVED;
    return want_uint(p, "count", 0, UINT32_MAX, &e->value);
}

/* SOCK STATE  |  SOCK errno ENAME[|ENAME...]  |  SOCK ok  |  SOCK accepted-by LISTENER
 * |  SOCK received N */
static bool exp_sock(parser *p, ps_expect *e, uint32_t time_col)
{
    static const char *const extra[] = { "errno", "ok", "accepted-by", "received" };
    size_t k = 0;
    if (!want_state(p, extra, COUNT_OF(extra), &k)) return false;
    if (k < PS_STATE_COUNT) {
        e->kind = PS_EXP_STATE;
        e->state = (ps_tcp_state)k;
        return true;
    }
    if (k == PS_STATE_COUNT + 2) return exp_accepted_by(p, e);
    if (k == PS_STATE_COUNT + 3) return exp_received(p, e);
    e->kind = PS_EXP_ERRNO;
    if (e->has_time)
        return fail_at(
            p, time_col,
            "'%s' takes no time: it checks the result of the operation that created the socket",
            extra[k - PS_STATE_COUNT]);
    if (k == PS_STATE_COUNT + 1) return true; /* ok: e->err stays PS_OK */
    return want_errnos(p, e);
}

/* HOST[:PORT] of `expect segments`: a host defined earlier, any port or one. */
static bool want_seg_end(parser *p, uint32_t *host, uint16_t *port)
{
    span x = { NULL, 0, 0 };
    if (!want_word(p, "a host name, or HOST:PORT", &x)) return false;
    const char *colon = memchr(x.s, ':', x.len);
    span name = { x.s, colon ? (size_t)(colon - x.s) : x.len, x.col };
    if (!resolve_host(p, name, host)) return false;
    *port = 0;
    return !colon || parse_port(p, (span){ colon + 1, x.len - name.len - 1,
                                           x.col + (uint32_t)name.len + 1 }, "port", port);
}

/* segments syn|syn-ack|rst|fin|data|any from HOST[:PORT] to HOST[:PORT] count N */
static bool exp_segments(parser *p, ps_expect *e)
{
    static const char *const classes[] = { "syn", "syn-ack", "rst", "fin", "data", "any" };
    _Static_assert(COUNT_OF(classes) == PS_SEGC_COUNT, "one word per ps_segment_class");
    size_t k = 0;
    e->kind = PS_EXP_SEGMENTS;
    if (!advance(p) || !keyword(p, classes, COUNT_OF(classes), "segment kind", &k)) return false;
    e->seg_class = (uint8_t)k;
    return want_literal(p, "from", "'from HOST' after the segment kind") &&
           want_seg_end(p, &e->seg_from, &e->seg_sport) &&
           want_literal(p, "to", "'to HOST' after the sender") &&
           want_seg_end(p, &e->seg_to, &e->seg_dport) &&
           want_literal(p, "count", "'count N' after the receiver") &&
           want_uint(p, "count", 0, UINT64_MAX, &e->value);
}

/* Whether the next word counts something about page `sock` (made by a
 * `fetch` line): then the expectation is about the page load. */
static bool is_page_expect(const parser *p, uint32_t sock)
{
    static const char *const words[] = { "connections", "handshakes", "ports", "streams", "queued", "done" };
    if (p->sc->actions[p->sc->socks[sock].action].kind != PS_ACT_FETCH) return false;
    for (size_t i = 0; i < COUNT_OF(words); i++)
        if (is_word(p, words[i])) return true;
    return false;
}

/* PAGE connections|handshakes|ports|streams|queued N  |  PAGE done [before TIME] */
static bool exp_page(parser *p, ps_expect *e)
{
    static const char *const words[] = { "connections", "handshakes", "ports", "streams", "queued", "done" };
    size_t k = 0;
    e->kind = PS_EXP_PAGE;
    if (!keyword(p, words, COUNT_OF(words), "page count", &k)) return false;
    e->page_field = (ps_page_field)k;
    if (e->page_field != PS_PAGE_DONE) return want_uint(p, "count", 0, UINT32_MAX, &e->value);
    e->value = PS_TIME_NEVER;
    if (p->tok.kind == PS_TOK_END) return true;
    ps_time t;
    if (!want_literal(p, "before", "'before TIME' or the end of the line") || !want_time(p, &t)) return false;
    e->value = t;
    return true;
}

static bool st_expect(parser *p, uint32_t col)
{
    ps_expect *e = PUSH(p, expects, PS_MAX_EXPECTS, "'expect' lines");
    if (e == NULL) return false;
    e->sock = e->rsock = e->host = PS_NONE;
    e->pos = (ps_pos){ p->line, col };
    const char *text = p->tok.s;
    uint32_t time_col = p->tok.col;
    if (p->tok.kind == PS_TOK_WORD && is_digit(p->tok.s[0])) {
        e->has_time = true;
        if (!want_time(p, &e->t)) return false;
    }
    span first = tspan(&p->tok);
    uint32_t h;
    bool ok;
    if (p->tok.kind != PS_TOK_WORD) return expected(p, "a socket, a host or 'tuples'");
    if (ps_name_equals("tuples", first.s, first.len)) {
        e->kind = PS_EXP_DISTINCT;
        ok = advance(p) && want_literal(p, "distinct", "'distinct' after 'tuples'");
    } else if (ps_name_equals("segments", first.s, first.len) && find_host(p, first.s, first.len) == PS_NONE &&
               find_sock(p, first.s, first.len) == PS_NONE) {
        ok = exp_segments(p, e);
    } else if ((h = find_host(p, first.s, first.len)) != PS_NONE) {
        ok = advance(p) && exp_host(p, e, h);
    } else if (memchr(first.s, '.', first.len)) {
        ok = exp_compare(p, e);
    } else {
        ok = resolve_sock(p, first, true, &e->sock) && advance(p) &&
             (is_page_expect(p, e->sock) ? exp_page(p, e) : exp_sock(p, e, time_col));
    }
    return ok && want_end(p) &&
           dup_text(p, text, (size_t)(p->prev.s + p->prev.len - text), &e->text);
}

/* ---- statement: ask ---- */

/* Pass 1 of an `ask` line: its time keeps the order of `at` and `say`. */
static bool st_ask_time(parser *p, uint32_t col)
{
    (void)col;
    ps_time t;
    uint32_t tcol = p->tok.col;
    return want_time(p, &t) && check_time(p, t, tcol);
}

/* which-socket syn|ack|data|fin|segment TARGET */
static bool ask_socket(parser *p, ps_question *q)
{
    static const char *const matches[] = { "syn", "ack", "data", "fin", "segment" };
    _Static_assert(COUNT_OF(matches) == PS_MATCH_COUNT, "one word per ps_segment_match");
    size_t k = 0;
    span target = { NULL, 0, 0 };
    if (!keyword(p, matches, COUNT_OF(matches), "segment", &k) ||
        !want_word(p, "a destination like 93.184.216.34:443 or server:443", &target))
        return false;
    q->match = (ps_segment_match)k;
    ps_action dst = { .target = NULL }; /* parse_target fills addr, port and target */
    bool ok = parse_target(p, target, &dst);
    free(dst.target);
    q->addr = dst.addr;
    q->port = dst.port;
    return ok;
}

/* which-result SOCK  |  which-result HOST listen */
static bool ask_result(parser *p, ps_question *q)
{
    span x = tspan(&p->tok);
    if (p->tok.kind != PS_TOK_WORD) return expected(p, "a socket name, or a host and 'listen'");
    if ((q->host = find_host(p, x.s, x.len)) != PS_NONE)
        return advance(p) && want_literal(p, "listen", "'listen' after the host name");
    return resolve_sock(p, x, true, &q->sock) && advance(p);
}

/* which-port SOCK.sport|SOCK.dport */
static bool ask_port(parser *p, ps_question *q)
{
    span x = tspan(&p->tok);
    if (p->tok.kind != PS_TOK_WORD || !memchr(x.s, '.', x.len))
        return expected(p, "SOCKET.sport or SOCKET.dport");
    if (!parse_field_ref(p, x, &q->sock, &q->field)) return false;
    if (q->field == PS_FIELD_TUPLE)
        return fail_at(p, x.col, "a port question asks for 'sport' or 'dport', not a tuple");
    return advance(p);
}

/* choices "A" "B" ...: up to PS_MAX_CHOICES strings. */
static bool ask_choices(parser *p, ps_question *q)
{
    if (p->tok.kind != PS_TOK_STRING) return expected(p, "a choice in double quotes");
    while (p->tok.kind == PS_TOK_STRING) {
        if (q->nchoices == PS_MAX_CHOICES)
            return fail_at(p, p->tok.col, "too many choices: a question may have at most %u",
                           PS_MAX_CHOICES);
        if (!want_string(p, "a choice", &q->choices[q->nchoices])) return false;
        q->nchoices++;
    }
    return true;
}

/* The author's answer of a `choice` question must be one of its choices. */
static bool check_answer(parser *p, const ps_question *q, uint32_t col, uint32_t qcol)
{
    if (q->answer == NULL)
        return fail_at(p, qcol, "a 'choice' question needs 'choices \"A\" \"B\" ...' and 'answer \"A\"'");
    if (q->nchoices < 2)
        return fail_at(p, qcol, "a 'choice' question needs at least two choices");
    ps_suggest sg;
    ps_suggest_init(&sg, q->answer, strlen(q->answer));
    for (uint32_t i = 0; i < q->nchoices; i++) {
        if (strcmp(q->choices[i], q->answer) == 0) return true;
        ps_suggest_add(&sg, q->choices[i]);
    }
    char b[64];
    return fail_hint(p, col, ps_suggest_best(&sg), "the answer '%s' is not one of the choices",
                     show(q->answer, strlen(q->answer), b));
}

/* ask TIME ID KIND ... "QUESTION" [choices "A" ...] [answer "A"] [hint "..."] [explain "..."] */
static bool st_ask(parser *p, uint32_t col)
{
    static const char *const kinds[] = { "which-socket", "which-result", "which-port", "choice" };
    static const char *const opts[] = { "choices", "answer", "hint", "explain" };
    _Static_assert(COUNT_OF(kinds) == PS_Q_KIND_COUNT, "one word per ps_question_kind");
    ps_question *q = PUSH(p, questions, PS_MAX_QUESTIONS, "'ask' lines");
    if (q == NULL) return false;
    q->host = q->sock = PS_NONE;
    q->pos = (ps_pos){ p->line, col };
    span id = { NULL, 0, 0 };
    size_t k = 0;
    if (!want_time(p, &q->t) || !want_name(p, "question id", false, &id)) return false;
    uint32_t twin = ix_find(p, (ix_key){ IX_QUESTION, 0, 0, id.s, id.len });
    char b[64];
    if (twin != PS_NONE)
        return fail_at(p, id.col, "question '%s' is already defined (line %u)",
                       show(id.s, id.len, b), (unsigned)p->sc->questions[twin].pos.line);
    if (!dup_text(p, id.s, id.len, &q->id) ||
        !ix_add(p, (ix_key){ IX_QUESTION, 0, 0, q->id, id.len }, p->sc->nquestions - 1))
        return false;
    uint32_t kcol = p->tok.col;
    if (!keyword(p, kinds, COUNT_OF(kinds), "question kind", &k)) return false;
    q->kind = (ps_question_kind)k;
    bool ok = q->kind == PS_Q_SOCKET   ? ask_socket(p, q)
              : q->kind == PS_Q_RESULT ? ask_result(p, q)
              : q->kind == PS_Q_PORT   ? ask_port(p, q)
                                       : true;
    if (!ok || !want_string(p, "the question in double quotes", &q->text)) return false;
    uint32_t seen = 0, answer_col = 0;
    while (p->tok.kind != PS_TOK_END) {
        uint32_t ocol = p->tok.col;
        if (!want_option(p, opts, COUNT_OF(opts), "question option", &seen, &k)) return false;
        if (k == 1 && q->kind != PS_Q_CHOICE)
            return fail_at(p, ocol, "only a 'choice' question takes an 'answer': the run computes this one");
        if (k == 1) answer_col = p->tok.col;
        ok = k == 0   ? ask_choices(p, q)
             : k == 1 ? want_string(p, "the answer in double quotes", &q->answer)
             : k == 2 ? want_string(p, "the hint in double quotes", &q->hint)
                      : want_string(p, "the explanation in double quotes", &q->explain);
        if (!ok) return false;
    }
    return q->kind != PS_Q_CHOICE || check_answer(p, q, answer_col, kcol);
}

/* ---- driving the passes ---- */

typedef bool (*statement_fn)(parser *p, uint32_t col);

static bool parse_line(parser *p, const char *s, size_t len, uint32_t line)
{
    static const char *const names[] = { "title", "seed", "host",   "link",
                                         "proc",  "at",   "say",    "expect",
                                         "ask",   "router", "forward" };
    static const statement_fn fns[] = { st_title, st_seed, st_host, st_link,
                                        st_proc,  st_at,   st_say,  NULL,
                                        st_ask_time, st_router, st_forward };
    ps_cursor_init(&p->cur, s, len, line);
    p->line = line;
    if (!ps_cursor_next(&p->cur, &p->tok, p->diag)) return false;
    p->prev = p->tok;
    uint32_t col = p->tok.col;
    if (p->tok.kind == PS_TOK_END) return true;
    if (p->pass == 3) return !is_word(p, "expect") || (advance(p) && st_expect(p, col));
    if (p->pass == 2) {
        if (is_word(p, "expect")) return advance(p) && st_expect(p, col);
        if (is_word(p, "at")) return advance(p) && st_at_sock(p);
        if (is_word(p, "ask")) return advance(p) && st_ask(p, col);
        return true;
    }
    size_t k = 0;
    if (!keyword(p, names, COUNT_OF(names), "statement", &k)) return false;
    return fns[k] == NULL || fns[k](p, col);
}

static bool run_pass(parser *p, const ps_lexer *start, int pass)
{
    ps_lexer lx = *start;
    const char *s;
    size_t len;
    p->pass = pass;
    while (ps_lexer_line(&lx, &s, &len))
        if (!parse_line(p, s, len, lx.line)) return false;
    return true;
}

/* Every event a scenario can cause must come before PS_TIME_END, so no time
 * sum in a run can wrap: an action's last repetition, plus what it can still
 * cause (PS_ACTION_TRIPS one-way trips over the slowest link, then a
 * TIME-WAIT), must fit. */
static bool check_time_span(parser *p)
{
    const ps_scenario *sc = p->sc;
    ps_time slowest = PS_LOOPBACK_US;
    for (uint32_t i = 0; i < sc->nlinks; i++)
        if (sc->links[i].latency > slowest) slowest = sc->links[i].latency;
    /* Times parse below UINT64_MAX / 2, so these products cannot wrap. */
    uint64_t tail = slowest > PS_TIME_END / PS_ACTION_TRIPS ? PS_TIME_END
                                                            : slowest * PS_ACTION_TRIPS + PS_TIME_WAIT_US;
    for (uint32_t i = 0; i < sc->nactions; i++) {
        const ps_action *a = &sc->actions[i];
        uint64_t last = a->repeat > 1 && a->every > (PS_TIME_END - a->t) / (a->repeat - 1)
                            ? PS_TIME_END
                            : a->t + (uint64_t)(a->repeat - 1) * a->every;
        if (last < PS_TIME_END && tail < PS_TIME_END - last) continue;
        p->line = a->pos.line;
        return fail_at(p, a->pos.col,
                       "this line's events would run past the end of simulated time (%llu us): "
                       "use earlier times, fewer repeats or faster links",
                       (unsigned long long)PS_TIME_END);
    }
    return true;
}

ps_scenario *ps_scenario_parse(const char *text, size_t len, const char *file, ps_diag *diag)
{
    parser p;
    ps_lexer lx;
    memset(&p, 0, sizeof p);
    p.diag = diag;
    snprintf(diag->file, sizeof diag->file, "%s", file ? file : "<input>");
    diag->pos = (ps_pos){ 0, 0 };
    diag->message[0] = '\0';
    ps_lexer_init(&lx, text ? text : "", text ? len : 0);
    if (!ps_lexer_check(&lx, diag)) return NULL;
    p.sc = calloc(1, sizeof *p.sc);
    if (p.sc == NULL) return oom(&p), NULL;
    p.sc->seed = 1;
    bool ok = dup_text(&p, diag->file, strlen(diag->file), &p.sc->file) && run_pass(&p, &lx, 1);
    if (ok && p.sc->nhosts == 0) {
        p.line = 1;
        ok = fail_at(&p, 1, "empty scenario: expected at least one 'host' line");
    }
    ok = ok && run_pass(&p, &lx, 2) && check_time_span(&p);
    ps_table_free(&p.index);
    free(p.proc_twin);
    if (!ok) {
        ps_scenario_free(p.sc);
        return NULL;
    }
    return p.sc;
}

bool ps_scenario_adopt_expects(ps_scenario *sc, const char *text, size_t len, const char *file,
                               ps_diag *diag)
{
    ps_scenario *task = ps_scenario_parse(text, len, file, diag);
    if (task == NULL) return false;
    ps_scenario_free(task);
    for (uint32_t i = 0; i < sc->nexpects; i++) free(sc->expects[i].text);
    free(sc->expects);
    sc->expects = NULL;
    sc->nexpects = 0;
    free(sc->expect_file);
    sc->expect_file = NULL;
    parser p;
    ps_lexer lx;
    memset(&p, 0, sizeof p);
    p.sc = sc;
    p.diag = diag;
    ps_lexer_init(&lx, text, len);
    bool ok = true;
    for (uint32_t i = 0; ok && i < sc->nhosts; i++)
        ok = ix_add(&p, (ix_key){ IX_HOST, 0, 0, sc->hosts[i].name, strlen(sc->hosts[i].name) }, i);
    for (uint32_t i = 0; ok && i < sc->nsocks; i++)
        ok = ix_add(&p, (ix_key){ IX_SOCK, 0, 0, sc->socks[i].name, strlen(sc->socks[i].name) }, i);
    ok = ok && run_pass(&p, &lx, 3) && dup_text(&p, file, strlen(file), &sc->expect_file);
    ps_table_free(&p.index);
    return ok;
}
