/* engine_sock.c — the engine's socket plumbing, shared by the operations
 * (engine_ops.c) and the TCP state machine (tcp.c): routing between hosts,
 * emitting events, file descriptors, socket slots and their release, and
 * the error paths of a failed operation. */
#include "engine_internal.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

bool ps__host_owns(const ps_host_spec *h, ps_addr a)
{
    for (uint32_t i = 0; i < h->naddrs; i++)
        if (h->addrs[i] == a) return true;
    for (uint32_t i = 0; i < h->naddrs6; i++)
        if (h->addrs6[i] == a) return true;
    return false;
}

static bool addr_eq(const void *ctx, uint32_t v, const void *key)
{
    return ps__host_owns(&((const ps_scenario *)ctx)->hosts[v], *(const ps_addr *)key);
}

uint64_t ps__pair_key(uint32_t a, uint32_t b)
{
    return a < b ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
}

static bool link_eq(const void *ctx, uint32_t v, const void *key)
{
    const ps_link_spec *l = &((const ps_scenario *)ctx)->links[v];
    return ps__pair_key(l->a, l->b) == *(const uint64_t *)key;
}

bool ps__is_loopback(ps_addr a) { return ps_addr_is_loopback(a); }

ps_addr ps__source_addr(const ps_engine *e, uint32_t host, uint32_t to, ps_addr dst)
{
    bool v6 = ps_addr_is_v6(dst);
    const ps_host_spec *h = &e->sc->hosts[host];
    if (ps__is_loopback(dst)) return v6 ? PS_ADDR6_LOOPBACK : PS_ADDR_LOOPBACK;
    return to == host ? dst : v6 ? h->addrs6[0] : h->addrs[0];
}

uint32_t ps__route(const ps_engine *e, uint32_t from, ps_addr dst, ps_time *latency)
{
    if (ps__is_loopback(dst)) {
        *latency = PS_LOOPBACK_US;
        return from;
    }
    uint32_t h = ps_table_find(&e->addr_index, ps_hash64(dst), addr_eq, e->sc, &dst);
    if (h == PS_NONE) return PS_NONE;
    if (h == from) {
        *latency = PS_LOOPBACK_US;
        return h;
    }
    uint64_t k = ps__pair_key(from, h);
    uint32_t l = ps_table_find(&e->link_index, ps_hash64(k), link_eq, e->sc, &k);
    if (l == PS_NONE) {
        /* No link: a host on a router's inside network sends through it, to
         * the hosts the router is linked to (one hop, as verify's routes). */
        uint32_t gw = e->gateway[from];
        if (gw == PS_NONE) return PS_NONE;
        k = ps__pair_key(gw, h);
        if (gw != h && ps_table_find(&e->link_index, ps_hash64(k), link_eq, e->sc, &k) == PS_NONE) return PS_NONE;
        h = gw;
        k = ps__pair_key(from, h);
        l = ps_table_find(&e->link_index, ps_hash64(k), link_eq, e->sc, &k);
        PS_ASSERT(l != PS_NONE);
    }
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

void ps__fill_proc(const ps_engine *e, ps_event *ev, uint32_t proc)
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
    ps__fill_proc(e, &ev, sk->proc);
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
    ev.family = sk->family;
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

void ps__fd_free(ps_engine *e, uint32_t proc, uint32_t fd)
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
void ps__sock_discard(ps_engine *e, uint32_t s)
{
    ps_socket *sk = &e->socks[s];
    if (sk->xflags & (PS_SOCKX_HTTP_CLIENT | PS_SOCKX_HTTP_SERVER)) ps__http_released(e, s);
    if (sk->proc != PS_NONE && sk->fd) ps__fd_free(e, sk->proc, sk->fd);
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
    PS_ASSERT(sk->live); /* a second release would free what another socket holds */
    bool udp = sk->proto == PS_PROTO_UDP;
    if (udp) {
        ps__udp_unhash(e, s);
    } else {
        if (sk->raddr) ps_demux_remove(&e->demux, e->socks, s);
        if (sk->flags & PS_SOCK_BOUND) ps_ports_remove_owner(&e->ports, e->socks, s);
        else if (sk->flags & PS_SOCK_ACCEPTED) ps_ports_remove_user(&e->ports, sk, true);
        else if (sk->flags & PS_SOCK_EPHEMERAL) ps_ports_remove_user(&e->ports, sk, false);
    }
    if (!ps__quiet(e)) {
        ps_event ev = ps__sock_event(e, PS_EV_RELEASE, s);
        ev.port = sk->lport;
        ev.port_free = !ps_ports_in_use(udp ? &e->udp : &e->ports, sk->host, sk->lport);
        ps__emit(e, &ev);
    }
    remember_named(e, s);
    ps__sock_discard(e, s);
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
        ps__sock_discard(e, s);
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
void ps__name_socket(ps_engine *e, uint32_t s, uint32_t name)
{
    e->socks[s].name = name;
    if (name == PS_NONE) return;
    e->named[name] = s;
    e->named_seen[name] = 1;
    e->named_err[name] = PS_OK;
}

/* An event for an operation by `proc` before any socket exists. */
ps_event ps__proc_event(const ps_engine *e, ps_event_kind kind, uint32_t proc, uint32_t name)
{
    ps_event ev = ps__host_event(e, kind, e->procs[proc].host);
    ps__fill_proc(e, &ev, proc);
    if (name != PS_NONE) ev.sock = e->sc->socks[name].name;
    return ev;
}

/* Marks a failure of an operation that never got a socket. */
ps_errno ps__fail_early(ps_engine *e, ps_event *ev, uint32_t name, const char *op, ps_errno err)
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

