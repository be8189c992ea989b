/* verify.c — `portsim verify FILE`: the simulation and the real kernel, side
 * by side (verify.h, docs/verify.md).
 *
 * The engine runs step by step. Whenever a step runs one of the scenario's
 * listen / connect / send / close / kill actions, or a shell command that
 * listens, connects or kills (launchers, curl, nc, kill), the same socket
 * operation is done on a real socket by that process's helper (vproc.h) in
 * its host's network namespace (netns.h), and the parent waits for the
 * kernel's answer (a connect: established or refused, then which listener
 * accepted it). The engine's answers come from its event stream. When the
 * engine reaches the point where a TIME-WAIT would have to run out (60 s of
 * simulated time) the replay stops: both sides' sockets are compared there,
 * and any later operation is listed as not replayed. At the end one table
 * row per operation and per host compares the two. */
#define _GNU_SOURCE
#include "verify.h"
#include "mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exit.h"
#include "sbuf.h"
#include "shell.h"
#include "load.h"
#include "suggest.h"
#include "units.h"
#include "verify_internal.h"

/* ---- small helpers ---- */

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* The host an address leads to from `from` (itself for 127.x and ::1), or PS_NONE. */
static uint32_t host_of(const ps_scenario *sc, ps_addr a, uint32_t from)
{
    return ps_addr_is_loopback(a) ? from : ps_scenario_host_by_addr(sc, a);
}

const char *ps_verify_errname(int err)
{
    static const struct { int e; const char *n; } names[] = {
        { EADDRINUSE, "EADDRINUSE" },     { EACCES, "EACCES" },
        { ECONNREFUSED, "ECONNREFUSED" }, { ECONNRESET, "ECONNRESET" },
        { EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { EHOSTUNREACH, "EHOSTUNREACH" },
        { ENETUNREACH, "ENETUNREACH" },   { ENOTCONN, "ENOTCONN" },
        { EBADF, "EBADF" },               { EISCONN, "EISCONN" },
        { ESRCH, "ESRCH" },               { EPIPE, "EPIPE" },
        { ETIMEDOUT, "ETIMEDOUT" },       { EINVAL, "EINVAL" },
        { EPERM, "EPERM" },               { EMFILE, "EMFILE" },
        { ENFILE, "ENFILE" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == err) return names[i].n;
    static char buf[32];
    snprintf(buf, sizeof buf, "errno %d", err);
    return buf;
}

char *ps_verify_strdup(vctx *c, const char *s)
{
    char *d = strdup(s);
    if (!d) c->nomem = true;
    return d;
}

void ps_verify_time_cell(ps_time t, char *buf)
{
    if (t == 0) strcpy(buf, "0ms");
    else ps_time_str(t, buf);
}

/* ps_grow that records a failure in the context: arr_ptr is a T **. */
static bool grow(vctx *c, void *arr_ptr, uint32_t *cap, uint32_t need, size_t size)
{
    if (ps_grow(arr_ptr, cap, need, size)) return true;
    c->nomem = true;
    return false;
}

/* ---- rows and instances ---- */

static uint32_t new_row(vctx *c, ps_time t, uint32_t host, uint32_t action, row_kind kind)
{
    if (!grow(c, &c->rows, &c->caprows, c->nrows + 1, sizeof *c->rows)) return PS_NONE;
    row *r = &c->rows[c->nrows];
    memset(r, 0, sizeof *r);
    r->t = t;
    r->host = host;
    r->action = action;
    r->kind = kind;
    return c->nrows++;
}

static uint32_t new_inst(vctx *c, uint32_t rowi, uint32_t host, uint32_t proc, bool listen)
{
    if (!grow(c, &c->insts, &c->capinsts, c->ninsts + 1, sizeof *c->insts)) return PS_NONE;
    inst *in = &c->insts[c->ninsts];
    memset(in, 0, sizeof *in);
    in->row = rowi;
    in->host = host;
    in->proc = proc;
    in->listen = listen;
    in->sock = PS_NONE;
    in->dst_host = PS_NONE;
    in->e_acc = in->k_acc = PS_NONE;
    in->e_slot = PS_NONE;
    in->e_err = PS_OK;
    return c->ninsts++;
}

/* A listen or connect instance for scenario action a. */
static uint32_t action_inst(vctx *c, uint32_t rowi, uint32_t a)
{
    const ps_action *act = &c->sc->actions[a];
    bool udp = act->kind == PS_ACT_UDP_BIND || act->kind == PS_ACT_UDP_CONNECT;
    bool local = act->kind == PS_ACT_LISTEN || act->kind == PS_ACT_BIND || act->kind == PS_ACT_UDP_BIND;
    uint32_t i = new_inst(c, rowi, act->host, act->proc, local);
    if (i == PS_NONE) return i;
    inst *in = &c->insts[i];
    in->udp = udp;
    in->sock = act->sock;
    in->reuseaddr = act->reuseaddr;
    in->reuseport = act->reuseport;
    in->dst = act->addr;
    in->dport = act->port;
    in->from_port = act->from_port;
    in->from_addr = act->kind == PS_ACT_CONNECT ? act->from_addr : 0;
    in->reply = in->listen ? act->text : NULL;
    in->family = act->family == PS_FAM_INET6 || ps_addr_is_v6(act->addr) ? PS_FAM_INET6 : PS_FAM_INET;
    in->v6only = act->v6only;
    if (!in->listen && !udp) in->dst_host = host_of(c->sc, act->addr, act->host);
    if (act->sock != PS_NONE) c->sock_inst[act->sock] = i;
    return i;
}

static bool set_slot(vctx *c, uint32_t s, uint32_t in)
{
    if (s >= c->nslots) {
        uint32_t old = c->nslots;
        if (!grow(c, &c->slot_inst, &c->nslots, s + 1, sizeof *c->slot_inst)) return false;
        for (uint32_t k = old; k < c->nslots; k++) c->slot_inst[k] = PS_NONE;
    }
    c->slot_inst[s] = in;
    return true;
}

static uint32_t slot(const vctx *c, uint32_t s) { return s < c->nslots ? c->slot_inst[s] : PS_NONE; }

/* Per engine process: room for its helper and its kernel-side state. */
static bool ensure_proc(vctx *c, uint32_t p)
{
    if (p < c->nvp) return true;
    uint32_t n = p + 8;
    ps_vproc *nv = realloc(c->vp, n * sizeof *nv);
    if (!nv) {
        c->nomem = true;
        return false;
    }
    c->vp = nv;
    uint8_t *na = realloc(c->alive, n);
    if (!na) {
        c->nomem = true;
        return false;
    }
    c->alive = na;
    for (uint32_t k = c->nvp; k < n; k++) {
        c->vp[k] = (ps_vproc){ 0, -1, -1 };
        c->alive[k] = 0;
    }
    c->nvp = n;
    return true;
}

/* The engine's client 4-tuple index. */
typedef struct conn_key {
    uint32_t host;
    ps_addr saddr, daddr;
    uint16_t sport, dport;
} conn_key;

static bool conn_eq(const void *ctx, uint32_t v, const void *key)
{
    const vctx *c = ctx;
    const inst *in = &c->insts[v];
    const conn_key *k = key;
    return in->host == k->host && in->e_saddr == k->saddr && in->e_sport == k->sport &&
           in->dst == k->daddr && in->dport == k->dport;
}

static uint32_t conn_hash(const conn_key *k)
{
    return ps_hash_tuple(k->host, k->saddr, k->sport, k->daddr, k->dport);
}

static conn_key inst_key(const inst *in)
{
    return (conn_key){ in->host, in->e_saddr, in->dst, in->e_sport, in->dport };
}

/* ---- routers ---- */

/* A connection as a server's socket sees it (local -> peer), as its client
 * sent it: through a router's translation table when one rewrote it. */
static ps_tuple client_view(const vctx *c, const ps_tuple *seen)
{
    for (uint32_t r = 0; r < c->sc->nhosts; r++) {
        const ps_nat *t = ps_engine_nat(c->e, r);
        int dir;
        uint32_t i = t ? ps_nat_peek(t, PS_PROTO_TCP, seen, ps_engine_now(c->e), &dir) : PS_NONE;
        if (i != PS_NONE) return ps_nat_translate(&t->v[i], dir);
    }
    return *seen;
}

/* Where the kernel's accept of a connect to dst:dport from host h shows
 * up, as the scenario's routers rewrite it: the accepting host, its local
 * end, and the peer (*any_rport: the router picks the port). */
typedef struct accept_at {
    uint32_t host;
    ps_addr laddr, raddr;
    uint16_t lport, rport;
    bool any_rport;
} accept_at;

static accept_at expected_accept(const vctx *c, const inst *in)
{
    const ps_scenario *sc = c->sc;
    accept_at a = { in->dst_host, in->dst, in->k_saddr, in->dport, in->k_sport, false };
    uint32_t d = in->dst_host;
    if (d == PS_NONE) return a;
    for (uint32_t i = 0; i < sc->nforwards; i++) {
        const ps_forward_spec *f = &sc->forwards[i];
        if (f->router == d && f->port == in->dport && in->dst == sc->hosts[d].addrs[0] &&
            !ps_scenario_inside(sc, d, in->host)) {
            a.host = ps_scenario_host_by_addr(sc, f->to);
            a.laddr = f->to;
            a.lport = f->to_port;
            return a;
        }
    }
    uint32_t g = ps_scenario_gateway(sc, in->host);
    bool linked = false;
    for (uint32_t l = 0; l < sc->nlinks && !linked; l++)
        linked = (sc->links[l].a == in->host && sc->links[l].b == d) ||
                 (sc->links[l].b == in->host && sc->links[l].a == d);
    if (!linked && d != in->host && g != PS_NONE && sc->hosts[g].masquerade &&
        !ps_scenario_inside(sc, g, d)) {
        a.raddr = sc->hosts[g].addrs[0];
        a.any_rport = true;
    }
    return a;
}

/* ---- the engine side: its event stream ---- */

static void push_sub(vctx *c, ps_action_kind kind, uint32_t ref, uint32_t host, uint32_t pid)
{
    if (!grow(c, &c->sub, &c->capsub, c->nsub + 1, sizeof *c->sub)) return;
    c->sub[c->nsub++] = (subop){ kind, ref, host, pid };
}

/* The first event of a step that runs an action: a row (one per action, also
 * for `repeat`) and, for listen and connect, a new instance. A shell command
 * gets rows only for the socket operations it does (shell_event). */
static void action_started(vctx *c, const ps_event *ev)
{
    uint32_t a = ev->action;
    const ps_action *act = &c->sc->actions[a];
    c->step_action = a;
    c->step_inst = PS_NONE;
    if (act->kind == PS_ACT_SAY || ps_verify_has_subops(act->kind)) return;
    uint32_t host = act->host;
    if (host == PS_NONE && act->sock != PS_NONE) {
        const ps_action *made = &c->sc->actions[c->sc->socks[act->sock].action];
        if (made->kind == PS_ACT_ACCEPT) made = &c->sc->actions[c->sc->socks[made->listener].action];
        host = made->host;
    }
    bool two = act->kind == PS_ACT_LISTEN || act->kind == PS_ACT_CONNECT || act->kind == PS_ACT_BIND ||
               act->kind == PS_ACT_UDP_BIND || act->kind == PS_ACT_UDP_CONNECT;
    if (c->act_row[a] == PS_NONE) c->act_row[a] = new_row(c, act->t, host, a, two ? RK_INST : RK_SIMPLE);
    uint32_t r = c->act_row[a];
    if (r == PS_NONE) return;
    if (two) c->step_inst = action_inst(c, r, a);
    else c->rows[r].e_err = PS_OK;
}

/* The engine's process index of a pid acting in an event (alive then). */
static uint32_t event_proc(vctx *c, const ps_event *ev)
{
    uint32_t p = ps_engine_find_pid(c->e, ev->host, ev->pid);
    if (p == PS_NONE || !ensure_proc(c, p)) return PS_NONE;
    /* A program a shell started exists from its first appearance on. */
    if (p >= c->sc->nprocs && !c->alive[p] && !c->vp[p].pid) c->alive[p] = 2;
    return p;
}

/* How many rows action a has: a page load's connections so far, the new
 * one included (a handful per page: PS_HTTP_MAX_POOL). */
static uint32_t fetch_rows(const vctx *c, uint32_t a)
{
    uint32_t n = 0;
    for (uint32_t r = 0; r < c->nrows; r++) n += c->rows[r].action == a;
    return n;
}

/* A listen, connect or kill done by a shell command (launcher, client, kill)
 * or a connection a page load opens: a row and a kernel operation of its own. */
static void shell_event(vctx *c, const ps_event *ev)
{
    const ps_action *act = &c->sc->actions[c->step_action];
    bool listen = ev->kind == PS_EV_LISTEN || (ev->kind == PS_EV_ERROR && !strcmp(ev->op, "listen"));
    bool conn = ev->kind == PS_EV_CONNECT || (ev->kind == PS_EV_ERROR && !strcmp(ev->op, "connect"));
    bool kill = ev->kind == PS_EV_KILL || (ev->kind == PS_EV_ERROR && !strcmp(ev->op, "kill"));
    if (!listen && !conn && !kill) return;
    uint32_t p = ev->kind == PS_EV_ERROR && kill ? PS_NONE : event_proc(c, ev);
    uint32_t r = new_row(c, ev->t, ev->host, c->step_action, kill ? RK_SIMPLE : RK_INST);
    if (r == PS_NONE) return;
    row *rw = &c->rows[r];
    const char *pname = p != PS_NONE ? ps_engine_proc(c->e, p)->name : "?";
    char cmd[64];
    if (act->kind == PS_ACT_FETCH) /* a page load's connection, numbered in its page */
        snprintf(cmd, sizeof cmd, "page %.30s, connection %u",
                 act->sock != PS_NONE ? c->sc->socks[act->sock].name : act->target,
                 fetch_rows(c, c->step_action));
    else
        snprintf(cmd, sizeof cmd, "shell: %.40s%s", act->text, strlen(act->text) > 40 ? "..." : "");
    if (kill) {
        rw->e_err = ev->kind == PS_EV_ERROR ? ev->err : PS_OK;
        if (strncmp(act->text, "kill", 4) == 0 || p == PS_NONE)
            snprintf(rw->op, sizeof rw->op, "kill %u (%s)", ev->pid, cmd);
        else
            snprintf(rw->op, sizeof rw->op, "%s %u exits (%s)", pname, ev->pid, cmd);
        push_sub(c, PS_ACT_KILL, r, ev->host, ev->pid);
        return;
    }
    if (p == PS_NONE) return;
    uint32_t i = new_inst(c, r, ev->host, p, listen);
    if (i == PS_NONE) return;
    inst *in = &c->insts[i];
    char ep[PS_ENDPOINT_STRLEN];
    in->family = ev->family; /* a launcher's listen: node's is AF_INET6 (dual-stack) */
    if (listen) {
        in->dst = ev->src_addr;
        in->dport = ev->src_port;
        /* The programs the launchers stand for (node, python3 -m
         * http.server, nc -l) all set SO_REUSEADDR (userland/shell.c, launch();
         * docs/reference/linux-ports.md): so does their real counterpart, whatever the
         * engine's socket says. */
        in->reuseaddr = true;
        if (ev->kind == PS_EV_LISTEN) {
            const ps_socket *sk = ps_engine_socket(c->e, ev->socket);
            in->reuseport = (sk->flags & PS_SOCK_REUSEPORT) != 0;
            in->reply = ps_engine_socket_text(c->e, ev->socket);
            in->e_known = true;
            set_slot(c, ev->socket, i);
        } else {
            in->e_known = true;
            in->e_err = ev->err;
        }
        ps_verify_listen_str(c->sc, in->dst, in->family == PS_FAM_INET6, in->dport, ep);
        snprintf(rw->op, sizeof rw->op, "%s %u listen %s%s%s (%s)", pname, ev->pid, ep,
                 in->reuseaddr ? " reuseaddr" : "", in->reuseport ? " reuseport" : "", cmd);
    } else {
        in->dst = ev->dst_addr;
        in->dport = ev->dst_port;
        in->dst_host = host_of(c->sc, in->dst, ev->host);
        if (ev->kind == PS_EV_CONNECT) {
            in->e_saddr = ev->src_addr;
            in->e_sport = ev->src_port;
            in->e_slot = ev->socket;
            set_slot(c, ev->socket, i);
            /* A page's first connection carries its name: `PAGE close`
             * goes to the helper holding it. */
            uint32_t name = ps_engine_socket(c->e, ev->socket)->name;
            if (act->kind == PS_ACT_FETCH && name != PS_NONE && name == act->sock) {
                in->sock = name;
                c->sock_inst[name] = i;
            }
            conn_key k = inst_key(in);
            if (ps_table_find(&c->conns, conn_hash(&k), conn_eq, c, &k) == PS_NONE &&
                ps_table_insert(&c->conns, conn_hash(&k), i))
                in->e_hashed = true;
        } else {
            in->e_known = true;
            in->e_err = ev->err;
        }
        ps_sc_endpoint_str(c->sc, in->dst, false, in->dport, ep);
        snprintf(rw->op, sizeof rw->op, "%s %u connect %s (%s)", pname, ev->pid, ep, cmd);
    }
    push_sub(c, listen ? PS_ACT_LISTEN : PS_ACT_CONNECT, i, ev->host, ev->pid);
}

/* The engine gave an `accept as` name to a connection listener inst l
 * accepted from connect inst ci: an inst on the accept line's row, which
 * the kernel side names after this step (kernel_adopt). */
static void accepted_named(vctx *c, uint32_t name, uint32_t l, uint32_t ci)
{
    uint32_t a = c->sc->socks[name].action;
    if (l == PS_NONE || ci == PS_NONE || c->act_row[a] == PS_NONE) return;
    uint32_t i = new_inst(c, c->act_row[a], c->insts[l].host, c->insts[l].proc, false);
    if (i == PS_NONE || !grow(c, &c->adopt, &c->capadopt, c->nadopt + 1, sizeof *c->adopt)) return;
    inst *in = &c->insts[i];
    in->accepted = true;
    in->peer = ci;
    in->sock = name;
    in->e_known = true;
    c->sock_inst[name] = i;
    c->adopt[c->nadopt++] = i;
}

static void on_event(void *ctx, const ps_event *ev)
{
    vctx *c = ctx;
    if (ev->action != PS_NONE && c->step_action == PS_NONE) action_started(c, ev);
    bool in_step = ev->action != PS_NONE && ev->action == c->step_action;
    bool shell = in_step && ps_verify_has_subops(c->sc->actions[c->step_action].kind);
    inst *in = NULL;
    switch (ev->kind) {
    case PS_EV_KILL:
        if (shell) shell_event(c, ev);
        break;
    case PS_EV_LISTEN:
    case PS_EV_BIND:
        if (shell) {
            shell_event(c, ev);
        } else if (in_step && c->step_inst != PS_NONE) {
            in = &c->insts[c->step_inst];
            in->e_known = true;
            set_slot(c, ev->socket, c->step_inst);
        }
        break;
    case PS_EV_CONNECT:
        if (shell) {
            shell_event(c, ev);
        } else if (in_step && c->step_inst != PS_NONE) {
            in = &c->insts[c->step_inst];
            in->e_saddr = ev->src_addr;
            in->e_sport = ev->src_port;
            in->e_slot = ev->socket;
            set_slot(c, ev->socket, c->step_inst);
            conn_key k = inst_key(in);
            if (ps_table_find(&c->conns, conn_hash(&k), conn_eq, c, &k) == PS_NONE) {
                if (ps_table_insert(&c->conns, conn_hash(&k), c->step_inst)) in->e_hashed = true;
                else c->nomem = true;
            }
        }
        break;
    case PS_EV_UDP_BIND:
    case PS_EV_UDP_CONNECT:
        /* No handshake: the answer is known at once, with the port. */
        if (in_step && c->step_inst != PS_NONE) {
            in = &c->insts[c->step_inst];
            in->e_known = true;
            in->e_saddr = ev->src_addr;
            in->e_sport = ev->src_port;
            in->e_slot = ev->socket;
            set_slot(c, ev->socket, c->step_inst);
        }
        break;
    case PS_EV_ERROR:
        if (shell && ev->socket == PS_NONE) {
            shell_event(c, ev);
        } else if (in_step && ev->socket == PS_NONE) {
            /* The action itself failed. */
            if (c->step_inst != PS_NONE) {
                in = &c->insts[c->step_inst];
                in->e_known = true;
                in->e_err = ev->err;
            } else if (c->act_row[ev->action] != PS_NONE) {
                c->rows[c->act_row[ev->action]].e_err = ev->err;
            }
        } else if (ev->socket != PS_NONE && ev->op && strcmp(ev->op, "connect") == 0 &&
                   slot(c, ev->socket) != PS_NONE) {
            in = &c->insts[slot(c, ev->socket)]; /* refused later */
            if (!in->listen && !in->e_known) {
                in->e_known = true;
                in->e_err = ev->err;
            }
        } else if (in_step && c->step_inst == PS_NONE && c->act_row[ev->action] != PS_NONE) {
            c->rows[c->act_row[ev->action]].e_err = ev->err; /* send/close on a socket */
        }
        break;
    case PS_EV_ESTABLISHED: {
        uint32_t i = slot(c, ev->socket);
        const ps_socket *sk = ps_engine_socket(c->e, ev->socket);
        if (i != PS_NONE && !(sk->flags & PS_SOCK_ACCEPTED) && !c->insts[i].listen &&
            !c->insts[i].e_known) {
            c->insts[i].e_known = true;
            c->insts[i].e_err = PS_OK;
        }
        break;
    }
    case PS_EV_ACCEPT: {
        const ps_socket *sk = ps_engine_socket(c->e, ev->socket);
        uint32_t l = slot(c, sk->listener);
        ps_tuple seen = { ev->src_addr, ev->dst_addr, ev->src_port, ev->dst_port };
        ps_tuple o = client_view(c, &seen);
        uint32_t ch = host_of(c->sc, o.dst, ev->host);
        conn_key k = { ch, o.dst, o.src, o.dport, o.sport };
        uint32_t ci = ps_table_find(&c->conns, conn_hash(&k), conn_eq, c, &k);
        if (ci != PS_NONE) c->insts[ci].e_acc = l;
        if (sk->name != PS_NONE && c->sc->actions[c->sc->socks[sk->name].action].kind == PS_ACT_ACCEPT)
            accepted_named(c, sk->name, l, ci);
        break;
    }
    case PS_EV_RELEASE: {
        uint32_t i = slot(c, ev->socket);
        if (i == PS_NONE) break;
        const ps_socket *sk = ps_engine_socket(c->e, ev->socket);
        if (!(sk->flags & PS_SOCK_ACCEPTED)) {
            in = &c->insts[i];
            if (in->e_hashed) {
                conn_key k = inst_key(in);
                ps_table_remove(&c->conns, conn_hash(&k), i);
                in->e_hashed = false;
            }
        }
        c->slot_inst[ev->socket] = PS_NONE;
        break;
    }
    case PS_EV_NAT:
        if (ev->nat_new && strcmp(ev->op, "masquerade") == 0) {
            conn_key k = { host_of(c->sc, ev->src_addr, ev->host), ev->src_addr, ev->dst_addr,
                           ev->src_port, ev->dst_port };
            uint32_t ci = ps_table_find(&c->conns, conn_hash(&k), conn_eq, c, &k);
            if (ci != PS_NONE) {
                c->insts[ci].e_nat = true;
                c->insts[ci].e_nat_port = ev->nat_src_port;
            }
        }
        break;
    case PS_EV_SEGMENT:
        if (ev->socket != PS_NONE && ev->state == PS_TIME_WAIT && ev->t < c->tw_first)
            c->tw_first = ev->t;
        break;
    default:
        break;
    }
}

/* ---- the kernel side ---- */

typedef struct want {
    uint32_t kind, id, from;      /* from: helper index, PS_NONE = any */
    ps_addr laddr, raddr;
    uint16_t lport, rport;
    const vctx *c;
    uint32_t host;                /* ACCEPT: the host it must happen on */
    bool any_rport;               /* ACCEPT: a router picked the peer's port */
} want;

static bool match_done(const void *ctx, const ps_vmsg *m)
{
    const want *w = ctx;
    return m->kind == PS_VMSG_DONE && m->id == w->id && m->from == w->from;
}

/* The scenario's ps_addr for IPv6 bytes from a helper or /proc (base.h),
 * or PS_NONE for an address the scenario never wrote. */
static ps_addr addr_of6(const ps_scenario *sc, const uint8_t b[16])
{
    ps_in6 a;
    memcpy(a.b, b, 16);
    return ps_scenario_find6(sc, &a);
}

/* A helper's message with its IPv6 ends as ps_addr values. */
static ps_vmsg resolved(const ps_scenario *sc, const ps_vmsg *m)
{
    ps_vmsg r = *m;
    if (m->v6 & 1) r.laddr = addr_of6(sc, m->l6);
    if (m->v6 & 2) r.raddr = addr_of6(sc, m->r6);
    return r;
}

static bool match_accept(const void *ctx, const ps_vmsg *msg)
{
    const want *w = ctx;
    ps_vmsg m = resolved(w->c->sc, msg);
    return m.kind == PS_VMSG_ACCEPT && ps_engine_proc(w->c->e, m.from)->host == w->host &&
           m.laddr == w->laddr && m.lport == w->lport && m.raddr == w->raddr &&
           (w->any_rport || m.rport == w->rport);
}

uint32_t ps_verify_uid(uint32_t k) { return UID_BASE + (uint32_t)getpid() * UID_PER_RUN + k; }

/* root stays root; the k-th other user gets this run's k-th uid, so two
 * users differ for SO_REUSEPORT as they do in the engine. */
static uint32_t uid_for(vctx *c, const char *user)
{
    if (strcmp(user, "root") == 0) return 0;
    uint32_t k = 0;
    while (k < c->nusers && strcmp(c->users[k], user) != 0) k++;
    if (k == c->nusers) {
        const char **nu = realloc(c->users, (k + 1) * sizeof *nu);
        if (!nu) c->nomem = true; /* the replay stops at this step */
        else {
            c->users = nu;
            c->users[c->nusers++] = user;
        }
    }
    return ps_verify_uid(k);
}

/* The helper of engine process p, started on first use. 0, or ESRCH when
 * the process is gone (or could not be started: c->fatal says why). */
static int helper(vctx *c, uint32_t p)
{
    if (!ensure_proc(c, p) || !c->alive[p]) return ESRCH;
    if (c->vp[p].pid) return 0;
    const ps_proc *pr = ps_engine_proc(c->e, p);
    if (!ps_vproc_start(&c->vp[p], pr->host, uid_for(c, pr->user), c->fatal, sizeof c->fatal)) {
        c->alive[p] = 0;
        return ESRCH;
    }
    c->alive[p] = 1;
    return 0;
}

/* Sends a command to helper p and waits for its answer: 0, an errno, or -1
 * (no answer in time). */
int ps_verify_command(vctx *c, uint32_t p, const ps_vcmd *cmd, ps_vmsg *out)
{
    if (!ps_vproc_send(&c->vp[p], cmd)) return ESRCH;
    want w = { PS_VMSG_DONE, cmd->id, p, 0, 0, 0, 0, c, PS_NONE, false };
    ps_vmsg m;
    if (!ps_vproc_take(c->vp, c->nvp, &c->box, match_done, &w, CMD_WAIT_MS, &m)) return -1;
    if (out) *out = resolved(c->sc, &m);
    return m.err;
}

static void copy_text(char *dst, const char *src)
{
    snprintf(dst, PS_VTEXT, "%s", src ? src : "");
}

/* A helper out of descriptors hit this machine's limit, which says nothing
 * about ports: stop the run (exit 3) instead of showing it as a difference.
 * The pre-flight makes this rare (the kernel may hold a closing socket a
 * moment longer than the engine). */
static void out_of_descriptors(vctx *c, const inst *in)
{
    if (in->k_err != EMFILE && in->k_err != ENFILE) return;
    snprintf(c->fatal, sizeof c->fatal, "cannot verify here: the helper of %s %u on %s ran out of "
             "descriptors (%s) at %s", ps_engine_proc(c->e, in->proc)->name,
             ps_engine_proc(c->e, in->proc)->pid, c->sc->hosts[in->host].name,
             ps_verify_errname(in->k_err), c->rows[in->row].op);
}

/* Runs cmd in the helper of inst in's process (started on first use) and
 * records the kernel's answer; when it succeeded and m is given, also the
 * local end the helper reports. False when the operation failed. */
static bool kernel_run(vctx *c, inst *in, const ps_vcmd *cmd, ps_vmsg *m)
{
    in->k_err = helper(c, in->proc);
    if (in->k_err == 0) in->k_err = ps_verify_command(c, in->proc, cmd, m);
    in->k_known = true;
    out_of_descriptors(c, in);
    if (in->k_err != 0) return false;
    if (m) {
        in->k_saddr = m->laddr;
        in->k_sport = m->lport;
    }
    return true;
}

/* An AF_INET6 inst's address as its socket writes it (:: for 0,
 * ::ffff:a.b.c.d for IPv4), and its IPV6_V6ONLY. */
static void set_family(const vctx *c, ps_vcmd *cmd, const inst *in)
{
    if (in->family != PS_FAM_INET6) return;
    ps_in6 a = ps_sc_in6(c->sc, in->dst);
    cmd->inet6 = 1;
    cmd->v6only = in->v6only;
    memcpy(cmd->addr6, a.b, 16);
}

static void kernel_listen(vctx *c, inst *in, uint32_t id)
{
    ps_vcmd cmd;
    memset(&cmd, 0, sizeof cmd);
    const ps_action *act = c->rows[in->row].action != PS_NONE ? &c->sc->actions[c->rows[in->row].action] : NULL;
    cmd.op = act && act->kind == PS_ACT_BIND ? PS_VOP_BIND : PS_VOP_LISTEN;
    cmd.id = id;
    cmd.addr = in->dst;
    cmd.port = in->dport;
    cmd.reuseaddr = in->reuseaddr;
    cmd.reuseport = in->reuseport;
    set_family(c, &cmd, in);
    copy_text(cmd.text, in->reply);
    kernel_run(c, in, &cmd, NULL);
}

static void kernel_connect(vctx *c, inst *in, uint32_t id)
{
    ps_vcmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.op = PS_VOP_CONNECT;
    cmd.id = id;
    cmd.addr = in->dst;
    cmd.port = in->dport;
    cmd.from_port = in->from_port;
    cmd.from_addr = in->from_addr;
    cmd.reuseaddr = in->reuseaddr;
    cmd.reuseport = in->reuseport;
    set_family(c, &cmd, in);
    /* A `request` client sends its request once connected and closes on
     * the answer (ps_engine_request): so does the helper. */
    const ps_socket *sk = in->e_slot != PS_NONE ? ps_engine_socket(c->e, in->e_slot) : NULL;
    if (sk && sk->live && (sk->flags & PS_SOCK_REQUESTER)) copy_text(cmd.text, ps_engine_socket_text(c->e, in->e_slot));
    ps_vmsg m;
    if (!kernel_run(c, in, &cmd, &m) || in->dst_host == PS_NONE) return;
    /* Which listener took it: its helper reports the accept (seen through
     * the routers on the way). */
    accept_at at = expected_accept(c, in);
    want w = { PS_VMSG_ACCEPT, 0, PS_NONE, at.laddr, at.raddr, at.lport, at.rport, c,
               at.host, at.any_rport };
    if (at.host != PS_NONE &&
        ps_vproc_take(c->vp, c->nvp, &c->box, match_accept, &w, ACCEPT_WAIT_MS, &m)) {
        in->k_acc = m.id;
        if (at.any_rport) {
            in->k_nat = true;
            in->k_nat_port = m.rport;
        }
    }
}

/* A UDP bind or connect: the helper makes the socket and tells its port. */
static void kernel_udp(vctx *c, inst *in, uint32_t id)
{
    ps_vcmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.op = in->listen ? PS_VOP_UDP_BIND : PS_VOP_UDP_CONNECT;
    cmd.id = id;
    cmd.addr = in->dst;
    cmd.port = in->dport;
    cmd.from_port = in->from_port;
    cmd.reuseaddr = in->reuseaddr;
    cmd.reuseport = in->reuseport;
    copy_text(cmd.text, in->reply);
    ps_vmsg m;
    kernel_run(c, in, &cmd, &m);
}

/* send or close on a named socket: the helper holding it does it. */
static void kernel_sockop(vctx *c, row *r, const ps_action *a)
{
    uint32_t si = c->sock_inst[a->sock];
    r->k_known = true;
    if (si == PS_NONE || !c->insts[si].k_known) {
        r->k_err = EBADF;
        return;
    }
    uint32_t p = c->insts[si].proc;
    if (p >= c->nvp || !c->vp[p].pid) { /* the process was killed: its descriptors are gone */
        r->k_err = EBADF;
        return;
    }
    ps_vcmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.op = a->kind == PS_ACT_SEND      ? PS_VOP_SEND
             : a->kind == PS_ACT_SENDTO ? PS_VOP_SENDTO
             : a->kind == PS_ACT_CLOSE  ? PS_VOP_CLOSE
                                        : PS_VOP_LISTEN_ID;
    cmd.id = si;
    cmd.addr = a->addr;
    cmd.port = a->port;
    copy_text(cmd.text, a->text);
    r->k_err = ps_verify_command(c, p, &cmd, NULL);
    c->quiet = true;
}

/* kill: the helper gets SIGKILL and the kernel closes its sockets. The
 * process table is portsim's (no real programs run): a process that never
 * held a socket has no helper to kill and is just forgotten. */
static void kernel_kill(vctx *c, row *r, uint32_t host, uint32_t pid)
{
    r->k_known = true;
    r->k_err = ESRCH;
    uint32_t n = ps_engine_proc_count(c->e) < c->nvp ? ps_engine_proc_count(c->e) : c->nvp;
    for (uint32_t p = 0; p < n; p++) {
        const ps_proc *pr = ps_engine_proc(c->e, p);
        if (pr->host == host && pr->pid == pid && c->alive[p]) {
            ps_vproc_kill(&c->vp[p]);
            c->alive[p] = 0;
            r->k_err = 0;
            c->quiet = true;
            return;
        }
    }
}

static void not_replayed(vctx *c, row *r)
{
    char t[32];
    ps_verify_time_cell(ps_engine_now(c->e), t);
    snprintf(r->skip, sizeof r->skip, "not replayed (at %s: needs %s to pass)", t,
             c->horizon_udp ? "a UDP conntrack entry's timeout" : "TIME-WAIT's 60 s");
}

/* The kernel side of `accept as`: the listener's helper names the
 * connection it accepted from the same client. */
static void kernel_adopt(vctx *c)
{
    for (uint32_t k = 0; k < c->nadopt && !c->fatal[0]; k++) {
        inst *in = &c->insts[c->adopt[k]];
        const inst *peer = &c->insts[in->peer];
        in->k_known = true;
        in->k_err = ENOTCONN;
        if (c->horizon || !peer->k_known || peer->k_err != 0 || in->proc >= c->nvp ||
            !c->vp[in->proc].pid)
            continue;
        ps_vcmd cmd;
        memset(&cmd, 0, sizeof cmd);
        cmd.op = PS_VOP_ADOPT;
        cmd.id = c->adopt[k];
        cmd.addr = peer->dst;
        cmd.port = peer->dport;
        cmd.raddr = peer->k_saddr;
        cmd.rport = peer->k_sport;
        in->k_err = ps_verify_command(c, in->proc, &cmd, NULL);
    }
    c->nadopt = 0;
}

/* Does on the kernel what the engine's last step did. */
static void kernel_step(vctx *c)
{
    uint32_t a = c->step_action;
    const ps_action *act = &c->sc->actions[a];
    if (act->kind == PS_ACT_SAY) return;
    if (c->quiet && !c->horizon) {
        sleep_ms(QUIET_MS);
        c->quiet = false;
    }
    if (ps_verify_has_subops(act->kind)) {
        for (uint32_t k = 0; k < c->nsub && !c->fatal[0]; k++) {
            const subop *s = &c->sub[k];
            uint32_t ri = s->kind == PS_ACT_KILL ? s->ref : c->insts[s->ref].row;
            if (c->horizon) not_replayed(c, &c->rows[ri]);
            else if (s->kind == PS_ACT_LISTEN) kernel_listen(c, &c->insts[s->ref], s->ref);
            else if (s->kind == PS_ACT_CONNECT) kernel_connect(c, &c->insts[s->ref], s->ref);
            else kernel_kill(c, &c->rows[ri], s->host, s->pid);
        }
        c->nsub = 0;
        return;
    }
    uint32_t ri = c->act_row[a];
    if (ri == PS_NONE) return;
    row *r = &c->rows[ri];
    if (c->horizon) {
        not_replayed(c, r);
        return;
    }
    switch (act->kind) {
    case PS_ACT_LISTEN:
        if (c->step_inst != PS_NONE) kernel_listen(c, &c->insts[c->step_inst], c->step_inst);
        break;
    case PS_ACT_CONNECT:
        if (c->step_inst != PS_NONE) kernel_connect(c, &c->insts[c->step_inst], c->step_inst);
        break;
    case PS_ACT_BIND:
        if (c->step_inst != PS_NONE) kernel_listen(c, &c->insts[c->step_inst], c->step_inst);
        break;
    case PS_ACT_UDP_BIND:
    case PS_ACT_UDP_CONNECT:
        if (c->step_inst != PS_NONE) kernel_udp(c, &c->insts[c->step_inst], c->step_inst);
        break;
    case PS_ACT_SEND:
    case PS_ACT_SENDTO:
    case PS_ACT_CLOSE:
    case PS_ACT_LISTEN_SOCK: kernel_sockop(c, r, act); break;
    case PS_ACT_KILL: kernel_kill(c, r, act->host, act->pid); break;
    default: break;
    }
}

/* ---- socket tables: the engine's and /proc/net/tcp in each namespace ---- */

typedef struct tup {
    uint8_t state;       /* ps_tcp_state; PS_STATE_COUNT for the kernel's CLOSING */
    ps_addr la, ra;
    uint16_t lp, rp;
    uint8_t family;      /* ps_family: /proc/net/tcp6 holds the AF_INET6 sockets */
} tup;

typedef struct tups {
    tup *v;
    uint32_t n, cap;
} tups;

static bool tups_push(tups *t, tup x)
{
    if (!ps_grow(&t->v, &t->cap, (size_t)t->n + 1, sizeof *t->v)) return false;
    t->v[t->n++] = x;
    return true;
}

static int tup_cmp(const void *a, const void *b)
{
    const tup *x = a, *y = b;
    if (x->family != y->family) return x->family < y->family ? -1 : 1;
    if (x->state != y->state) return x->state < y->state ? -1 : 1;
    if (x->la != y->la) return x->la < y->la ? -1 : 1;
    if (x->lp != y->lp) return x->lp < y->lp ? -1 : 1;
    if (x->ra != y->ra) return x->ra < y->ra ? -1 : 1;
    if (x->rp != y->rp) return x->rp < y->rp ? -1 : 1;
    return 0;
}

/* Kernel source port -> the engine's, for one connection (client host,
 * kernel port, destination): ephemeral numbers differ by design. */
typedef struct pmap {
    uint32_t host;
    ps_addr dst;
    uint16_t kport, dport, eport;
} pmap;

static int pmap_cmp(const void *a, const void *b)
{
    const pmap *x = a, *y = b;
    if (x->host != y->host) return x->host < y->host ? -1 : 1;
    if (x->kport != y->kport) return x->kport < y->kport ? -1 : 1;
    if (x->dst != y->dst) return x->dst < y->dst ? -1 : 1;
    if (x->dport != y->dport) return x->dport < y->dport ? -1 : 1;
    return 0;
}

static const pmap *pmap_find(const pmap *m, size_t n, uint32_t host, uint16_t kport, ps_addr dst,
                             uint16_t dport)
{
    pmap k = { host, dst, kport, dport, 0 };
    return n ? bsearch(&k, m, n, sizeof *m, pmap_cmp) : NULL;
}

static uint8_t proc_state(unsigned st)
{
    static const uint8_t map[] = {
        [1] = PS_ESTABLISHED, [2] = PS_SYN_SENT,   [3] = PS_SYN_RECV, [4] = PS_FIN_WAIT_1,
        [5] = PS_FIN_WAIT_2,  [6] = PS_TIME_WAIT,  [7] = PS_CLOSED,   [8] = PS_CLOSE_WAIT,
        [9] = PS_LAST_ACK,    [10] = PS_LISTEN,    [11] = PS_STATE_COUNT,
    };
    return st < sizeof map ? map[st] : PS_CLOSED;
}

/* An address of /proc/net/tcp6: four __be32 words, each printed as a
 * host-order hex number; as the scenario's ps_addr (IPv4 for a mapped one). */
static ps_addr proc_addr6(const vctx *c, const char *hex)
{
    uint8_t b[16];
    for (int w = 0; w < 4; w++) {
        char part[9];
        memcpy(part, hex + 8 * w, 8);
        part[8] = '\0';
        uint32_t v = (uint32_t)strtoul(part, NULL, 16);
        memcpy(b + 4 * w, &v, 4);
    }
    return addr_of6(c->sc, b);
}

/* Parses /proc/net/tcp or, with v6, /proc/net/tcp6 ("sl local rem st ...";
 * addresses as the kernel's __be32 words printed in hex, ports in host
 * order), translating ephemeral ports to the engine's numbers where the
 * connection is known. /proc/net/udp has the same columns (udp: every
 * socket counts, an unconnected one is CLOSE). */
static bool parse_proc_tcp(const vctx *c, uint32_t h, const char *text, bool v6, bool udp,
                           const pmap *pm, size_t npm, tups *out)
{
    const char *line = strchr(text, '\n');
    while (line && *++line) {
        unsigned la, lp, ra, rp, st;
        char l6[33], r6[33];
        bool ok = v6 ? sscanf(line, " %*u: %32[0-9A-F]:%4X %32[0-9A-F]:%4X %2X", l6, &lp, r6, &rp, &st) == 5 &&
                           strlen(l6) == 32 && strlen(r6) == 32
                     : sscanf(line, " %*u: %8X:%4X %8X:%4X %2X", &la, &lp, &ra, &rp, &st) == 5;
        if (ok) {
            tup t = { proc_state(st), v6 ? proc_addr6(c, l6) : ntohl(la), v6 ? proc_addr6(c, r6) : ntohl(ra),
                      (uint16_t)lp, (uint16_t)rp, v6 ? PS_FAM_INET6 : PS_FAM_INET };
            if (udp || t.state != PS_CLOSED) {
                const pmap *m = pmap_find(pm, npm, h, t.lp, t.ra, t.rp);
                if (m) {
                    t.lp = m->eport; /* a client's own socket */
                } else {
                    uint32_t ch = host_of(c->sc, t.ra, h);
                    m = ch != PS_NONE ? pmap_find(pm, npm, ch, t.rp, t.la, t.lp) : NULL;
                    if (m) t.rp = m->eport; /* the server's end of it */
                }
                if (!tups_push(out, t)) return false;
            }
        }
        line = strchr(line, '\n');
    }
    return true;
}

static const char *state_label(uint8_t st)
{
    return st >= PS_STATE_COUNT ? "CLOSING" : ps_state_ss((ps_tcp_state)st);
}

/* "1 LISTEN, 2 ESTAB" (or "none"), plus a warning if two connections share
 * a 4-tuple (listeners may: SO_REUSEPORT). */
static void table_cell(const tups *t, char *buf, size_t n)
{
    static const uint8_t order[] = { PS_CLOSED,     PS_LISTEN,     PS_SYN_SENT,   PS_SYN_RECV,   PS_ESTABLISHED,
                                     PS_FIN_WAIT_1, PS_FIN_WAIT_2, PS_CLOSE_WAIT, PS_LAST_ACK,
                                     PS_TIME_WAIT,  PS_STATE_COUNT };
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof order; k++) {
        size_t cnt = 0;
        for (size_t i = 0; i < t->n; i++) cnt += t->v[i].state == order[k];
        if (cnt && len < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%zu %s", len ? ", " : "", cnt,
                                    state_label(order[k]));
    }
    if (!len) snprintf(buf, n, "none");
    /* 4-tuples of connections (not listeners, not unconnected UDP sockets)
     * must be distinct. */
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = i + 1; j < t->n && t->v[i].state != PS_LISTEN && t->v[i].state != PS_CLOSED; j++)
            if (t->v[j].state != PS_LISTEN && t->v[j].state != PS_CLOSED && t->v[i].la == t->v[j].la &&
                t->v[i].lp == t->v[j].lp && t->v[i].ra == t->v[j].ra && t->v[i].rp == t->v[j].rp) {
                len = strlen(buf);
                if (len < n) snprintf(buf + len, n - len, "; DUPLICATE 4-TUPLE");
                return;
            }
}

static bool tups_equal(const tups *a, const tups *b)
{
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++)
        if (tup_cmp(&a->v[i], &b->v[i]) != 0) return false;
    return true;
}

static void tup_str(const ps_scenario *sc, const tup *t, char *buf, size_t n)
{
    char l[PS_ENDPOINT_STRLEN], r[PS_ENDPOINT_STRLEN];
    bool v6 = t->family == PS_FAM_INET6;
    ps_sc_endpoint_str(sc, t->la, v6, t->lp, l);
    if (t->state == PS_LISTEN || t->state == PS_CLOSED) snprintf(r, sizeof r, "*:*"); /* CLOSED: UDP's UNCONN */
    else ps_sc_endpoint_str(sc, t->ra, v6, t->rp, r);
    snprintf(buf, n, "%s %s -> %s", state_label(t->state), l, r);
}

/* What is on one side only, for the notes under the table (sorted inputs). */
static char *diff_detail(const ps_scenario *sc, const char *host, const tups *e, const tups *k)
{
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = '\0';
    size_t i = 0, j = 0, shown = 0;
    while ((i < e->n || j < k->n) && shown < 16) {
        int d = i >= e->n ? 1 : j >= k->n ? -1 : tup_cmp(&e->v[i], &k->v[j]);
        if (d == 0) {
            i++, j++;
            continue;
        }
        char t[160];
        tup_str(sc, d < 0 ? &e->v[i] : &k->v[j], t, sizeof t);
        len += (size_t)snprintf(out + len, cap - len, "  %s: only in %s: %s\n", host,
                                d < 0 ? "portsim" : "the kernel", t);
        if (d < 0) i++;
        else j++;
        shown++;
    }
    return out;
}

/* Ports the kernel chose for one protocol's sockets, as the engine's
 * numbers, sorted for pmap_find (malloc'd; NULL with *n = 0 when none or
 * memory ran out, which sets c->nomem). A UDP bind is keyed with no peer,
 * as /proc/net/udp shows an unconnected socket. */
static pmap *port_map(vctx *c, bool udp, size_t *n)
{
    *n = 0;
    /* two entries at most per inst: its own port, and a router's for it */
    pmap *pm = malloc((c->ninsts ? c->ninsts * 2 : 1) * sizeof *pm);
    if (!pm) {
        c->nomem = true;
        return NULL;
    }
    for (uint32_t i = 0; i < c->ninsts; i++) {
        const inst *in = &c->insts[i];
        if (in->udp != udp || (in->listen && !udp) || !in->k_known || in->k_err != 0 || !in->e_known ||
            in->e_err != PS_OK)
            continue;
        if (in->listen) pm[(*n)++] = (pmap){ in->host, 0, in->k_sport, 0, in->e_sport };
        else pm[(*n)++] = (pmap){ in->host, in->dst, in->k_sport, in->dport, in->e_sport };
        /* The server's end of a masqueraded connection: the router's port. */
        if (in->k_nat && in->e_nat) {
            uint32_t g = ps_scenario_gateway(c->sc, in->host);
            pm[(*n)++] = (pmap){ g, in->dst, in->k_nat_port, in->dport, in->e_nat_port };
        }
    }
    if (*n) qsort(pm, *n, sizeof *pm, pmap_cmp);
    return pm;
}

/* One host's sockets of one protocol on both sides: a table row. */
static void table_row(vctx *c, uint32_t h, bool udp, const pmap *pm, size_t npm)
{
    tups et = { 0 }, kt = { 0 };
    for (uint32_t s = 0; s < ps_engine_socket_slots(c->e); s++) {
        const ps_socket *sk = ps_engine_socket(c->e, s);
        if (!sk->live || sk->host != h || (sk->proto == PS_PROTO_UDP) != udp ||
            (!udp && sk->state == PS_CLOSED))
            continue;
        tup t = { sk->state, sk->laddr, sk->raddr, sk->lport, sk->rport, sk->family };
        if (!tups_push(&et, t)) c->nomem = true;
    }
    if (et.n) qsort(et.v, et.n, sizeof *et.v, tup_cmp);
    const char *file = udp ? "/proc/self/net/udp" : "/proc/self/net/tcp";
    bool read_ok = false;
    /* The kernel finishes handshakes and FINs on its own clock: re-read
     * a little while until both agree (or give up and show it). */
    for (int tries = 0; tries < SNAP_TRIES; tries++) {
        if (tries) sleep_ms(25);
        kt.n = 0;
        size_t len;
        char *text = ps_netns_read(h, file, &len);
        read_ok = text && parse_proc_tcp(c, h, text, false, udp, pm, npm, &kt);
        free(text);
        /* TCP's AF_INET6 sockets are in their own table (UDP is IPv4 only) */
        text = read_ok && !udp ? ps_netns_read(h, "/proc/self/net/tcp6", &len) : NULL;
        if (read_ok && !udp) read_ok = text && parse_proc_tcp(c, h, text, true, false, pm, npm, &kt);
        free(text);
        if (!read_ok) continue;
        if (kt.n) qsort(kt.v, kt.n, sizeof *kt.v, tup_cmp);
        if (tups_equal(&et, &kt)) break;
    }
    uint32_t ri = new_row(c, ps_engine_now(c->e), h, PS_NONE, RK_TABLE);
    if (ri != PS_NONE) {
        row *r = &c->rows[ri];
        snprintf(r->op, sizeof r->op, udp ? "UDP sockets (ss -uan)" : "sockets (ss -tan)");
        char eb[200], kb[200];
        table_cell(&et, eb, sizeof eb);
        if (!read_ok)
            snprintf(kb, sizeof kb, "cannot read /proc/net/%s in %s", udp ? "udp" : "tcp", ps_netns_name(h));
        else table_cell(&kt, kb, sizeof kb);
        bool same = read_ok && tups_equal(&et, &kt) && strcmp(eb, kb) == 0;
        if (read_ok && !same && strcmp(eb, kb) == 0) {
            size_t l = strlen(kb);
            snprintf(kb + l, sizeof kb - l, "; other 4-tuples");
        }
        r->eng = ps_verify_strdup(c, eb);
        r->ker = ps_verify_strdup(c, kb);
        r->st = same ? ST_AGREE : ST_DIFFER;
        if (!same && read_ok) r->detail = diff_detail(c->sc, c->sc->hosts[h].name, &et, &kt);
    }
    free(et.v);
    free(kt.v);
}

/* How many datagrams each open UDP socket of host h has received, on both
 * sides: "dns 2, q1 1". This is where demultiplexing by destination shows:
 * one server socket takes every client's datagrams. Asked of the kernel
 * last, since a socket nobody reads is drained to count. */
static void received_row(vctx *c, uint32_t h)
{
    ps_sbuf eb = { 0 }, kb = { 0 };
    for (uint32_t i = 0; i < c->ninsts; i++) {
        const inst *in = &c->insts[i];
        if (!in->udp || in->host != h || in->e_slot == PS_NONE || slot(c, in->e_slot) != i) continue;
        const ps_socket *sk = ps_engine_socket(c->e, in->e_slot);
        if (!sk->live) continue;
        char name[48];
        if (in->sock != PS_NONE) snprintf(name, sizeof name, "%s", c->sc->socks[in->sock].name);
        else snprintf(name, sizeof name, "%s:%u", ps_engine_proc(c->e, in->proc)->name, sk->lport);
        ps_vcmd cmd;
        memset(&cmd, 0, sizeof cmd);
        cmd.op = PS_VOP_UDP_COUNT;
        cmd.id = i;
        ps_vmsg m;
        bool alive = in->k_known && in->k_err == 0 && in->proc < c->nvp && c->vp[in->proc].pid;
        int err = alive ? ps_verify_command(c, in->proc, &cmd, &m) : EBADF;
        ps_sbuf_printf(&eb, "%s%s %u", eb.len ? ", " : "", name, sk->rcv_nxt);
        if (err == 0) ps_sbuf_printf(&kb, "%s%s %u", kb.len ? ", " : "", name, m.count);
        else ps_sbuf_printf(&kb, "%s%s: %s", kb.len ? ", " : "", name, err < 0 ? "no answer" : ps_verify_errname(err));
    }
    if (eb.len || kb.len) {
        uint32_t ri = new_row(c, ps_engine_now(c->e), h, PS_NONE, RK_TABLE);
        if (ri != PS_NONE) {
            row *r = &c->rows[ri];
            snprintf(r->op, sizeof r->op, "UDP datagrams received");
            r->eng = ps_verify_strdup(c, eb.s ? eb.s : "");
            r->ker = ps_verify_strdup(c, kb.s ? kb.s : "");
            r->st = eb.s && kb.s && !eb.failed && !kb.failed && strcmp(eb.s, kb.s) == 0 ? ST_AGREE : ST_DIFFER;
        }
    }
    if (eb.failed || kb.failed) c->nomem = true;
    ps_sbuf_free(&eb);
    ps_sbuf_free(&kb);
}

/* Whether the scenario has UDP sockets: only then do tables list UDP. */
static bool uses_udp(const ps_scenario *sc)
{
    for (uint32_t a = 0; a < sc->nactions; a++)
        if (sc->actions[a].kind == PS_ACT_UDP_BIND || sc->actions[a].kind == PS_ACT_UDP_CONNECT) return true;
    return false;
}

/* ---- a router's translation table: the engine's and /proc/net/nf_conntrack ---- */

/* One tracked connection as both sides can state it: the state, the
 * addresses and the server's port, and whether the public port is the
 * client's own (ephemeral and router-chosen numbers differ by design). */
static void ct_line(char *buf, size_t n, const char *state, const ps_tuple *o, const ps_tuple *r)
{
    char a[16], b[16], d[16], x[16];
    snprintf(buf, n, "%s %s -> %s:%u, replies %s:%u -> %s (%s)", state, ps_addr_str(o->src, a),
             ps_addr_str(o->dst, b), o->dport, ps_addr_str(r->src, d), r->sport, ps_addr_str(r->dst, x),
             r->dport == o->sport ? "port kept" : "port changed");
}

typedef struct lines {
    char (*v)[128];
    uint32_t n, cap;
} lines;

static bool lines_push(lines *l, const char *s)
{
    if (!ps_grow(&l->v, &l->cap, (size_t)l->n + 1, sizeof *l->v)) return false;
    snprintf(l->v[l->n++], sizeof *l->v, "%s", s);
    return true;
}

static int line_cmp(const void *a, const void *b) { return strcmp(a, b); }

/* "ipv4 2 tcp 6 117 TIME_WAIT src=.. dst=.. sport=.. dport=.. [UNREPLIED] src=.. ..." */
static bool parse_conntrack(const char *text, lines *out)
{
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        char state[24] = "UDP";
        unsigned to;
        int at = 0;
        /* A UDP entry has no state: "ipv4 2 udp 17 29 src=.." */
        if (sscanf(line, "ipv4 %*u udp %*u %u %n", &to, &at) == 1 && at != 0) {
            const char *u = strstr(line, "[UNREPLIED]"), *eol = strchr(line, '\n');
            if (u && (!eol || u < eol)) snprintf(state, sizeof state, "UDP-UNREPLIED");
        } else if (sscanf(line, "ipv4 %*u tcp %*u %u %23s %n", &to, state, &at) != 2 || at == 0)
            continue;
        ps_tuple t[2];
        const char *q = line + at;
        bool ok = true;
        for (int k = 0; k < 2 && ok; k++) {
            char sa[16], da[16];
            unsigned sp, dp;
            int used = 0;
            ok = sscanf(q, "src=%15s dst=%15s sport=%u dport=%u %n", sa, da, &sp, &dp, &used) == 4 &&
                 ps_addr_parse(sa, strlen(sa), &t[k].src) && ps_addr_parse(da, strlen(da), &t[k].dst);
            t[k].sport = (uint16_t)sp;
            t[k].dport = (uint16_t)dp;
            q += used;
            if (ok && k == 0 && strncmp(q, "[UNREPLIED] ", 12) == 0) q += 12;
        }
        if (!ok) continue;
        char buf[128];
        ct_line(buf, sizeof buf, state, &t[0], &t[1]);
        if (!lines_push(out, buf)) return false;
    }
    return true;
}

static void lines_cell(const lines *l, char *buf, size_t n)
{
    /* "2 TIME_WAIT" per state, in the sorted order of the lines */
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < l->n;) {
        const char *sp = strchr(l->v[i], ' ');
        size_t sl = sp ? (size_t)(sp - l->v[i]) : strlen(l->v[i]);
        uint32_t j = i;
        while (j < l->n && strncmp(l->v[j], l->v[i], sl) == 0 && l->v[j][sl] == ' ') j++;
        if (len < n) len += (size_t)snprintf(buf + len, n - len, "%s%u %.*s", len ? ", " : "", j - i, (int)sl, l->v[i]);
        i = j > i ? j : i + 1;
    }
    if (!len) snprintf(buf, n, "none");
}

static bool lines_equal(const lines *a, const lines *b)
{
    if (a->n != b->n) return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i])) return false;
    return true;
}

static char *lines_diff(const char *host, const lines *e, const lines *k)
{
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = '\0';
    uint32_t i = 0, j = 0, shown = 0;
    while ((i < e->n || j < k->n) && shown < 16) {
        int d = i >= e->n ? 1 : j >= k->n ? -1 : strcmp(e->v[i], k->v[j]);
        if (d == 0) {
            i++, j++;
            continue;
        }
        len += (size_t)snprintf(out + len, cap - len, "  %s: only in %s: %s\n", host, d < 0 ? "portsim" : "the kernel",
                                d < 0 ? e->v[i] : k->v[j]);
        if (d < 0) i++;
        else j++;
        shown++;
    }
    return out;
}

/* Every tracking router's table on both sides, right now. */
static void conntrack_snapshot(vctx *c)
{
    for (uint32_t h = 0; h < c->sc->nhosts; h++) {
        const ps_nat *t = ps_engine_nat(c->e, h);
        if (!t || !t->tracking) continue;
        lines el = { 0 }, kl = { 0 };
        char buf[128];
        for (uint32_t i = 0; i < t->n; i++) {
            if (!ps_nat_live(t, i, ps_engine_now(c->e))) continue;
            const ps_ct_entry *en = &t->v[i];
            /* UDP has no state; whether a reply was seen is compared. */
            const char *st = en->proto != PS_PROTO_UDP ? ps_ct_state_name((ps_ct_state)en->state)
                             : en->replied               ? "UDP"
                                                         : "UDP-UNREPLIED";
            ct_line(buf, sizeof buf, st, &en->orig, &en->reply);
            if (!lines_push(&el, buf)) c->nomem = true;
        }
        if (el.n) qsort(el.v, el.n, sizeof *el.v, line_cmp);
        bool read_ok = false;
        for (int tries = 0; tries < SNAP_TRIES; tries++) {
            if (tries) sleep_ms(25);
            kl.n = 0;
            size_t len;
            char *text = ps_netns_read(h, "/proc/self/net/nf_conntrack", &len);
            read_ok = text && parse_conntrack(text, &kl);
            free(text);
            if (!read_ok) continue;
            if (kl.n) qsort(kl.v, kl.n, sizeof *kl.v, line_cmp);
            if (lines_equal(&el, &kl)) break;
        }
        uint32_t ri = new_row(c, ps_engine_now(c->e), h, PS_NONE, RK_TABLE);
        if (ri != PS_NONE) {
            row *r = &c->rows[ri];
            snprintf(r->op, sizeof r->op, "translation table (conntrack -L)");
            char eb[200], kb[200];
            lines_cell(&el, eb, sizeof eb);
            if (!read_ok) snprintf(kb, sizeof kb, "cannot read /proc/net/nf_conntrack in %s", ps_netns_name(h));
            else lines_cell(&kl, kb, sizeof kb);
            bool same = read_ok && lines_equal(&el, &kl);
            if (read_ok && !same && strcmp(eb, kb) == 0) {
                size_t l = strlen(kb);
                snprintf(kb + l, sizeof kb - l, "; other entries");
            }
            r->eng = ps_verify_strdup(c, eb);
            r->ker = ps_verify_strdup(c, kb);
            r->st = same ? ST_AGREE : ST_DIFFER;
            if (!same && read_ok) r->detail = lines_diff(c->sc->hosts[h].name, &el, &kl);
        }
        free(el.v);
        free(kl.v);
    }
}

/* Both sides' sockets on every host, right now. */
static void snapshot(vctx *c)
{
    if (c->quiet) c->quiet = false;
    sleep_ms(30 + QUIET_MS);
    size_t ntcp = 0, nudp = 0;
    bool udp = uses_udp(c->sc);
    pmap *tcp_map = port_map(c, false, &ntcp);
    pmap *udp_map = udp ? port_map(c, true, &nudp) : NULL;
    if (tcp_map && (udp_map || !udp)) {
        for (uint32_t h = 0; h < c->sc->nhosts; h++) {
            table_row(c, h, false, tcp_map, ntcp);
            if (udp) table_row(c, h, true, udp_map, nudp);
        }
        for (uint32_t h = 0; h < c->sc->nhosts && udp; h++) received_row(c, h);
    }
    free(tcp_map);
    free(udp_map);
    conntrack_snapshot(c);
}

/* ---- the engine and the kernel, step by step ---- */

static bool replay(vctx *c)
{
    ps_engine_set_sink(c->e, on_event, c);
    bool udp = uses_udp(c->sc);
    for (;;) {
        ps_time next = ps_engine_next_time(c->e);
        if (next == PS_TIME_NEVER) break;
        /* A TIME-WAIT is about to run out in the simulation: the kernel's
         * would need a real minute. Compare here; replay nothing after. */
        if (!c->horizon && ps_verify_past_horizon(c->tw_first, next)) {
            snapshot(c);
            c->horizon = true;
        } else if (!c->horizon && udp && ps_verify_udp_entry_expires(c->e, next)) {
            /* A router's UDP entry is about to run out: 30 real seconds on the kernel. */
            snapshot(c);
            c->horizon = c->horizon_udp = true;
        }
        c->step_action = c->step_inst = PS_NONE;
        c->nsub = 0;
        if (!ps_engine_step(c->e)) break;
        if (c->step_action != PS_NONE) kernel_step(c);
        if (c->nadopt) kernel_adopt(c);
        if (c->nomem || c->fatal[0]) return false;
    }
    if (!c->horizon) snapshot(c);
    return !c->nomem && !c->fatal[0] && ps_engine_status(c->e) == PS_RUN_OK;
}

/* ---- helpers for every simulated process ---- */

static bool start_helpers(vctx *c, char *err, size_t n)
{
    if (!ensure_proc(c, c->sc->nprocs)) {
        snprintf(err, n, "out of memory");
        return false;
    }
    for (uint32_t p = 0; p < c->sc->nprocs; p++) {
        c->alive[p] = 1;
        if (helper(c, p) != 0) {
            snprintf(err, n, "%s", c->fatal[0] ? c->fatal : "a helper did not start");
            return false;
        }
    }
    return true;
}

static void stop_helpers(vctx *c)
{
    for (uint32_t p = 0; p < c->nvp; p++) ps_vproc_kill(&c->vp[p]);
}

static void free_ctx(vctx *c)
{
    for (uint32_t i = 0; i < c->nrows; i++) {
        free(c->rows[i].eng);
        free(c->rows[i].ker);
        free(c->rows[i].detail);
    }
    free(c->rows);
    free(c->insts);
    free(c->act_row);
    free(c->sock_inst);
    free(c->slot_inst);
    free(c->vp);
    free(c->alive);
    free(c->users);
    free(c->sub);
    free(c->adopt);
    ps_table_free(&c->conns);
    ps_vbox_free(&c->box);
    if (c->e) ps_engine_free(c->e);
}

static int verify_scenario(ps_scenario *sc, const char *file)
{
    vctx c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.tw_first = PS_TIME_NEVER;
    ps_table_init(&c.conns);
    c.act_row = malloc((sc->nactions ? sc->nactions : 1) * sizeof *c.act_row);
    c.sock_inst = malloc((sc->nsocks ? sc->nsocks : 1) * sizeof *c.sock_inst);
    c.e = ps_engine_new(sc, sc->seed);
    if (!c.act_row || !c.sock_inst || !c.e) {
        fprintf(stderr, "portsim verify: out of memory\n");
        free_ctx(&c);
        return PS_EXIT_FAILED;
    }
    ps_shell_attach(c.e);
    for (uint32_t a = 0; a < sc->nactions; a++) c.act_row[a] = PS_NONE;
    for (uint32_t s = 0; s < sc->nsocks; s++) c.sock_inst[s] = PS_NONE;
    /* An `accept as` line does nothing by itself (the engine names the
     * connection when it is accepted): its row is made here, and the table
     * is printed in time order. */
    for (uint32_t a = 0; a < sc->nactions; a++) {
        const ps_action *act = &sc->actions[a];
        if (act->kind == PS_ACT_ACCEPT)
            c.act_row[a] = new_row(&c, act->t, sc->actions[sc->socks[act->listener].action].host, a,
                                   RK_INST);
    }

    char err[512];
    if (!ps_netns_create(sc, err, sizeof err) || !start_helpers(&c, err, sizeof err)) {
        stop_helpers(&c);
        ps_netns_destroy();
        fprintf(stderr, "portsim verify: cannot set up the namespaces: %s\n"
                        "portsim verify: nothing was compared.\n", err);
        free_ctx(&c);
        return PS_EXIT_UNAVAILABLE;
    }
    printf("portsim verify %s: %u host%s, each its own network namespace (%s ...); "
           "users other than root run as uids %u to %u\n\n",
           file, sc->nhosts, sc->nhosts == 1 ? "" : "s", ps_netns_name(0), (unsigned)ps_verify_uid(0),
           (unsigned)ps_verify_uid(UID_PER_RUN - 1));
    bool ok = replay(&c);
    stop_helpers(&c);
    ps_netns_destroy();
    unsigned left = ps_netns_leftovers();
    int rc;
    if (!ok && c.fatal[0]) {
        fprintf(stderr, "portsim verify: %s\nportsim verify: nothing conclusive was compared.\n", c.fatal);
        rc = PS_EXIT_UNAVAILABLE;
    } else if (!ok) {
        fprintf(stderr, "portsim verify: the simulation stopped: %s\n",
                c.nomem ? "out of memory" : ps_run_status_message(ps_engine_status(c.e)));
        rc = PS_EXIT_FAILED;
    } else {
        ps_verify_finish_rows(&c);
        rc = c.nomem ? PS_EXIT_FAILED : ps_verify_print_table(&c);
    }
    if (left) {
        fprintf(stderr, "portsim verify: %u namespace(s) could not be removed\n", left);
        rc = PS_EXIT_FAILED;
    }
    free_ctx(&c);
    return rc;
}

/* ---- the command ---- */

int ps_cmd_verify(int argc, char **argv)
{
    const char *file = NULL;
    bool self = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--self-test") == 0) {
            self = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            static const char *const opts[] = { "--self-test", "--help" };
            char hint[96];
            fprintf(stderr, "portsim verify: unknown option '%s'%s\nTry 'portsim verify --help'.\n", argv[i],
                    ps_suggest_hint(argv[i], strlen(argv[i]), opts, 2, hint, sizeof hint));
            return PS_EXIT_USAGE;
        } else if (file) {
            fprintf(stderr, "portsim verify: one scenario at a time (got '%s' too)\n", argv[i]);
            return PS_EXIT_USAGE;
        } else {
            file = argv[i];
        }
    }
    if (self && !file) return ps_verify_self_test();
    if (!file || self) {
        fprintf(stderr, "portsim verify: %s\nTry 'portsim verify --help'.\n",
                self ? "--self-test takes no scenario" : "missing scenario file");
        return PS_EXIT_USAGE;
    }
    ps_scenario *sc = ps_scenario_load_or_report(file);
    if (!sc) return PS_EXIT_USAGE;
    char why[512];
    if (!ps_netns_supported(why, sizeof why)) {
        fprintf(stderr, "portsim verify: cannot compare with the kernel here: %s\n"
                        "portsim verify: nothing was compared (exit %d, not a pass).\n",
                why, PS_EXIT_UNAVAILABLE);
        ps_scenario_free(sc);
        return PS_EXIT_UNAVAILABLE;
    }
    if (!ps_verify_preflight(sc, why, sizeof why)) {
        fprintf(stderr, "portsim verify: cannot verify here: %s\n"
                        "portsim verify: nothing was compared (exit %d, not a pass).\n",
                why, PS_EXIT_UNAVAILABLE);
        ps_scenario_free(sc);
        return PS_EXIT_UNAVAILABLE;
    }
    int rc = verify_scenario(sc, file);
    ps_scenario_free(sc);
    return rc;
}
