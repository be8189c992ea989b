/* http.c — page loads over the engine's TCP (http.h): the browser side of
 * `fetch` (connection pool, request queue, HTTP/2 streams), the `serve`
 * side (parsing requests, pacing response segments), their trace events,
 * and the counts `expect PAGE ...` reads.
 *
 * tcp.c hands over what concerns HTTP sockets (PS_SOCKX_HTTP_*): a client
 * connection's handshake completing (ps__http_established) and data on an
 * established HTTP connection (ps__http_input); engine_sock.c reports a
 * socket going away (ps__http_released); engine.c runs the sending tick
 * (EVT_HTTP). Payload texts are interned here and live until the engine is
 * freed, since segments in flight point at them. */
#include "http.h"

#include "engine_internal.h"
#include "mem.h"
#include "sbuf.h"
#include "units.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NOT_FOUND 0xffffu /* a path the server does not have */

enum { CONN_CONNECTING = 1, CONN_IDLE, CONN_BUSY, CONN_GONE };

typedef struct http_conn {
    uint32_t sock;   /* engine socket while it lives, else PS_NONE */
    uint8_t state;   /* CONN_* */
    uint16_t req;    /* HTTP/1.1: the request in flight */
    uint32_t left;   /* HTTP/1.1: body bytes still to come; PS_NONE before the head */
} http_conn;

typedef struct http_page {
    uint32_t action;
    const char *name;          /* `as PAGE`, or "page" */
    bool h2, page_in;          /* page_in: the page itself has arrived */
    uint8_t pool, nconns;
    uint16_t next_req;         /* HTTP/1.1: next resource to send (1..N; N+1: all sent) */
    uint16_t qmark;            /* HTTP/1.1: requests up to this one were counted as queued */
    http_conn conns[PS_HTTP_MAX_POOL];
    uint16_t ports[PS_HTTP_MAX_POOL];
    uint8_t got[PS_HTTP_MAX_RESOURCES + 1]; /* responses received, by request number */
    ps_time queued_at[PS_HTTP_MAX_RESOURCES + 1]; /* when a request began to wait, or 0 */
    uint8_t queued[PS_HTTP_MAX_RESOURCES + 1];   /* 1: it waited for a busy connection */
    ps_http_stats st;
} http_page;

typedef struct pending {       /* a response a server is sending */
    uint32_t sock;
    uint16_t host;
    uint16_t path;             /* request number (0 = the page), or NOT_FOUND */
    uint32_t stream;           /* HTTP/2 stream id, 0 for HTTP/1.1 */
    uint8_t part, parts;       /* next part to send (1-based), how many */
} pending;

struct ps_http {
    http_page *pages;
    uint32_t npages;
    uint32_t *page_of_action;  /* per action: its page, or PS_NONE */
    ps_table by_sock;          /* client socket -> page * PS_HTTP_MAX_POOL + conn */
    pending *pend;             /* responses in progress, in turn order */
    uint32_t npend, pendcap;
    bool tick_armed;
    char **texts;              /* interned payloads */
    uint32_t ntexts, textcap;
    ps_table text_index;
    ps_sbuf scratch;           /* a payload being formatted */
    ps_sbuf note;              /* an event's text being formatted */
};

/* ---- payload texts ---- */

static uint32_t text_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return ps_hash64(h);
}

static bool text_eq(const void *ctx, uint32_t v, const void *key)
{
    return strcmp(((char *const *)ctx)[v], key) == 0;
}

/* The one stable copy of a formatted payload, or NULL (out of memory: the
 * run is stopped). The texts a run can make are bounded: paths, parts and
 * stream ids are all capped. */
static const char *intern(ps_engine *e, const char *fmt, ...) PS_PRINTF(2, 3);
static const char *intern(ps_engine *e, const char *fmt, ...)
{
    struct ps_http *h = e->http;
    va_list ap;
    ps_sbuf_clear(&h->scratch);
    va_start(ap, fmt);
    ps_sbuf_vprintf(&h->scratch, fmt, ap);
    va_end(ap);
    if (h->scratch.failed) {
        ps__nomem(e);
        return NULL;
    }
    const char *buf = h->scratch.s;
    uint32_t hash = text_hash(buf);
    uint32_t i = ps_table_find(&h->text_index, hash, text_eq, h->texts, buf);
    if (i != PS_NONE) return h->texts[i];
    char *copy = ps_strdup(buf);
    if (!copy || !ps_grow(&h->texts, &h->textcap, (size_t)h->ntexts + 1, sizeof *h->texts) ||
        !ps_table_insert(&h->text_index, hash, h->ntexts)) {
        free(copy);
        ps__nomem(e);
        return NULL;
    }
    h->texts[h->ntexts] = copy;
    return h->texts[h->ntexts++];
}

char *ps_http_path(uint32_t r, char *buf)
{
    PS_ASSERT(r <= PS_HTTP_MAX_RESOURCES);
    if (r == 0) {
        memcpy(buf, "/", 2);
        return buf;
    }
    char digits[4];
    size_t n = 0;
    for (; r; r /= 10) digits[n++] = (char)('0' + r % 10);
    memcpy(buf, "/img/", 5);
    for (size_t i = 0; i < n; i++) buf[5 + i] = digits[n - 1 - i];
    memcpy(buf + 5 + n, ".png", 5);
    return buf;
}

/* The request number of a path, or NOT_FOUND. */
static uint32_t request_of(const char *p, size_t len)
{
    if (len == 1 && p[0] == '/') return 0;
    if (len < 10 || memcmp(p, "/img/", 5) != 0 || memcmp(p + len - 4, ".png", 4) != 0)
        return NOT_FOUND;
    uint32_t r = 0;
    for (size_t i = 5; i < len - 4; i++) {
        if (p[i] < '0' || p[i] > '9' || r > PS_HTTP_MAX_RESOURCES) return NOT_FOUND;
        r = r * 10 + (uint32_t)(p[i] - '0');
    }
    return r >= 1 && r <= PS_HTTP_MAX_RESOURCES && p[5] != '0' ? r : NOT_FOUND;
}

/* Reads decimal digits at s (at most 9): the number, or PS_NONE. */
static uint32_t read_num(const char *s)
{
    uint32_t v = 0;
    int n = 0;
    while (s[n] >= '0' && s[n] <= '9' && n < 9) v = v * 10 + (uint32_t)(s[n++] - '0');
    return n == 0 ? PS_NONE : v;
}

/* What the payload carries besides its tag: a GET, or a piece of a body
 * ("(part 1/2 of ...)"). */
static ps_http_tag payload_content(const char *payload, ps_http_tag t)
{
    t.get = strstr(payload, "GET /") != NULL;
    const char *p = strstr(payload, "(part ");
    if (p && p[6] >= '1' && p[6] <= '9' && p[7] == '/' && p[8] >= '1' && p[8] <= '9') {
        t.part = (uint8_t)(p[6] - '0');
        t.parts = (uint8_t)(p[8] - '0');
    }
    return t;
}

ps_http_tag ps_http_payload_tag(const char *payload)
{
    ps_http_tag t = { PS_HTTP_TAG_NONE, 0, false, 0, 0 };
    if (!payload) return t;
    t = payload_content(payload, t);
    const char *s = strstr(payload, "stream=");
    if (s && (t.n = read_num(s + 7)) != PS_NONE) {
        t.kind = PS_HTTP_TAG_STREAM;
        return t;
    }
    if ((s = strstr(payload, "/img/")) != NULL && (t.n = read_num(s + 5)) != PS_NONE) {
        t.kind = PS_HTTP_TAG_REQUEST;
        return t;
    }
    if (strncmp(payload, "GET / ", 6) == 0 || strstr(payload, " of /)")) {
        t.kind = PS_HTTP_TAG_REQUEST;
        t.n = 0;
        return t;
    }
    t.n = 0;
    return t;
}

ps_http_tag ps_engine_http_segment_tag(const ps_engine *e, const ps_segment *g)
{
    ps_http_tag none = { PS_HTTP_TAG_NONE, 0, false, 0, 0 };
    const struct ps_http *h = e->http;
    if (!h || !g->payload) return none;
    uint32_t i = ps_table_find(&h->text_index, text_hash(g->payload), text_eq, h->texts, g->payload);
    return i != PS_NONE && h->texts[i] == g->payload ? ps_http_payload_tag(g->payload) : none;
}

void ps__http_tag_event(const ps_engine *e, uint32_t s, ps_event *ev)
{
    if (s == PS_NONE || !(e->socks[s].xflags & (PS_SOCKX_HTTP_CLIENT | PS_SOCKX_HTTP_SERVER))) return;
    ps_http_tag t = ps_http_payload_tag(ev->text);
    ev->http_tag = (uint8_t)t.kind;
    if (t.kind == PS_HTTP_TAG_STREAM) ev->stream = t.n;
    else ev->request = t.n;
}

/* ---- life cycle ---- */

bool ps__http_init(ps_engine *e)
{
    const ps_scenario *sc = e->sc;
    uint32_t n = 0, serve = 0;
    for (uint32_t a = 0; a < sc->nactions; a++) {
        n += sc->actions[a].kind == PS_ACT_FETCH;
        serve += sc->actions[a].serve_parts != 0;
    }
    if (n == 0 && serve == 0) return true; /* no HTTP socket can exist: e->http stays NULL */
    struct ps_http *h = calloc(1, sizeof *h);
    if (!h) return false;
    e->http = h;
    ps_table_init(&h->by_sock);
    ps_table_init(&h->text_index);
    if (n == 0) return true;
    PS_ASSERT(n <= PS_HTTP_MAX_PAGES);
    h->pages = calloc(n, sizeof *h->pages);
    h->page_of_action = malloc((size_t)sc->nactions * sizeof *h->page_of_action);
    if (!h->pages || !h->page_of_action) return false;
    for (uint32_t a = 0; a < sc->nactions; a++) {
        const ps_action *act = &sc->actions[a];
        h->page_of_action[a] = PS_NONE;
        if (act->kind != PS_ACT_FETCH) continue;
        http_page *pg = &h->pages[h->npages];
        h->page_of_action[a] = h->npages++;
        pg->action = a;
        pg->name = act->sock != PS_NONE ? sc->socks[act->sock].name : "page";
        pg->h2 = act->http == 2;
        pg->pool = pg->h2 ? 1 : act->pool;
        pg->next_req = 1;
        pg->st.total = 1u + act->resources;
        pg->st.done = PS_TIME_NEVER;
        PS_ASSERT(pg->pool >= 1 && pg->pool <= PS_HTTP_MAX_POOL && act->resources <= PS_HTTP_MAX_RESOURCES);
    }
    return true;
}

void ps__http_free(ps_engine *e)
{
    struct ps_http *h = e->http;
    if (!h) return;
    for (uint32_t i = 0; i < h->ntexts; i++) free(h->texts[i]);
    free(h->texts);
    ps_table_free(&h->text_index);
    ps_table_free(&h->by_sock);
    free(h->pend);
    ps_sbuf_free(&h->scratch);
    ps_sbuf_free(&h->note);
    free(h->pages);
    free(h->page_of_action);
    free(h);
    e->http = NULL;
}

ps_http_stats ps_engine_http_page(const ps_engine *e, uint32_t action)
{
    ps_http_stats none;
    memset(&none, 0, sizeof none);
    none.done = PS_TIME_NEVER;
    const struct ps_http *h = e->http;
    if (!h || !h->page_of_action || action >= e->sc->nactions || h->page_of_action[action] == PS_NONE)
        return none;
    return h->pages[h->page_of_action[action]].st;
}

/* ---- events ---- */

static void http_event(ps_engine *e, const http_page *pg, uint32_t s, const char *op,
                       uint32_t stream, uint32_t request, const char *fmt, ...) PS_PRINTF(7, 8);
static void http_event(ps_engine *e, const http_page *pg, uint32_t s, const char *op,
                       uint32_t stream, uint32_t request, const char *fmt, ...)
{
    if (ps__quiet(e)) return;
    ps_sbuf *text = &e->http->note;
    va_list ap;
    ps_sbuf_clear(text);
    va_start(ap, fmt);
    ps_sbuf_vprintf(text, fmt, ap);
    va_end(ap);
    if (text->failed) {
        ps__nomem(e);
        return;
    }
    ps_event ev;
    if (s != PS_NONE) {
        ev = ps__sock_event(e, PS_EV_HTTP, s);
        ev.sock = NULL;
    } else { /* a page step before any of its connections lives */
        const ps_action *act = &e->sc->actions[pg->action];
        ev = ps__proc_event(e, PS_EV_HTTP, act->proc, PS_NONE);
        ev.has_dst = true;
        ev.dst_addr = act->addr;
        ev.dst_port = act->port;
    }
    ev.op = op;
    ev.page = pg ? pg->name : NULL;
    ev.stream = stream;
    ev.request = request;
    ev.text = text->s;
    ps__emit(e, &ev);
}

/* ---- the browser ---- */

static bool sock_eq(const void *ctx, uint32_t v, const void *key)
{
    const struct ps_http *h = ctx;
    return h->pages[v / PS_HTTP_MAX_POOL].conns[v % PS_HTTP_MAX_POOL].sock == *(const uint32_t *)key;
}

/* The page connection of client socket s: its key, or PS_NONE. */
static uint32_t conn_of(const ps_engine *e, uint32_t s)
{
    return ps_table_find(&e->http->by_sock, ps_hash64(s), sock_eq, e->http, &s);
}

/* Opens the page's next connection. False if connect failed (the engine
 * reported why) or the pool is full. */
static bool open_conn(ps_engine *e, http_page *pg)
{
    struct ps_http *h = e->http;
    const ps_action *act = &e->sc->actions[pg->action];
    if (pg->nconns >= pg->pool || e->status != PS_RUN_OK) return false;
    uint32_t k = pg->nconns;
    uint32_t s, saved = e->cur_action;
    /* The connection belongs to the fetch line, whichever step opens it
     * (verify replays it as that line's). */
    e->cur_action = pg->action;
    ps_errno err = ps_engine_connect(e, act->proc, act->addr, act->port, 0,
                                     k == 0 ? act->sock : PS_NONE, &s);
    e->cur_action = saved;
    if (err != PS_OK || s == PS_NONE) return false;
    uint32_t key = (uint32_t)(pg - h->pages) * PS_HTTP_MAX_POOL + k;
    if (!ps_table_insert(&h->by_sock, ps_hash64(s), key)) {
        ps__nomem(e);
        return false;
    }
    e->socks[s].xflags |= PS_SOCKX_HTTP_CLIENT;
    pg->conns[k] = (http_conn){ s, CONN_CONNECTING, 0, PS_NONE };
    pg->nconns++;
    pg->st.handshakes++;
    uint16_t port = e->socks[s].lport;
    bool seen = false;
    for (uint32_t i = 0; i < pg->st.ports; i++) seen |= pg->ports[i] == port;
    if (!seen) pg->ports[pg->st.ports++] = port;
    return true;
}

#ifdef PS_CHECKS
/* Whether a connection may still send: its socket established and not
 * closed by the program. Always so for an idle or busy connection: tcp.c
 * hands over data only on an established socket, and once the program
 * closes one (or dies) nothing reaches this module for it again. */
static bool conn_open(const ps_engine *e, const http_conn *c)
{
    return c->sock != PS_NONE && e->socks[c->sock].state == PS_ESTABLISHED &&
           !(e->socks[c->sock].flags & PS_SOCK_ORPHAN);
}
#endif

/* HTTP/1.1: request r goes out on connection k. */
static void h1_send(ps_engine *e, http_page *pg, uint32_t k, uint32_t r)
{
    http_conn *c = &pg->conns[k];
    PS_ASSERT(conn_open(e, c));
    char path[32], host[16];
    ps_http_path(r, path);
    ps_addr_str(e->sc->actions[pg->action].addr, host);
    const char *text = intern(e, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host);
    if (!text) return;
    c->state = CONN_BUSY;
    c->req = (uint16_t)r;
    c->left = PS_NONE;
    char tb[32] = "";
    if (pg->queued[r]) ps_time_str(e->now - pg->queued_at[r], tb);
    http_event(e, pg, c->sock, "request", 0, r, "GET %s on connection %u%s%s", path, k + 1,
               pg->queued[r] ? ", after waiting " : "", tb);
    ps__tcp_output(e, c->sock, PS_PSH | PS_ACK, text);
}

/* HTTP/1.1 after the page: idle connections take the waiting requests,
 * new connections open while the pool has room, the rest wait. */
static void h1_dispatch(ps_engine *e, http_page *pg)
{
    uint32_t n = e->sc->actions[pg->action].resources;
    for (uint32_t k = 0; k < pg->nconns && pg->next_req <= n; k++)
        if (pg->conns[k].state == CONN_IDLE) h1_send(e, pg, k, pg->next_req++);
    uint32_t connecting = 0;
    for (uint32_t k = 0; k < pg->nconns; k++) connecting += pg->conns[k].state == CONN_CONNECTING;
    uint32_t waiting = n + 1 - pg->next_req;
    while (waiting > connecting && open_conn(e, pg)) connecting++;
    /* Requests no new connection is coming for wait for a busy one. */
    for (uint32_t r = pg->next_req + connecting; r <= n; r++) {
        if (r <= pg->qmark) continue;
        pg->qmark = (uint16_t)r;
        pg->queued[r] = 1;
        pg->queued_at[r] = e->now;
        pg->st.queued++;
        char path[32];
        ps_http_path(r, path);
        http_event(e, pg, PS_NONE, "queued", 0, r, "GET %s waits: all %u connections are busy",
                   path, pg->nconns);
    }
}

/* HTTP/2: request r on its own stream, 2r+1. */
static void h2_send(ps_engine *e, http_page *pg, uint32_t r)
{
    http_conn *c = &pg->conns[0];
    PS_ASSERT(conn_open(e, c));
    char path[32];
    ps_http_path(r, path);
    uint32_t stream = 2 * r + 1;
    const char *text = intern(e, "%s[HEADERS stream=%u END_STREAM] GET %s",
                              r == 0 ? "[PREFACE] " : "", stream, path);
    if (!text) return;
    c->state = CONN_BUSY;
    pg->st.streams++;
    http_event(e, pg, c->sock, "request", stream, r, "GET %s on stream %u", path, stream);
    ps__tcp_output(e, c->sock, PS_PSH | PS_ACK, text);
}

static void page_response(ps_engine *e, http_page *pg, uint32_t k, uint32_t r, uint32_t stream)
{
    char path[32];
    ps_http_path(r, path);
    pg->got[r] = 1;
    pg->st.responses++;
    http_event(e, pg, pg->conns[k].sock, "response", stream, r, "%s complete (%u of %u)", path,
               pg->st.responses, pg->st.total);
    if (pg->st.responses == pg->st.total) {
        pg->st.done = e->now;
        char tb[32];
        http_event(e, pg, pg->conns[k].sock, "done", 0, 0,
                   "page and %u resources in %s over %u connection%s", pg->st.total - 1,
                   ps_time_str(e->now - e->sc->actions[pg->action].t, tb), pg->st.connections,
                   pg->st.connections == 1 ? "" : "s");
    }
}

void ps__http_fetch(ps_engine *e, uint32_t action)
{
    struct ps_http *h = e->http;
    http_page *pg = &h->pages[h->page_of_action[action]];
    const ps_action *act = &e->sc->actions[action];
    if (pg->h2)
        http_event(e, pg, PS_NONE, "fetch", 0, 0, "%s: the page and %u resources over HTTP/2, one connection",
                   act->target, (unsigned)act->resources);
    else
        http_event(e, pg, PS_NONE, "fetch", 0, 0,
                   "%s: the page and %u resources over HTTP/1.1 keep-alive, up to %u connections",
                   act->target, (unsigned)act->resources, (unsigned)pg->pool);
    open_conn(e, pg);
}

void ps__http_established(ps_engine *e, uint32_t s)
{
    uint32_t key = conn_of(e, s);
    PS_ASSERT(key != PS_NONE);
    http_page *pg = &e->http->pages[key / PS_HTTP_MAX_POOL];
    uint32_t k = key % PS_HTTP_MAX_POOL;
    pg->st.connections++;
    pg->conns[k].state = CONN_IDLE;
    uint32_t n = e->sc->actions[pg->action].resources;
    /* The first request rides on the handshake's last ACK. */
    if (!pg->page_in && k == 0) pg->h2 ? h2_send(e, pg, 0) : h1_send(e, pg, 0, 0);
    else if (!pg->h2 && pg->next_req <= n) h1_send(e, pg, k, pg->next_req++);
    else ps__tcp_output(e, s, PS_ACK, NULL);
}

/* HTTP/1.1: a segment of the response on connection k. True when the
 * response is complete. */
static bool h1_input(http_conn *c, const char *p, uint32_t len)
{
    if (c->state != CONN_BUSY) return false;
    if (c->left == PS_NONE) {
        const char *cl = strstr(p, "Content-Length: ");
        const char *body = strstr(p, "\r\n\r\n");
        if (strncmp(p, "HTTP/1.1 ", 9) != 0 || !cl || !body) return false;
        uint32_t total = read_num(cl + 16);
        uint32_t got = (uint32_t)(len - (uint32_t)(body + 4 - p));
        if (total == PS_NONE) return false;
        c->left = got >= total ? 0 : total - got;
    } else {
        c->left = len >= c->left ? 0 : c->left - len;
    }
    return c->left == 0;
}

static void client_input(ps_engine *e, uint32_t s, const ps_segment *sg)
{
    uint32_t key = conn_of(e, s);
    PS_ASSERT(key != PS_NONE);
    http_page *pg = &e->http->pages[key / PS_HTTP_MAX_POOL];
    uint32_t k = key % PS_HTTP_MAX_POOL, n = e->sc->actions[pg->action].resources;
    http_conn *c = &pg->conns[k];
    uint32_t before = e->socks[s].snd_nxt;
    if (!pg->h2) {
        if (h1_input(c, sg->payload, sg->len)) {
            uint32_t r = c->req;
            c->state = CONN_IDLE;
            if (!pg->got[r]) page_response(e, pg, k, r, 0);
            if (r == 0) pg->page_in = true;
            if (pg->page_in) h1_dispatch(e, pg);
        }
    } else {
        ps_http_tag t = ps_http_payload_tag(sg->payload);
        uint32_t r = (t.n - 1) / 2;
        if (t.kind == PS_HTTP_TAG_STREAM && t.n % 2 == 1 && r <= n && !pg->got[r] &&
            strstr(sg->payload, "END_STREAM")) {
            page_response(e, pg, k, r, t.n);
            if (r == 0) {
                pg->page_in = true;
                for (uint32_t q = 1; q <= n && e->status == PS_RUN_OK; q++) h2_send(e, pg, q);
            }
        }
    }
    /* Data wants an ACK; a request sent just now carried it. */
    if (e->socks[s].live && e->socks[s].snd_nxt == before) ps__tcp_output(e, s, PS_ACK, NULL);
}

/* ---- the server ---- */

static void arm_tick(ps_engine *e)
{
    struct ps_http *h = e->http;
    if (h->tick_armed) return;
    /* At this same instant, after the arrivals already queued for it, so
     * requests that arrive together interleave from the first segment. */
    if (!ps_evq_push(&e->q, e->now, EVT_PACK(EVT_HTTP, 0, 0))) {
        ps__nomem(e);
        return;
    }
    h->tick_armed = true;
}

static void server_input(ps_engine *e, uint32_t s, const ps_segment *sg)
{
    struct ps_http *h = e->http;
    const ps_socket *sk = &e->socks[s];
    const char *p = sg->payload;
    uint32_t stream = 0;
    const char *get = NULL;
    const char *hs = strstr(p, "[HEADERS stream=");
    if (hs) {
        stream = read_num(hs + 16);
        const char *end = strchr(hs, ']');
        if (end && strncmp(end + 1, " GET ", 5) == 0) get = end + 6;
        if (stream == PS_NONE || stream % 2 == 0 || stream > 2 * PS_HTTP_MAX_RESOURCES + 1) get = NULL;
    } else if (strncmp(p, "GET ", 4) == 0) {
        get = p + 4;
    }
    if (!get || h->npend == PS_HTTP_MAX_PENDING) {
        ps__tcp_output(e, s, PS_ACK, NULL); /* not a request it answers */
        return;
    }
    if (!ps_grow(&h->pend, &h->pendcap, (size_t)h->npend + 1, sizeof *h->pend)) {
        ps__nomem(e);
        return;
    }
    size_t len = strcspn(get, " \r\n");
    uint32_t r = request_of(get, len);
    uint8_t parts = (uint8_t)(((sk->xflags & PS_SOCKX_HTTP_PARTS) >> PS_SOCKX_HTTP_PARTS_SHIFT) + 1);
    h->pend[h->npend++] = (pending){ s, sk->host, (uint16_t)r, stream, 1, r == NOT_FOUND ? 1 : parts };
    arm_tick(e); /* the first response segment will carry the ACK */
}

/* The payload of part `part` of a response. */
static const char *response_text(ps_engine *e, const pending *x)
{
    char path[32];
    if (x->path == NOT_FOUND)
        return x->stream ? intern(e, "[HEADERS stream=%u END_STREAM] 404", (unsigned)x->stream)
                         : intern(e, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    ps_http_path(x->path, path);
    const char *end = x->part == x->parts ? " END_STREAM" : "";
    unsigned st = (unsigned)x->stream, part = x->part, parts = x->parts;
    if (x->stream && x->part == 1)
        return intern(e, "[HEADERS stream=%u] 200 [DATA stream=%u%s] (part %u/%u of %s)", st, st, end,
                      part, parts, path);
    if (x->stream) return intern(e, "[DATA stream=%u%s] (part %u/%u of %s)", st, end, part, parts, path);
    if (x->part > 1) return intern(e, "(part %u/%u of %s)", part, parts, path);
    /* Each part is "(part p/P of PATH)": 12 characters, two one-digit
     * numbers (parts <= PS_HTTP_MAX_PARTS) and the path. */
    size_t total = (size_t)parts * (14 + strlen(path));
    return intern(e, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n(part 1/%u of %s)", total, parts, path);
}

void ps__http_tick(ps_engine *e)
{
    struct ps_http *h = e->http;
    h->tick_armed = false;
    uint32_t n = h->npend;
    if (!ps_engine_charge(e, n)) return;
    uint16_t served[PS_HTTP_MAX_PENDING];
    uint32_t nserved = 0, i = 0;
    for (uint32_t seen = 0; seen < n && e->status == PS_RUN_OK; seen++) {
        pending x = h->pend[i];
        bool busy = false;
        for (uint32_t j = 0; j < nserved; j++) busy |= served[j] == x.host;
        if (busy) {
            i++;
            continue;
        }
        served[nserved++] = x.host;
        memmove(&h->pend[i], &h->pend[i + 1], (h->npend - i - 1) * sizeof *h->pend);
        h->npend--;
        if (!e->socks[x.sock].live || e->socks[x.sock].state != PS_ESTABLISHED) continue;
        const char *text = response_text(e, &x);
        if (!text) return;
        if (x.part == 1) {
            char path[32] = "a path it does not have";
            if (x.path != NOT_FOUND) ps_http_path(x.path, path);
            http_event(e, NULL, x.sock, "respond", x.stream, x.path == NOT_FOUND ? 0 : x.path,
                       "%s %s in %u segment%s", x.path == NOT_FOUND ? "404" : "200", path,
                       x.parts, x.parts == 1 ? "" : "s");
        }
        ps__tcp_output(e, x.sock, PS_PSH | PS_ACK, text);
        if (++x.part <= x.parts) h->pend[h->npend++] = x; /* to the back: round-robin */
    }
    if (h->npend && e->status == PS_RUN_OK) {
        if (!ps_evq_push(&e->q, ps_time_add(e->now, PS_HTTP_TICK_US), EVT_PACK(EVT_HTTP, 0, 0))) ps__nomem(e);
        else h->tick_armed = true;
    }
}

/* ---- hooks from tcp.c and engine_sock.c ---- */

void ps__http_serve(ps_engine *e, uint32_t l, uint32_t parts)
{
    PS_ASSERT(parts >= 1 && parts <= PS_HTTP_MAX_PARTS);
    e->socks[l].xflags |= (uint16_t)(PS_SOCKX_HTTP_SERVER | ((parts - 1) << PS_SOCKX_HTTP_PARTS_SHIFT));
}

void ps__http_input(ps_engine *e, uint32_t s, const ps_segment *sg)
{
    if (e->socks[s].xflags & PS_SOCKX_HTTP_CLIENT) client_input(e, s, sg);
    else server_input(e, s, sg);
}

void ps__http_released(ps_engine *e, uint32_t s)
{
    struct ps_http *h = e->http;
    uint32_t key = conn_of(e, s);
    if (key != PS_NONE) {
        http_conn *c = &h->pages[key / PS_HTTP_MAX_POOL].conns[key % PS_HTTP_MAX_POOL];
        ps_table_remove(&h->by_sock, ps_hash64(s), key);
        c->sock = PS_NONE;
        c->state = CONN_GONE;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < h->npend; i++)
        if (h->pend[i].sock != s) h->pend[kept++] = h->pend[i];
    h->npend = kept;
}
