/* engine.c — the engine's life cycle, its event loop, the socket operations
 * (listen, connect, send, close, kill) and the read-only views. The TCP state
 * machine that reacts to arriving segments lives in tcp.c. */
#include "engine_internal.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>


/* ---- small helpers ---- */

static bool host_owns(const ps_host_spec *h, ps_addr a)
{
    for (uint32_t i = 0; i < h->naddrs; i++)
        if (h->addrs[i] == a) return true;
    return false;
}

static bool addr_eq(const void *ctx, uint32_t v, const void *key)
{
    return host_owns(&((const ps_scenario *)ctx)->hosts[v], *(const ps_addr *)key);
}

static uint64_t pair_key(uint32_t a, uint32_t b)
{
    return a < b ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
}

static bool link_eq(const void *ctx, uint32_t v, const void *key)
{
    const ps_link_spec *l = &((const ps_scenario *)ctx)->links[v];
    return pair_key(l->a, l->b) == *(const uint64_t *)key;
}

static bool is_loopback(ps_addr a) { return (a >> 24) == 127; }

uint32_t ps__route(const ps_engine *e, uint32_t from, ps_addr dst, ps_time *latency)
{
    if (is_loopback(dst)) {
        *latency = PS_LOOPBACK_US;
        return from;
    }
    uint32_t h = ps_table_find(&e->addr_index, ps_hash64(dst), addr_eq, e->sc, &dst);
    if (h == PS_NONE) return PS_NONE;
    if (h == from) {
        *latency = PS_LOOPBACK_US;
        return h;
    }
    uint64_t k = pair_key(from, h);
    uint32_t l = ps_table_find(&e->link_index, ps_hash64(k), link_eq, e->sc, &k);
    if (l == PS_NONE) return PS_NONE;
    *latency = e->sc->links[l].latency;
    return h;
}

void ps__nomem(ps_engine *e) { e->status = PS_RUN_NOMEM; }

/* ---- events ---- */

void ps__emit(ps_engine *e, ps_event *ev)
{
    ev->t = e->now;
    ev->seq = e->nevents++;
    ev->action = e->cur_action;
    ev->host_name = ev->host != PS_NONE ? e->sc->hosts[ev->host].name : NULL;
    if (e->sink) e->sink(e->sink_ctx, ev);
}

ps_event ps__host_event(const ps_engine *e, ps_event_kind kind, uint32_t host)
{
    (void)e;
    ps_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.host = host;
    ev.socket = PS_NONE;
    ev.segment = PS_NONE;
    return ev;
}

static void fill_proc(const ps_engine *e, ps_event *ev, uint32_t proc)
{
    if (proc == PS_NONE) return;
    ev->pid = e->procs[proc].pid;
    ev->proc = e->procs[proc].name;
}

ps_event ps__sock_event(const ps_engine *e, ps_event_kind kind, uint32_t s)
{
    const ps_socket *sk = &e->socks[s];
    ps_event ev = ps__host_event(e, kind, sk->host);
    ev.socket = s;
    fill_proc(e, &ev, sk->proc);
    if (sk->name != PS_NONE) ev.sock = e->sc->socks[sk->name].name;
    ev.has_src = true;
    ev.src_addr = sk->laddr;
    ev.src_port = sk->lport;
    if (sk->raddr || sk->rport) {
        ev.has_dst = true;
        ev.dst_addr = sk->raddr;
        ev.dst_port = sk->rport;
    }
    ev.state = (ps_tcp_state)sk->state;
    return ev;
}

/* ---- file descriptors ---- */

bool ps__fd_alloc(ps_engine *e, uint32_t proc, uint32_t *fd)
{
    ps_fdset *f = &e->fds[proc];
    for (uint32_t w = f->hint;; w++) {
        if (w == f->words) {
            uint32_t words = f->words;
            if (!ps_grow(&f->bits, &words, (size_t)f->words + 1, sizeof *f->bits)) return false;
            memset(f->bits + f->words, 0, (words - f->words) * sizeof *f->bits);
            if (f->words == 0) f->bits[0] = 7; /* 0, 1, 2: stdin, stdout, stderr */
            f->words = words;
        }
        if (f->bits[w] != UINT64_MAX) {
            int bit = (int)ps_ctz64(~f->bits[w]);
            f->bits[w] |= 1ull << bit;
            f->hint = w;
            *fd = w * 64 + (uint32_t)bit;
            return true;
        }
    }
}

static void fd_free(ps_engine *e, uint32_t proc, uint32_t fd)
{
    ps_fdset *f = &e->fds[proc];
    f->bits[fd / 64] &= ~(1ull << (fd % 64));
    if (fd / 64 < f->hint) f->hint = fd / 64;
}

/* ---- sockets ---- */

uint32_t ps__sock_new(ps_engine *e, uint32_t host)
{
    if (e->sock_live >= PS_MAX_LIVE_SOCKETS) {
        if (e->status == PS_RUN_OK) e->status = PS_RUN_SOCKETS;
        return PS_NONE;
    }
    uint32_t s = e->sock_free;
    if (s != PS_NONE) {
        e->sock_free = e->socks[s].link;
    } else {
        if (!ps_grow(&e->socks, &e->sockcap, (size_t)e->nsocks + 1, sizeof *e->socks)) {
            ps__nomem(e);
            return PS_NONE;
        }
        s = e->nsocks++;
    }
    ps_socket *sk = &e->socks[s];
    memset(sk, 0, sizeof *sk);
    PS_ASSERT(host <= UINT16_MAX);
    sk->live = 1;
    sk->host = (uint16_t)host;
    sk->proc = sk->name = sk->link = sk->text = PS_NONE;
    e->sock_live++;
    e->state_count[(size_t)host * PS_STATE_COUNT + PS_CLOSED]++;
    return s;
}

/* Returns a slot to the free list without any event (nothing was held). */
static void sock_discard(ps_engine *e, uint32_t s)
{
    ps_socket *sk = &e->socks[s];
    if (sk->proc != PS_NONE && sk->fd) fd_free(e, sk->proc, sk->fd);
    e->state_count[(size_t)sk->host * PS_STATE_COUNT + sk->state]--;
    sk->live = 0;
    sk->link = e->sock_free;
    e->sock_free = s;
    e->sock_live--;
}

static void remember_named(ps_engine *e, uint32_t s)
{
    const ps_socket *sk = &e->socks[s];
    if (sk->name == PS_NONE) return;
    e->named_last[sk->name] = *sk;
    e->named_seen[sk->name] = 1;
    if (e->named[sk->name] == s) e->named[sk->name] = PS_NONE;
}

void ps__sock_release(ps_engine *e, uint32_t s)
{
    ps_socket *sk = &e->socks[s];
    if (sk->raddr) ps_demux_remove(&e->demux, e->socks, s);
    if (sk->flags & PS_SOCK_BOUND) ps_ports_remove_owner(&e->ports, e->socks, s);
    else if (sk->flags & PS_SOCK_ACCEPTED) ps_ports_remove_user(&e->ports, sk, true);
    else if (sk->flags & PS_SOCK_EPHEMERAL) ps_ports_remove_user(&e->ports, sk, false);
    if (!ps__quiet(e)) {
        ps_event ev = ps__sock_event(e, PS_EV_RELEASE, s);
        ev.port = sk->lport;
        ev.port_free = !ps_ports_in_use(&e->ports, sk->host, sk->lport);
        ps__emit(e, &ev);
    }
    remember_named(e, s);
    sock_discard(e, s);
}

void ps__set_state(ps_engine *e, uint32_t s, ps_tcp_state st)
{
    ps_socket *sk = &e->socks[s];
    uint32_t *count = &e->state_count[(size_t)sk->host * PS_STATE_COUNT];
    PS_ASSERT(count[sk->state] > 0);
    count[sk->state]--;
    count[st]++;
    sk->state = (uint8_t)st;
}

ps_errno ps__fail(ps_engine *e, uint32_t s, ps_event *ev, const char *op, ps_errno err)
{
    ev->kind = PS_EV_ERROR;
    ev->op = op;
    ev->err = err;
    ps__emit(e, ev);
    if (s != PS_NONE) {
        ps_socket *sk = &e->socks[s];
        sk->err = (uint8_t)err;
        ps__set_state(e, s, PS_CLOSED);
        remember_named(e, s);
        sock_discard(e, s);
    }
    return err;
}

void ps__sock_error(ps_engine *e, uint32_t s, const char *op, ps_errno err)
{
    ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
    ps_socket *sk = &e->socks[s];
    ps__fail(e, PS_NONE, &ev, op, err);
    sk->err = (uint8_t)err;
    if (sk->name != PS_NONE) e->named_err[sk->name] = (uint8_t)err;
    ps__sock_release(e, s);
}

/* Records a new socket under its scenario name. */
static void name_socket(ps_engine *e, uint32_t s, uint32_t name)
{
    e->socks[s].name = name;
    if (name == PS_NONE) return;
    e->named[name] = s;
    e->named_seen[name] = 1;
    e->named_err[name] = PS_OK;
}

/* An event for an operation by `proc` before any socket exists. */
static ps_event proc_event(const ps_engine *e, ps_event_kind kind, uint32_t proc, uint32_t name)
{
    ps_event ev = ps__host_event(e, kind, e->procs[proc].host);
    fill_proc(e, &ev, proc);
    if (name != PS_NONE) ev.sock = e->sc->socks[name].name;
    return ev;
}

/* Marks a failure of an operation that never got a socket. */
static ps_errno fail_early(ps_engine *e, ps_event *ev, uint32_t name, const char *op, ps_errno err)
{
    if (name != PS_NONE) {
        e->named_err[name] = (uint8_t)err;
        e->named_seen[name] = 1;
        e->named[name] = PS_NONE;
        ps_socket *last = &e->named_last[name];
        memset(last, 0, sizeof *last);
        last->state = PS_CLOSED;
        last->err = (uint8_t)err;
        last->name = name;
        last->laddr = ev->src_addr;
        last->lport = ev->src_port;
        last->raddr = ev->dst_addr;
        last->rport = ev->dst_port;
    }
    return ps__fail(e, PS_NONE, ev, op, err);
}

/* ---- operations ---- */

ps_errno ps_engine_listen(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                          unsigned sockopts, const char *reply, uint32_t name, uint32_t *out)
{
    if (out) *out = PS_NONE;
    const ps_proc *p = &e->procs[proc];
    const ps_host_spec *h = &e->sc->hosts[p->host];
    ps_event ev = proc_event(e, PS_EV_LISTEN, proc, name);
    ev.has_src = true;
    ev.src_addr = addr;
    ev.src_port = port;
    ev.port = port;
    if (!p->alive) return fail_early(e, &ev, name, "listen", PS_ESRCH);
    /* The kernel's order in bind(): address, then privilege, then conflicts.
     * Every host's lo owns all of 127.0.0.0/8. */
    if (addr != PS_ADDR_ANY && !is_loopback(addr) && !host_owns(h, addr))
        return fail_early(e, &ev, name, "listen", PS_EADDRNOTAVAIL);
    if (port < h->unpriv_start && !p->root) return fail_early(e, &ev, name, "listen", PS_EACCES);
    sockopts &= PS_SOCK_REUSEADDR | PS_SOCK_REUSEPORT;
    ps_bind_req req = { p->host, addr, port, (sockopts & PS_SOCK_REUSEADDR) != 0,
                        (sockopts & PS_SOCK_REUSEPORT) != 0, p->uid };
    if (ps_ports_bind_check(&e->ports, e->socks, &req) != PS_OK)
        return fail_early(e, &ev, name, "listen", PS_EADDRINUSE);

    uint32_t s = ps__sock_new(e, p->host);
    if (s == PS_NONE) return PS_EADDRNOTAVAIL;
    ps_socket *sk = &e->socks[s];
    sk->proc = proc;
    sk->laddr = addr;
    sk->lport = port;
    ps__set_state(e, s, PS_LISTEN);
    sk->flags = (uint8_t)(PS_SOCK_LISTENER | PS_SOCK_BOUND | sockopts);
    sk->uid = (uint16_t)p->uid;
    if (!ps__set_text(e, s, reply) || !ps__fd_alloc(e, proc, &sk->fd) ||
        !ps_ports_add_owner(&e->ports, e->socks, s)) {
        sk->fd = 0;
        sock_discard(e, s);
        ps__nomem(e);
        return PS_EADDRNOTAVAIL;
    }
    name_socket(e, s, name);
    ev = ps__sock_event(e, PS_EV_LISTEN, s);
    ev.port = port;
    ps__emit(e, &ev);
    if (out) *out = s;
    return PS_OK;
}

ps_errno ps_engine_connect(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                           uint16_t from_port, uint32_t name, uint32_t *out)
{
    if (out) *out = PS_NONE;
    const ps_proc *p = &e->procs[proc];
    const ps_host_spec *h = &e->sc->hosts[p->host];
    ps_event ev = proc_event(e, PS_EV_CONNECT, proc, name);
    ev.has_dst = true;
    ev.dst_addr = dst;
    ev.dst_port = dport;
    if (!p->alive) return fail_early(e, &ev, name, "connect", PS_ESRCH);
    ps_time latency;
    uint32_t to = ps__route(e, p->host, dst, &latency);
    if (to == PS_NONE) return fail_early(e, &ev, name, "connect", PS_EHOSTUNREACH);
    /* Source address: loopback for 127.x, the address itself when a host
     * calls its own address, else the host's primary address. */
    ps_addr saddr = is_loopback(dst) ? PS_ADDR_LOOPBACK : (to == p->host ? dst : h->addrs[0]);
    ev.src_addr = saddr;
    uint16_t sport = from_port;
    uint8_t flags;
    if (from_port) {
        /* A pinned source port is an explicit bind() before connect(). */
        ev.has_src = true;
        ev.src_port = from_port;
        if (from_port < h->unpriv_start && !p->root)
            return fail_early(e, &ev, name, "connect", PS_EACCES);
        ps_bind_req req = { p->host, saddr, from_port, false, false, p->uid };
        if (ps_ports_bind_check(&e->ports, e->socks, &req) != PS_OK)
            return fail_early(e, &ev, name, "connect", PS_EADDRINUSE);
        if (ps_demux_connection(&e->demux, e->socks, p->host, saddr, from_port, dst, dport) !=
            PS_NONE)
            return fail_early(e, &ev, name, "connect", PS_EADDRNOTAVAIL);
        flags = PS_SOCK_BOUND;
    } else {
        if (ps_ports_pick(&e->ports, e->socks, &e->demux, &e->rng, p->host, h->eph_lo, h->eph_hi,
                          saddr, dst, dport, &sport) != PS_OK) {
            if (e->ports.nomem) { /* not a full range: memory ran out */
                ps__nomem(e);
                return PS_EADDRNOTAVAIL;
            }
            return fail_early(e, &ev, name, "connect", PS_EADDRNOTAVAIL);
        }
        flags = PS_SOCK_EPHEMERAL;
    }

    uint32_t s = ps__sock_new(e, p->host);
    if (s == PS_NONE) return PS_EADDRNOTAVAIL;
    ps_socket *sk = &e->socks[s];
    sk->proc = proc;
    sk->laddr = saddr;
    sk->lport = sport;
    sk->raddr = dst;
    sk->rport = dport;
    sk->flags = flags;
    sk->uid = (uint16_t)p->uid;
    ps__set_state(e, s, PS_SYN_SENT);
    uint32_t isn = (uint32_t)ps_rng_next(&e->rng);
    sk->snd_nxt = isn + 1;
    bool ok = ps__fd_alloc(e, proc, &sk->fd);
    if (ok) {
        ok = (flags & PS_SOCK_BOUND) ? ps_ports_add_owner(&e->ports, e->socks, s)
                                     : ps_ports_add_user(&e->ports, sk, false);
        if (ok && !ps_demux_add(&e->demux, e->socks, s)) {
            if (flags & PS_SOCK_BOUND) ps_ports_remove_owner(&e->ports, e->socks, s);
            else ps_ports_remove_user(&e->ports, sk, false);
            ok = false;
        }
    }
    if (!ok) {
        sock_discard(e, s);
        ps__nomem(e);
        return PS_EADDRNOTAVAIL;
    }
    name_socket(e, s, name);
    ev = ps__sock_event(e, PS_EV_CONNECT, s);
    ev.ephemeral = !from_port;
    ps__emit(e, &ev);
    ps__tcp_send(e, p->host, s, saddr, sport, dst, dport, PS_SYN, isn, 0, NULL);
    if (out) *out = s;
    return PS_OK;
}

/* The live socket for an operation, or PS_NONE after reporting EBADF. */
static uint32_t live_socket(ps_engine *e, uint32_t s, const char *op)
{
    if (s < e->nsocks && e->socks[s].live) return s;
    ps_event ev = ps__host_event(e, PS_EV_ERROR, PS_NONE);
    ps__fail(e, PS_NONE, &ev, op, PS_EBADF);
    return PS_NONE;
}

ps_errno ps_engine_request(ps_engine *e, uint32_t s, const char *text)
{
    if (live_socket(e, s, "send") == PS_NONE) return PS_EBADF;
    ps_socket *sk = &e->socks[s];
    if (sk->state != PS_SYN_SENT) {
        ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
        return ps__fail(e, PS_NONE, &ev, "send", PS_EISCONN);
    }
    sk->flags |= PS_SOCK_REQUESTER;
    return ps__set_text(e, s, text) ? PS_OK : PS_EADDRNOTAVAIL;
}

ps_errno ps_engine_send(ps_engine *e, uint32_t s, const char *text)
{
    if (live_socket(e, s, "send") == PS_NONE) return PS_EBADF;
    ps_tcp_state st = (ps_tcp_state)e->socks[s].state;
    if (st != PS_ESTABLISHED && st != PS_CLOSE_WAIT) {
        ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
        return ps__fail(e, PS_NONE, &ev, "send", PS_ENOTCONN);
    }
    ps__tcp_output(e, s, PS_PSH | PS_ACK, text);
    return PS_OK;
}

/* Closing a listener resets the connections still in its handshake, as
 * inet_csk_listen_stop() does; established ones are already the app's. */
static void listen_stop(ps_engine *e, uint32_t l)
{
    for (uint32_t s = 0; s < e->nsocks; s++) {
        ps_socket *sk = &e->socks[s];
        if (sk->live && (sk->flags & PS_SOCK_ACCEPTED) && sk->listener == l &&
            sk->state == PS_SYN_RECV) {
            ps__tcp_output(e, s, PS_RST, NULL);
            ps__sock_release(e, s);
        }
    }
}

/* The process lets go of socket s: its fd closes, the socket lives on
 * (orphaned) until the close handshake and TIME-WAIT are over. */
static void orphan(ps_engine *e, uint32_t s)
{
    ps_socket *sk = &e->socks[s];
    if (sk->proc != PS_NONE && sk->fd) fd_free(e, sk->proc, sk->fd);
    sk->proc = PS_NONE;
    sk->fd = 0;
    sk->flags |= PS_SOCK_ORPHAN;
}

ps_errno ps_engine_close(ps_engine *e, uint32_t s)
{
    if (live_socket(e, s, "close") == PS_NONE) return PS_EBADF;
    ps_socket *sk = &e->socks[s];
    ps_tcp_state st = (ps_tcp_state)sk->state;
    if (sk->flags & PS_SOCK_ORPHAN) {
        ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
        return ps__fail(e, PS_NONE, &ev, "close", PS_EBADF);
    }
    ps_tcp_state next = st == PS_ESTABLISHED ? PS_FIN_WAIT_1
                        : st == PS_CLOSE_WAIT ? PS_LAST_ACK
                                              : PS_CLOSED;
    if (!ps__quiet(e)) {
        ps_event ev = ps__sock_event(e, PS_EV_CLOSE, s);
        ev.state = next;
        ps__emit(e, &ev);
    }
    if (next == PS_CLOSED) {
        if (st == PS_LISTEN) listen_stop(e, s);
        else if (st == PS_SYN_RECV) ps__tcp_output(e, s, PS_RST, NULL);
        ps__sock_release(e, s);
        return PS_OK;
    }
    ps__set_state(e, s, next);
    orphan(e, s);
    ps__tcp_output(e, s, PS_FIN | PS_ACK, NULL);
    return PS_OK;
}

ps_errno ps_engine_kill(ps_engine *e, uint32_t host, uint32_t pid)
{
    uint32_t proc = ps_engine_find_pid(e, host, pid);
    if (proc == PS_NONE) {
        ps_event ev = ps__host_event(e, PS_EV_ERROR, host);
        ev.pid = pid;
        return ps__fail(e, PS_NONE, &ev, "kill", PS_ESRCH);
    }
    ps_event ev = ps__host_event(e, PS_EV_KILL, host);
    fill_proc(e, &ev, proc);
    ps__emit(e, &ev);
    /* Exit closes every descriptor, lowest slot first (deterministic). */
    for (uint32_t s = 0; s < e->nsocks && e->status == PS_RUN_OK; s++)
        if (e->socks[s].live && e->socks[s].proc == proc) ps_engine_close(e, s);
    e->procs[proc].alive = false;
    return PS_OK;
}

uint32_t ps_engine_spawn(ps_engine *e, uint32_t host, const char *name, const char *user,
                         uint32_t pid)
{
    if (ps_engine_find_pid(e, host, pid) != PS_NONE) return PS_NONE;
    if (!ps_grow_pair(&e->procs, sizeof *e->procs, &e->fds, sizeof *e->fds, &e->proccap,
                      (size_t)e->nprocs + 1))
        return PS_NONE;
    char *n = ps_strdup(name), *u = ps_strdup(user);
    if (!n || !u) {
        free(n);
        free(u);
        return PS_NONE;
    }
    /* Users get ids in order of first appearance; root is 0. */
    bool root = strcmp(user, "root") == 0;
    uint32_t uid = 0, others = 0;
    if (!root) {
        uid = PS_NONE;
        for (uint32_t k = 0; k < e->nprocs && uid == PS_NONE; k++) {
            if (e->procs[k].root) continue;
            if (strcmp(e->procs[k].user, user) == 0) uid = e->procs[k].uid;
            else if (e->procs[k].uid >= 1000 + others) others = e->procs[k].uid - 999;
        }
        if (uid == PS_NONE) uid = 1000 + others;
    }
    uint32_t i = e->nprocs++;
    e->procs[i] = (ps_proc){ host, pid, n, u, true, root, uid };
    e->fds[i] = (ps_fdset){ NULL, 0, 0 };
    return i;
}

void ps_engine_note(ps_engine *e, ps_event_kind kind, uint32_t host, const char *text)
{
    ps_event ev = ps__host_event(e, kind, host);
    ev.text = text;
    ps__emit(e, &ev);
}

static bool text_eq(const void *ctx, uint32_t v, const void *key)
{
    return ((const char *const *)ctx)[v] == key;
}

bool ps__set_text(ps_engine *e, uint32_t s, const char *text)
{
    uint32_t i = PS_NONE;
    if (text != NULL) {
        uint32_t h = ps_hash64((uint64_t)(uintptr_t)text); /* order never reaches output */
        i = ps_table_find(&e->text_index, h, text_eq, e->texts, text);
        if (i == PS_NONE) {
            if (!ps_grow(&e->texts, &e->textcap, (size_t)e->ntexts + 1, sizeof *e->texts) ||
                !ps_table_insert(&e->text_index, h, e->ntexts)) {
                ps__nomem(e);
                return false;
            }
            e->texts[i = e->ntexts++] = text;
        }
    }
    e->socks[s].text = i;
    return true;
}

const char *ps__text(const ps_engine *e, uint32_t s)
{
    uint32_t i = e->socks[s].text;
    return i == PS_NONE ? NULL : e->texts[i];
}

const char *ps_engine_socket_text(const ps_engine *e, uint32_t s) { return ps__text(e, s); }

void ps__command_echo(ps_engine *e, uint32_t host, const char *cmdline)
{
    size_t n = strlen(cmdline);
    char *text = malloc(n + 3);
    if (text == NULL) {
        ps__nomem(e);
        return;
    }
    memcpy(text, "$ ", 2);
    memcpy(text + 2, cmdline, n + 1);
    ps_engine_note(e, PS_EV_SHELL, host, text);
    free(text);
}

void ps_engine_set_command_hook(ps_engine *e, ps_command_fn fn, void *ctx)
{
    e->command_fn = fn;
    e->command_ctx = ctx;
}

/* ---- life cycle ---- */

ps_engine *ps_engine_new(const ps_scenario *sc, uint64_t seed)
{
    ps_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->sc = sc;
    e->max_steps = PS_DEFAULT_MAX_STEPS;
    e->max_work = PS_DEFAULT_MAX_WORK;
    e->cur_action = PS_NONE;
    e->sock_free = PS_NONE;
    ps_rng_seed(&e->rng, seed);
    ps_evq_init(&e->q);
    ps_ports_init(&e->ports, seed);
    ps_demux_init(&e->demux);
    ps_table_init(&e->addr_index);
    ps_table_init(&e->link_index);
    ps_table_init(&e->text_index);
    uint32_t nn = sc->nsocks ? sc->nsocks : 1;
    e->state_count = calloc((size_t)(sc->nhosts ? sc->nhosts : 1) * PS_STATE_COUNT, sizeof *e->state_count);
    e->named = malloc(nn * sizeof *e->named);
    e->named_err = calloc(nn, 1);
    e->named_seen = calloc(nn, 1);
    e->named_last = calloc(nn, sizeof *e->named_last);
    if (!e->state_count || !e->named || !e->named_err || !e->named_seen || !e->named_last) goto fail;
    for (uint32_t i = 0; i < sc->nsocks; i++) e->named[i] = PS_NONE;
    for (uint32_t h = 0; h < sc->nhosts; h++)
        for (uint32_t a = 0; a < sc->hosts[h].naddrs; a++)
            if (!ps_table_insert(&e->addr_index, ps_hash64(sc->hosts[h].addrs[a]), h)) goto fail;
    for (uint32_t l = 0; l < sc->nlinks; l++)
        if (!ps_table_insert(&e->link_index, ps_hash64(pair_key(sc->links[l].a, sc->links[l].b)), l))
            goto fail;
    for (uint32_t i = 0; i < sc->nprocs; i++) {
        const ps_proc_spec *ps = &sc->procs[i];
        if (ps_engine_spawn(e, ps->host, ps->name, ps->user, ps->pid) == PS_NONE) goto fail;
    }
    /* Actions go in at their times in file order, so ties keep file order. */
    for (uint32_t a = 0; a < sc->nactions; a++)
        if (!ps_evq_push(&e->q, sc->actions[a].t, EVT_PACK(EVT_ACTION, 0, a))) goto fail;
    return e;
fail:
    ps_engine_free(e);
    return NULL;
}

void ps_engine_free(ps_engine *e)
{
    if (!e) return;
    ps_evq_free(&e->q);
    ps_ports_free(&e->ports);
    ps_demux_free(&e->demux);
    ps_table_free(&e->addr_index);
    ps_table_free(&e->link_index);
    for (uint32_t i = 0; i < e->nprocs; i++) {
        free((char *)e->procs[i].name);
        free((char *)e->procs[i].user);
        free(e->fds[i].bits);
    }
    free(e->procs);
    free(e->fds);
    free(e->socks);
    free(e->segs);
    free(e->seg_free);
    free(e->tw);
    free(e->tw_due);
    free(e->state_count);
    free(e->texts);
    ps_table_free(&e->text_index);
    free(e->named);
    free(e->named_err);
    free(e->named_seen);
    free(e->named_last);
    free(e);
}

void ps_engine_set_sink(ps_engine *e, ps_event_fn fn, void *ctx)
{
    e->sink = fn;
    e->sink_ctx = ctx;
}

void ps_engine_set_max_steps(ps_engine *e, uint64_t max_steps) { e->max_steps = max_steps; }
void ps_engine_set_max_work(ps_engine *e, uint64_t max_work) { e->max_work = max_work; }
uint64_t ps_engine_work(const ps_engine *e) { return e->work; }

bool ps_engine_charge(ps_engine *e, uint64_t n)
{
    if (e->status != PS_RUN_OK) return false;
    if (n > e->max_work - e->work) { /* no overflow: work <= max_work always */
        e->status = PS_RUN_WORK;
        return false;
    }
    e->work += n;
    return true;
}

/* ---- the event loop ---- */

static void run_action(ps_engine *e, uint32_t a, uint32_t rep)
{
    const ps_action *act = &e->sc->actions[a];
    e->cur_action = a;
    switch (act->kind) {
    case PS_ACT_LISTEN:
        ps_engine_listen(e, act->proc, act->addr, act->port,
                         (act->reuseaddr ? PS_SOCK_REUSEADDR : 0u) |
                             (act->reuseport ? PS_SOCK_REUSEPORT : 0u),
                         act->text, act->sock, NULL);
        break;
    case PS_ACT_CONNECT: {
        uint32_t s;
        ps_errno err =
            ps_engine_connect(e, act->proc, act->addr, act->port, act->from_port, act->sock, &s);
        if (err == PS_OK && act->text) ps_engine_request(e, s, act->text);
        if (rep + 1 < act->repeat &&
            !ps_evq_push(&e->q, ps_time_add(e->now, act->every), EVT_PACK(EVT_ACTION, rep + 1, a)))
            ps__nomem(e);
        break;
    }
    case PS_ACT_SEND:
    case PS_ACT_CLOSE: {
        uint32_t s = e->named[act->sock];
        const char *op = act->kind == PS_ACT_SEND ? "send" : "close";
        if (s == PS_NONE) {
            /* The named socket is gone (or never came up): report it on the
             * host that created it. */
            const ps_sock_spec *spec = &e->sc->socks[act->sock];
            ps_event ev = ps__host_event(e, PS_EV_ERROR, e->sc->actions[spec->action].host);
            ev.sock = spec->name;
            ps__fail(e, PS_NONE, &ev, op, PS_EBADF);
        } else if (act->kind == PS_ACT_SEND) {
            ps_engine_send(e, s, act->text);
        } else {
            ps_engine_close(e, s);
        }
        break;
    }
    case PS_ACT_KILL:
        ps_engine_kill(e, act->host, act->pid);
        break;
    case PS_ACT_SAY:
        ps_engine_note(e, PS_EV_SAY, PS_NONE, act->text);
        break;
    case PS_ACT_SHELL:
        /* The engine knows no tools: a command goes to whoever registered
         * (the userland does). Without one, the command is echoed alone. */
        if (e->command_fn == NULL) ps__command_echo(e, act->host, act->text);
        else if (!e->command_fn(e->command_ctx, e, act->host, act->text)) ps__nomem(e);
        break;
    case PS_ACT_COUNT:
        break;
    }
    e->cur_action = PS_NONE;
}

#ifdef PS_CHECKS
/* Every structure's invariants at once (O(size)): PS_ASSERTed at steps 1, 2,
 * 4, 8, ..., so checked builds pay O(n log n) in all, not O(n) a step. */
/* The per-state counts add up to the live sockets, and every live socket's
 * (host, state) is counted (no allocation: the check must not change what
 * an allocation-failure test sees). */
static bool counts_valid(const ps_engine *e)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)e->sc->nhosts * PS_STATE_COUNT; i++) sum += e->state_count[i];
    if (sum != e->sock_live) return false;
    for (uint32_t s = 0; s < e->nsocks; s++)
        if (e->socks[s].live && e->state_count[(size_t)e->socks[s].host * PS_STATE_COUNT + e->socks[s].state] == 0)
            return false;
    return true;
}

static bool structures_valid(const ps_engine *e)
{
    return counts_valid(e) && ps_evq_valid(&e->q) && ps_table_valid(&e->addr_index) && ps_table_valid(&e->link_index) &&
           ps_ports_valid(&e->ports) && ps_demux_valid(&e->demux, e->socks);
}
#endif

/* A million connections do not fit in any cache: each arrival's segment,
 * demux slot and socket are misses. Arrivals queued for this same instant
 * are known in advance, so their memory is requested a few steps early,
 * in a pipeline: the segment 6 steps ahead, then (its tuple now cached) its
 * demux slot 4 steps ahead, then (the slot cached) its socket 2 steps
 * ahead. Only hints: results do not depend on them. */
static void prefetch_ahead(const ps_engine *e)
{
    const ps_evq_item *it = ps_evq_peek_ready(&e->q, 6);
    if (it && EVT_KIND(it->data) == EVT_ARRIVE) PS_PREFETCH(&e->segs[EVT_INDEX(it->data)]);
    for (uint32_t ahead = 4; ahead >= 2; ahead -= 2) {
        if (!(it = ps_evq_peek_ready(&e->q, ahead)) || EVT_KIND(it->data) != EVT_ARRIVE) continue;
        const ps_segment *sg = &e->segs[EVT_INDEX(it->data)];
        if (ahead == 4) {
            ps_demux_prefetch(&e->demux, sg->dst_addr, sg->dst_port, sg->src_addr, sg->src_port);
        } else {
            uint32_t s = ps_demux_guess(&e->demux, sg->dst_addr, sg->dst_port, sg->src_addr, sg->src_port);
            if (s != PS_NONE) PS_PREFETCH(&e->socks[s]);
        }
    }
}

bool ps_engine_step(ps_engine *e)
{
    if (e->q.failed) ps__nomem(e);
    if (e->status != PS_RUN_OK || ps_evq_size(&e->q) == 0) return false;
    if (e->steps >= e->max_steps) {
        e->status = PS_RUN_LIMIT;
        return false;
    }
    ps_evq_item it;
    ps_evq_pop(&e->q, &it);
    e->now = it.t;
    e->steps++;
    prefetch_ahead(e);
    switch (EVT_KIND(it.data)) {
    case EVT_ACTION: run_action(e, EVT_INDEX(it.data), EVT_REP(it.data)); break;
    case EVT_ARRIVE: ps__tcp_arrive(e, EVT_INDEX(it.data)); break;
    case EVT_TIMEWAIT: ps__tcp_timewait_due(e); break;
    }
    PS_ASSERT((e->steps & (e->steps - 1)) != 0 || structures_valid(e));
    return true;
}

void ps_engine_run_until(ps_engine *e, ps_time t)
{
    while (ps_evq_next_time(&e->q) <= t && ps_engine_step(e)) {}
    if (e->status == PS_RUN_OK && t > e->now) e->now = t;
}

void ps_engine_run(ps_engine *e)
{
    while (ps_engine_step(e)) {}
}

/* ---- views ---- */

ps_run_status ps_engine_status(const ps_engine *e) { return e->status; }

const char *ps_run_status_message(ps_run_status st)
{
    switch (st) {
    case PS_RUN_OK: return "";
    case PS_RUN_LIMIT: return "too many queue steps (the step limit; see --max-steps)";
    case PS_RUN_NOMEM: return "out of memory";
    case PS_RUN_SOCKETS: return "too many sockets alive at once (the limit is 4194304)";
    case PS_RUN_WORK:
        return "too much shell work (the work budget: a command pays for every socket it lists "
               "and every byte it prints)";
    }
    return "stopped";
}
ps_time ps_engine_now(const ps_engine *e) { return e->now; }
ps_time ps_engine_next_time(const ps_engine *e)
{
    return ps_evq_next_time(&e->q);
}
uint64_t ps_engine_steps(const ps_engine *e) { return e->steps; }
uint64_t ps_engine_events(const ps_engine *e) { return e->nevents; }
const ps_scenario *ps_engine_scenario(const ps_engine *e) { return e->sc; }
uint32_t ps_engine_proc_count(const ps_engine *e) { return e->nprocs; }
const ps_proc *ps_engine_proc(const ps_engine *e, uint32_t i) { return &e->procs[i]; }
uint32_t ps_engine_socket_slots(const ps_engine *e) { return e->nsocks; }
const ps_socket *ps_engine_socket(const ps_engine *e, uint32_t i) { return &e->socks[i]; }
uint32_t ps_engine_state_count(const ps_engine *e, uint32_t host, ps_tcp_state st)
{
    PS_ASSERT(host < e->sc->nhosts && st < PS_STATE_COUNT);
    return e->state_count[(size_t)host * PS_STATE_COUNT + st];
}

uint32_t ps_engine_socket_live(const ps_engine *e) { return e->sock_live; }


uint32_t ps_engine_segment_slots(const ps_engine *e) { return e->nsegs; }
const ps_segment *ps_engine_segment(const ps_engine *e, uint32_t i) { return &e->segs[i]; }

uint32_t ps_engine_find_pid(const ps_engine *e, uint32_t host, uint32_t pid)
{
    for (uint32_t i = 0; i < e->nprocs; i++)
        if (e->procs[i].host == host && e->procs[i].pid == pid && e->procs[i].alive) return i;
    return PS_NONE;
}

uint32_t ps_engine_named_socket(const ps_engine *e, uint32_t sock_spec)
{
    return e->named[sock_spec];
}

ps_errno ps_engine_named_error(const ps_engine *e, uint32_t sock_spec)
{
    return (ps_errno)e->named_err[sock_spec];
}

const ps_socket *ps_engine_named_last(const ps_engine *e, uint32_t sock_spec)
{
    uint32_t s = e->named[sock_spec];
    if (s != PS_NONE) return &e->socks[s];
    return e->named_seen[sock_spec] ? &e->named_last[sock_spec] : NULL;
}

ps_port_state ps_engine_port_state(const ps_engine *e, uint32_t host, uint16_t port)
{
    if (!ps_ports_in_use(&e->ports, host, port)) return PS_PORT_FREE;
    for (uint32_t s = ps_ports_owners(&e->ports, host, port); s != PS_NONE; s = e->socks[s].link)
        if (e->socks[s].state == PS_LISTEN) return PS_PORT_LISTENING;
    return PS_PORT_USED;
}
