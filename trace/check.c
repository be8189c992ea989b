/* check.c — expectations and golden-trace comparison (see check.h). */
#include "check.h"
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiz.h"
#include "shell.h"
#include "trace.h"
#include "units.h"

typedef struct tuple {
    uint32_t host, la, ra;
    uint16_t lp, rp;
} tuple;

static int tuple_cmp(const void *a, const void *b)
{
    const tuple *x = a, *y = b;
    if (x->host != y->host) return x->host < y->host ? -1 : 1;
    if (x->la != y->la) return x->la < y->la ? -1 : 1;
    if (x->lp != y->lp) return x->lp < y->lp ? -1 : 1;
    if (x->ra != y->ra) return x->ra < y->ra ? -1 : 1;
    if (x->rp != y->rp) return x->rp < y->rp ? -1 : 1;
    return 0;
}

/* Are all live connection 4-tuples different? Sorting makes the answer
 * independent of table order. */
static bool tuples_distinct(ps_engine *e, char *got, size_t n)
{
    uint32_t slots = ps_engine_socket_slots(e), cnt = 0;
    /* A scan of every socket: paid from the run's work budget, so a file of
     * many such lines cannot make a check run for days. */
    if (!ps_engine_charge(e, slots)) {
        snprintf(got, n, "not checked: %s", ps_run_status_message(PS_RUN_WORK));
        return false;
    }
    tuple *t = malloc((slots ? slots : 1) * sizeof *t);
    if (!t) {
        snprintf(got, n, "out of memory");
        return false;
    }
    for (uint32_t i = 0; i < slots; i++) {
        const ps_socket *s = ps_engine_socket(e, i);
        if (s->live && s->raddr) t[cnt++] = (tuple){ s->host, s->laddr, s->raddr, s->lport, s->rport };
    }
    qsort(t, cnt, sizeof *t, tuple_cmp);
    bool ok = true;
    for (uint32_t i = 1; i < cnt && ok; i++) ok = tuple_cmp(&t[i - 1], &t[i]) != 0;
    snprintf(got, n, ok ? "%u connection endpoints, every 4-tuple distinct"
                        : "%u connection endpoints, a 4-tuple appears twice", cnt);
    free(t);
    return ok;
}

static const char *field_name(ps_field f)
{
    static const char *const names[] = { "sport", "dport", "tuple", "saddr", "daddr" };
    return names[f];
}

static uint64_t field_value(const ps_socket *s, ps_field f)
{
    if (f == PS_FIELD_SPORT) return s->lport;
    if (f == PS_FIELD_DPORT) return s->rport;
    if (f == PS_FIELD_SADDR) return s->laddr;
    if (f == PS_FIELD_DADDR) return s->raddr;
    return ((uint64_t)s->laddr ^ ((uint64_t)s->raddr << 32)) * 1000003u ^
           ((uint64_t)s->lport << 16 | s->rport);
}

static bool same_tuple(const ps_socket *a, const ps_socket *b)
{
    return a->laddr == b->laddr && a->lport == b->lport && a->raddr == b->raddr &&
           a->rport == b->rport;
}

static bool compare(uint64_t a, ps_cmp op, uint64_t b)
{
    switch (op) {
    case PS_CMP_EQ: return a == b;
    case PS_CMP_NE: return a != b;
    case PS_CMP_LT: return a < b;
    case PS_CMP_LE: return a <= b;
    case PS_CMP_GT: return a > b;
    case PS_CMP_GE: return a >= b;
    }
    return false;
}

static void describe_field(const ps_scenario *sc, const ps_socket *s, ps_field f, char *buf, size_t n)
{
    char a[PS_ENDPOINT_STRLEN], b[PS_ENDPOINT_STRLEN];
    bool v6 = ps_sock_v6(s);
    if (f == PS_FIELD_TUPLE)
        snprintf(buf, n, "%s -> %s", ps_sc_endpoint_str(sc, s->laddr, v6, s->lport, a),
                 ps_sc_endpoint_str(sc, s->raddr, v6, s->rport, b));
    else if (f == PS_FIELD_SADDR || f == PS_FIELD_DADDR)
        snprintf(buf, n, "%s", ps_sc_addr_str(sc, (ps_addr)field_value(s, f), v6, a));
    else
        snprintf(buf, n, "%llu", (unsigned long long)field_value(s, f));
}

/* `expect PAGE ...`: the page load's counts so far (sim/http.h). */
static bool page_eval(ps_engine *e, const ps_expect *x, const char *page, char *got, size_t n)
{
    static const char *const names[] = { "connections", "handshakes", "ports", "streams", "queued" };
    const ps_scenario *sc = ps_engine_scenario(e);
    ps_http_stats st = ps_engine_http_page(e, sc->socks[x->sock].action);
    if (x->page_field == PS_PAGE_DONE) {
        char tb[32], ab[32];
        const ps_action *act = &sc->actions[sc->socks[x->sock].action];
        if (st.done == PS_TIME_NEVER)
            snprintf(got, n, "%s is not done (%u of %u responses in)", page, st.responses, st.total);
        else
            snprintf(got, n, "%s was done at %s (%s after its fetch)", page, ps_time_str(st.done, tb),
                     ps_time_str(st.done - act->t, ab));
        return st.done != PS_TIME_NEVER && (x->value == PS_TIME_NEVER || st.done < x->value);
    }
    const uint32_t v[] = { st.connections, st.handshakes, st.ports, st.streams, st.queued };
    uint32_t f = (uint32_t)x->page_field;
    snprintf(got, n, "%s has %u %s", page, v[f], names[f]);
    return v[f] == x->value;
}

bool ps_expect_eval(ps_engine *e, const ps_expect *x, char *got, size_t n)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    const char *sname = x->sock != PS_NONE ? sc->socks[x->sock].name : NULL;
    const ps_socket *s = x->sock != PS_NONE ? ps_engine_named_last(e, x->sock) : NULL;
    switch (x->kind) {
    case PS_EXP_STATE: {
        bool live = ps_engine_named_socket(e, x->sock) != PS_NONE;
        ps_tcp_state st = live ? (ps_tcp_state)s->state : PS_CLOSED;
        snprintf(got, n, "%s is %s%s", sname, ps_state_name(st),
                 s ? "" : " (not created yet)");
        return st == x->state;
    }
    case PS_EXP_RECEIVED:
        snprintf(got, n, "%s has received %u datagram%s%s", sname, s ? s->rcv_nxt : 0u,
                 s && s->rcv_nxt == 1 ? "" : "s", s ? "" : " (not created yet)");
        return s && s->rcv_nxt == x->value;
    case PS_EXP_ERRNO: {
        if (!s) {
            snprintf(got, n, "%s was never created", sname);
            return false;
        }
        ps_errno err = ps_engine_named_error(e, x->sock);
        snprintf(got, n, "%s %s", sname, err == PS_OK ? "succeeded" : ps_errno_name(err));
        return err == x->err || (err != PS_OK && ((x->errs >> err) & 1u));
    }
    case PS_EXP_ACCEPTED_BY: {
        const char *want = sc->socks[x->rsock].name;
        uint32_t by = ps_engine_acceptor(e, x->sock);
        if (by == PS_NONE)
            snprintf(got, n, "%s was not accepted by any listener%s", sname, s ? "" : " (not created yet)");
        else if (by == PS_ACCEPTOR_UNNAMED)
            snprintf(got, n, "%s was accepted by a listener without a name, not %s", sname, want);
        else
            snprintf(got, n, "%s was accepted by %s", sname, sc->socks[by].name);
        return by == x->rsock;
    }
    case PS_EXP_SEGMENTS: {
        uint64_t c = ps_engine_segment_count(e, (uint32_t)(x - sc->expects));
        snprintf(got, n, "%llu such segment%s", (unsigned long long)c, c == 1 ? "" : "s");
        return c == x->value;
    }
    case PS_EXP_COMPARE: {
        const ps_socket *r = x->rsock != PS_NONE ? ps_engine_named_last(e, x->rsock) : NULL;
        if (!s || (x->rsock != PS_NONE && !r)) {
            snprintf(got, n, "%s was never created",
                     !s ? sname : sc->socks[x->rsock].name);
            return false;
        }
        char lv[2 * PS_ENDPOINT_STRLEN + 8], rv[2 * PS_ENDPOINT_STRLEN + 8];
        describe_field(sc, s, x->field, lv, sizeof lv);
        bool ok;
        if (r) {
            describe_field(sc, r, x->rfield, rv, sizeof rv);
            if (x->field == PS_FIELD_TUPLE)
                ok = (x->cmp == PS_CMP_EQ) == same_tuple(s, r);
            else
                ok = compare(field_value(s, x->field), x->cmp, field_value(r, x->rfield));
            snprintf(got, n, "%s.%s is %s, %s.%s is %s", sname, field_name(x->field), lv,
                     sc->socks[x->rsock].name, field_name(x->rfield), rv);
        } else {
            ok = compare(field_value(s, x->field), x->cmp, x->value);
            snprintf(got, n, "%s.%s is %s", sname, field_name(x->field), lv);
        }
        return ok;
    }
    case PS_EXP_PORT: {
        static const char *names[] = { "free", "listening", "used" };
        ps_port_state ps = x->udp ? ps_engine_udp_port_state(e, x->host, x->port)
                                  : ps_engine_port_state(e, x->host, x->port);
        snprintf(got, n, "%sport %u on %s is %s", x->udp ? "UDP " : "", x->port, sc->hosts[x->host].name,
                 names[ps]);
        return ps == x->port_state;
    }
    case PS_EXP_COUNT: {
        uint32_t c = ps_engine_state_count(e, x->host, x->state);
        snprintf(got, n, "%s has %u sockets in %s", sc->hosts[x->host].name, c,
                 ps_state_name(x->state));
        return c == x->value;
    }
    case PS_EXP_DISTINCT:
        return tuples_distinct(e, got, n);
    case PS_EXP_NAT: {
        const ps_nat *t = ps_engine_nat(e, x->host);
        uint32_t c = 0;
        /* translations only: conntrack's untranslated entries are not counted */
        for (uint32_t i = 0; t && i < t->n; i++)
            c += ps_nat_live(t, i, ps_engine_now(e)) && t->v[i].kind != PS_NAT_NONE;
        snprintf(got, n, "%s has %u translation entries", sc->hosts[x->host].name, c);
        return c == x->value;
    }
    case PS_EXP_PAGE:
        return page_eval(e, x, sname, got, n);
    case PS_EXP_KIND_COUNT:
        break;
    }
    snprintf(got, n, "unknown expectation");
    return false;
}

/* Orders expectations by time, untimed last, file order within a time. */
static int expect_order(const void *a, const void *b)
{
    const ps_expect *x = *(ps_expect *const *)a, *y = *(ps_expect *const *)b;
    ps_time tx = x->has_time ? x->t : PS_TIME_NEVER, ty = y->has_time ? y->t : PS_TIME_NEVER;
    if (tx != ty) return tx < ty ? -1 : 1;
    return x < y ? -1 : x > y;
}

void ps_check_tally(ps_check_counts *c, const char *suite, const char *name, const char *file,
                    uint32_t line, const char *failure)
{
    if (failure) c->failed++;
    else c->passed++;
    if (c->cases) ps_report_add(c->cases, suite, name, file, line, failure);
}

/* An error of the whole run (memory, limits): one failed check, "run". */
static void run_failed(ps_sbuf *report, ps_check_counts *counts, const ps_scenario *sc,
                       const char *why)
{
    ps_sbuf_printf(report, "%s: error: %s\n", sc->file, why);
    ps_check_tally(counts, sc->file, "run", NULL, 0, why);
}

static void tally_expect(ps_sbuf *report, ps_check_counts *counts, const ps_scenario *sc,
                         const ps_expect *x, bool ok, const char *got)
{
    const char *file = sc->expect_file ? sc->expect_file : sc->file;
    char tb[32], name[320], failure[640];
    snprintf(name, sizeof name, "expect %s", x->text);
    snprintf(failure, sizeof failure, "expect failed: %s (%s%s: %s)", x->text,
             x->has_time ? "at " : "at the end", x->has_time ? ps_time_str(x->t, tb) : "", got);
    if (!ok) ps_sbuf_printf(report, "%s:%u:%u: %s\n", file, x->pos.line, x->pos.col, failure);
    ps_check_tally(counts, sc->file, name, file, x->pos.line, ok ? NULL : failure);
}

static void tally_question(ps_sbuf *report, ps_check_counts *counts, const ps_scenario *sc,
                           const ps_question *qn, bool ok, const char *got)
{
    char name[320], failure[400];
    snprintf(name, sizeof name, "question %s", qn->id);
    snprintf(failure, sizeof failure, "question %s failed: %s", qn->id, got);
    if (!ok) ps_sbuf_printf(report, "%s:%u:%u: %s\n", sc->file, qn->pos.line, qn->pos.col, failure);
    ps_check_tally(counts, sc->file, name, sc->file, qn->pos.line, ok ? NULL : failure);
}

/* ---- capturing the trace ---- */

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define KEEP_MAX (PS_GOLDEN_DIGEST_OVER + 1)

static uint64_t fnv1a64_more(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

void ps_trace_capture_write(void *cookie, const char *data, size_t n)
{
    ps_trace_capture *c = cookie;
    c->digest = fnv1a64_more(c->digest, data, n);
    c->bytes += n;
    for (size_t i = 0; i < n; i++) c->lines += data[i] == '\n';
    size_t room = KEEP_MAX - c->kept, take = n < room ? n : room;
    if (take && !c->nomem) {
        memcpy(c->text + c->kept, data, take);
        c->kept += take;
        c->text[c->kept] = '\0';
    }
}

bool ps_trace_capture_open(ps_trace_capture *c)
{
    memset(c, 0, sizeof *c);
    c->digest = FNV_OFFSET;
    c->text = malloc(KEEP_MAX + 1);
    if (c->text) c->text[0] = '\0';
    else c->nomem = true;
    return c->text != NULL;
}

void ps_trace_capture_free(ps_trace_capture *c)
{
    free(c->text);
    memset(c, 0, sizeof *c);
}

void ps_check_run(const ps_scenario *sc, uint64_t seed, uint64_t max_steps, ps_sbuf *report,
                  ps_check_counts *counts, ps_trace_capture *cap)
{
    bool captured = ps_trace_capture_open(cap);
    ps_engine *e = captured ? ps_engine_new(sc, seed) : NULL;
    const ps_expect **order = malloc((sc->nexpects ? sc->nexpects : 1) * sizeof *order);
    ps_quiz quiz;
    bool quizzed = ps_quiz_init(&quiz, sc);
    ps_trace tr;
    ps_trace_init(&tr, PS_TRACE_TEXT, sc, seed, ps_trace_capture_write, cap);
    if (!captured || !e || !order || !quizzed) {
        run_failed(report, counts, sc, "out of memory");
        cap->incomplete = true;
        goto done;
    }
    ps_quiz_watch(&quiz, e, ps_trace_event, &tr);
    ps_shell_attach(e);
    ps_engine_set_max_steps(e, max_steps);
    for (uint32_t i = 0; i < sc->nexpects; i++) order[i] = &sc->expects[i];
    qsort(order, sc->nexpects, sizeof *order, expect_order);
    for (uint32_t i = 0; i < sc->nexpects; i++) {
        const ps_expect *x = order[i];
        if (x->has_time) ps_engine_run_until(e, x->t);
        else ps_engine_run(e);
        char got[256];
        bool ok = ps_expect_eval(e, x, got, sizeof got);
        tally_expect(report, counts, sc, x, ok, got);
    }
    ps_engine_run(e);
    ps_quiz_finish(&quiz, e);
    for (uint32_t i = 0; i < sc->nquestions; i++) {
        const ps_question *qn = &sc->questions[i];
        char got[256];
        bool ok = ps_quiz_check(qn, &quiz.answers[i], got, sizeof got);
        tally_question(report, counts, sc, qn, ok, got);
    }
    if (ps_engine_status(e) != PS_RUN_OK) {
        cap->incomplete = true;
        char why[256];
        snprintf(why, sizeof why, "the run stopped early: %s", ps_run_status_message(ps_engine_status(e)));
        run_failed(report, counts, sc, why);
    }
done:
    free(order);
    ps_quiz_free(&quiz);
    if (tr.nomem) {
        /* A line of the trace was lost: the golden comparison cannot hold. */
        run_failed(report, counts, sc, "out of memory while capturing the trace");
        cap->nomem = cap->incomplete = true;
    }
    ps_engine_free(e);
    ps_trace_free(&tr);
    if (cap->nomem) {
        bool incomplete = cap->incomplete;
        ps_trace_capture_free(cap);
        cap->nomem = true;
        cap->incomplete = incomplete;
    }
}

/* ---- golden traces ---- */

#define DIGEST_PREFIX "# portsim trace digest "

static char *digest_line(uint64_t digest, size_t lines, size_t bytes)
{
    char *line = malloc(128);
    if (line)
        snprintf(line, 128, DIGEST_PREFIX "fnv1a64=%016llx lines=%zu bytes=%zu\n",
                 (unsigned long long)digest, lines, bytes);
    return line;
}

char *ps_golden_for(const ps_trace_capture *cap)
{
    if (cap->bytes > PS_GOLDEN_DIGEST_OVER) return digest_line(cap->digest, cap->lines, cap->bytes);
    char *copy = malloc(cap->kept + 1);
    if (copy) memcpy(copy, cap->text, cap->kept + 1);
    return copy;
}

/* Copies line `s` (up to its newline) into buf. */
static void copy_line(const char *s, const char *end, char *buf, size_t n)
{
    size_t len = 0;
    while (s + len < end && s[len] != '\n') len++;
    if (len >= n) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
}

static size_t count_lines(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += s[i] == '\n';
    return c;
}

size_t ps_golden_compare(const char *golden, size_t glen, const ps_trace_capture *cap,
                         char *want_line, char *got_line, size_t line_size)
{
    if (glen >= sizeof DIGEST_PREFIX - 1 && memcmp(golden, DIGEST_PREFIX, sizeof DIGEST_PREFIX - 1) == 0) {
        char *mine = ps_golden_for(cap);
        size_t differs = !mine || strlen(mine) != glen || memcmp(mine, golden, glen) != 0;
        if (differs) {
            copy_line(golden, golden + glen, want_line, line_size);
            copy_line(mine ? mine : "", mine ? mine + strlen(mine) : "", got_line, line_size);
        }
        free(mine);
        return differs;
    }
    const char *g = golden, *t = cap->text, *gend = golden + glen, *tend = cap->text + cap->kept;
    bool whole = cap->kept == cap->bytes; /* else only the first bytes were kept */
    for (size_t line = 1;; line++) {
        const char *gn = memchr(g, '\n', (size_t)(gend - g));
        const char *tn = memchr(t, '\n', (size_t)(tend - t));
        if (!whole && !tn) {
            /* Past what was kept: the rest can only be judged by digest. */
            if (fnv1a64_more(FNV_OFFSET, golden, glen) == cap->digest && glen == cap->bytes) return 0;
            snprintf(want_line, line_size, "%zu more lines", count_lines(g, (size_t)(gend - g)));
            snprintf(got_line, line_size, "%zu more lines, not the same", cap->lines - line + 1);
            return line;
        }
        if (g >= gend && t >= tend) return 0;
        size_t gl = g < gend ? (size_t)((gn ? gn : gend) - g) : 0;
        size_t tl = t < tend ? (size_t)((tn ? tn : tend) - t) : 0;
        if (g >= gend || t >= tend || gl != tl || memcmp(g, t, gl) != 0) {
            if (g < gend) copy_line(g, gend, want_line, line_size);
            else snprintf(want_line, line_size, "<end of file>");
            if (t < tend) copy_line(t, tend, got_line, line_size);
            else snprintf(got_line, line_size, "<end of trace>");
            return line;
        }
        g = gn ? gn + 1 : gend;
        t = tn ? tn + 1 : tend;
    }
}
