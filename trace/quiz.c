/* quiz.c — answering `ask` lines by watching a run, and grading (quiz.h). */
#include "quiz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"
#include "units.h"

/* A question an event answers (which-socket, which-result HOST listen),
 * under the key of what it watches. Sorted by (key, time, question), the
 * questions of one key form a run whose unanswered ones are a suffix: an
 * event answers every one asked at or before it. */
typedef struct ps_quiz_watcher {
    uint64_t key;
    ps_time t;
    uint32_t question;
    uint32_t next; /* at a run's first entry: the run's first unanswered entry */
} ps_quiz_watcher;

_Static_assert(PS_MAX_CHOICES <= 9, "a choice number is one digit (ps_quiz_grade)");

#define LISTEN_MATCH 0xffu /* the match byte of a listen key; segment matches are < 8 */

static uint64_t segment_key(ps_addr addr, uint16_t port, unsigned match)
{
    return (uint64_t)addr << 32 | (uint32_t)port << 8 | match;
}

static uint64_t listen_key(uint32_t host)
{
    return (uint64_t)host << 32 | LISTEN_MATCH;
}

static int watch_order(const void *a, const void *b)
{
    const ps_quiz_watcher *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->question < y->question ? -1 : x->question > y->question;
}

bool ps_quiz_init(ps_quiz *q, const ps_scenario *sc)
{
    memset(q, 0, sizeof *q);
    q->sc = sc;
    if (sc->nquestions == 0) return true;
    q->answers = calloc(sc->nquestions, sizeof *q->answers);
    q->watch = malloc(sc->nquestions * sizeof *q->watch);
    if (!q->answers || !q->watch) {
        ps_quiz_free(q);
        return false;
    }
    for (uint32_t i = 0; i < sc->nquestions; i++) {
        const ps_question *qn = &sc->questions[i];
        uint64_t key;
        if (qn->kind == PS_Q_SOCKET) key = segment_key(qn->addr, qn->port, qn->match);
        else if (qn->kind == PS_Q_RESULT && qn->sock == PS_NONE) key = listen_key(qn->host);
        else continue;
        q->watch[q->nwatch++] = (ps_quiz_watcher){ key, qn->t, i, 0 };
    }
    qsort(q->watch, q->nwatch, sizeof *q->watch, watch_order);
    for (uint32_t i = 0; i < q->nwatch; i++) q->watch[i].next = i;
    return true;
}

void ps_quiz_free(ps_quiz *q)
{
    free(q->answers);
    free(q->watch);
    memset(q, 0, sizeof *q);
}

/* Answers the questions watching `key` that were asked at or before t;
 * text and alt must outlive the quiz. */
static void answer_watchers(ps_quiz *q, uint64_t key, ps_time t, const char *text, const char *alt)
{
    uint32_t lo = 0, hi = q->nwatch;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (q->watch[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    if (lo == q->nwatch || q->watch[lo].key != key) return;
    uint32_t i = q->watch[lo].next;
    for (; i < q->nwatch && q->watch[i].key == key && q->watch[i].t <= t; i++) {
        ps_quiz_answer *a = &q->answers[q->watch[i].question];
        a->known = true;
        a->text = text;
        snprintf(a->alt, sizeof a->alt, "%s", alt);
    }
    q->watch[lo].next = i;
}

/* Does an arriving segment match what a which-socket question names? */
static bool segment_matches(const ps_event *ev, ps_segment_match m)
{
    switch (m) {
    case PS_MATCH_SYN: return ev->flags == PS_SYN;
    case PS_MATCH_ACK: return ev->flags == PS_ACK && ev->len == 0;
    case PS_MATCH_DATA: return ev->len > 0;
    case PS_MATCH_FIN: return (ev->flags & PS_FIN) != 0;
    case PS_MATCH_ANY: return true;
    case PS_MATCH_COUNT: break;
    }
    return false;
}

static void watch_event(void *ctx, const ps_event *ev)
{
    ps_quiz *q = ctx;
    if (q->nwatch > 0 && ev->kind == PS_EV_DELIVER) {
        /* The demux decision: the socket's name when it has one, else what
         * kind of socket took it; nobody is the RST the host answers with.
         * The name is taken from the scenario, which outlives the quiz. */
        const char *kind = ev->to == PS_TO_LISTENER ? "listener" : "connection";
        uint32_t name = ev->socket != PS_NONE ? ps_engine_socket(q->engine, ev->socket)->name : PS_NONE;
        const char *text = ev->to == PS_TO_NONE ? "RST" : name != PS_NONE ? q->sc->socks[name].name : kind;
        const char *alt = ev->to == PS_TO_NONE ? "" : kind;
        for (unsigned m = 0; m < PS_MATCH_COUNT; m++)
            if (segment_matches(ev, (ps_segment_match)m))
                answer_watchers(q, segment_key(ev->dst_addr, ev->dst_port, m), ev->t, text, alt);
    } else if (q->nwatch > 0 && ev->kind == PS_EV_LISTEN) {
        answer_watchers(q, listen_key(ev->host), ev->t, "OK", "");
    } else if (q->nwatch > 0 && ev->kind == PS_EV_ERROR && ev->op && strcmp(ev->op, "listen") == 0) {
        answer_watchers(q, listen_key(ev->host), ev->t, ps_errno_name(ev->err), "");
    }
    if (q->sink) q->sink(q->sink_ctx, ev);
}

void ps_quiz_watch(ps_quiz *q, ps_engine *e, ps_event_fn sink, void *ctx)
{
    q->engine = e;
    q->sink = sink;
    q->sink_ctx = ctx;
    ps_engine_set_sink(e, watch_event, q);
}

static const char *match_name(ps_segment_match m)
{
    static const char *const names[] = { "SYN", "bare ACK", "segment with data", "FIN", "segment" };
    return m < PS_MATCH_COUNT ? names[m] : "segment";
}

/* A named socket's result and ports are fixed when it is made, so the end
 * of the run knows them whether it was made before the question or after. */
static void named_answer(const ps_scenario *sc, const ps_question *qn, ps_engine *e,
                         ps_quiz_answer *a)
{
    const ps_socket *s = ps_engine_named_last(e, qn->sock);
    if (!s) {
        snprintf(a->why, sizeof a->why, "%s is never created", sc->socks[qn->sock].name);
        return;
    }
    a->known = true;
    a->text = a->buf;
    ps_errno err = ps_engine_named_error(e, qn->sock);
    if (qn->kind == PS_Q_PORT)
        snprintf(a->buf, sizeof a->buf, "%u", qn->field == PS_FIELD_SPORT ? s->lport : s->rport);
    else
        snprintf(a->buf, sizeof a->buf, "%s", err == PS_OK ? "OK" : ps_errno_name(err));
}

void ps_quiz_finish(ps_quiz *q, ps_engine *e)
{
    const ps_scenario *sc = q->sc;
    for (uint32_t i = 0; i < sc->nquestions; i++) {
        const ps_question *qn = &sc->questions[i];
        ps_quiz_answer *a = &q->answers[i];
        char tb[32], ab[PS_ENDPOINT_STRLEN];
        if (qn->kind == PS_Q_CHOICE) {
            a->known = true;
            a->text = qn->answer;
        } else if (qn->sock != PS_NONE) {
            named_answer(sc, qn, e, a);
        } else if (!a->known && qn->kind == PS_Q_SOCKET) {
            snprintf(a->why, sizeof a->why, "no %s reached %s from %s on", match_name(qn->match),
                     ps_sc_endpoint_str(sc, qn->addr, false, qn->port, ab), ps_time_str(qn->t, tb));
        } else if (!a->known) {
            snprintf(a->why, sizeof a->why, "nothing on %s calls listen() from %s on",
                     sc->hosts[qn->host].name, ps_time_str(qn->t, tb));
        }
    }
}

bool ps_quiz_compute(ps_quiz *q, const ps_scenario *sc, uint64_t seed, uint64_t max_steps,
                     ps_run_status *status)
{
    ps_engine *e = ps_quiz_init(q, sc) ? ps_engine_new(sc, seed) : NULL;
    if (!e) {
        ps_quiz_free(q);
        return false;
    }
    ps_quiz_watch(q, e, NULL, NULL);
    ps_shell_attach(e);
    ps_engine_set_max_steps(e, max_steps);
    ps_engine_run(e);
    ps_quiz_finish(q, e);
    *status = ps_engine_status(e);
    ps_engine_free(e);
    if (*status == PS_RUN_NOMEM) ps_quiz_free(q);
    return *status != PS_RUN_NOMEM;
}

/* s[0..len) without blanks around it. */
static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
        (*len)--;
}

static bool same_words(const char *a, const char *s, size_t len)
{
    if (a[0] == '\0' || strlen(a) != len) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)s[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

static bool is_answer(const ps_quiz_answer *a, const char *s, size_t len)
{
    return a->known && (same_words(a->text, s, len) || same_words(a->alt, s, len));
}

bool ps_quiz_grade(const ps_question *qn, const ps_quiz_answer *a, const char *reply, size_t len)
{
    trim(&reply, &len);
    /* At most 9 choices, so a choice number is one digit. */
    unsigned pick = len == 1 && reply[0] >= '1' && reply[0] <= '9' ? (unsigned)(reply[0] - '0') : 0;
    if (pick >= 1 && pick <= qn->nchoices) {
        const char *c = qn->choices[pick - 1];
        return is_answer(a, c, strlen(c));
    }
    return is_answer(a, reply, len);
}

bool ps_quiz_check(const ps_question *qn, const ps_quiz_answer *a, char *got, size_t n)
{
    if (!a->known) {
        snprintf(got, n, "no answer: %s", a->why);
        return false;
    }
    uint32_t right = 0, first = 0;
    for (uint32_t i = 0; i < qn->nchoices; i++)
        if (is_answer(a, qn->choices[i], strlen(qn->choices[i])) && right++ == 0) first = i + 1;
    if (qn->nchoices == 0) snprintf(got, n, "the answer is %s", a->text);
    else if (right == 1) snprintf(got, n, "the answer is %s, choice %u", a->text, first);
    else if (right == 0) snprintf(got, n, "the answer %s is none of the choices", a->text);
    else snprintf(got, n, "the answer %s matches %u of the choices", a->text, right);
    return qn->nchoices == 0 || right == 1;
}
