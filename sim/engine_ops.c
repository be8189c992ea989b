/* engine_ops.c — the operations through which scenario actions, the
 * userland and the window change engine state (engine_ops.h): listen,
 * connect, request, send, close, kill, spawn, notes, texts and the command
 * hook. Each acts at the current time and reports through events. */
#include "engine_internal.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

/* ---- operations ---- */

/* The live socket for an operation, or PS_NONE after reporting EBADF. */
static uint32_t live_socket(ps_engine *e, uint32_t s, const char *op)
{
    if (s < e->nsocks && e->socks[s].live) return s;
    ps_event ev = ps__host_event(e, PS_EV_ERROR, PS_NONE);
    ps__fail(e, PS_NONE, &ev, op, PS_EBADF);
    return PS_NONE;
}

/* bind() for proc: the kernel's checks in its order (address, privilege,
 * conflicts), then a new socket holding addr:port in state CLOSED. A failure
 * is reported as an error of `op` ("listen" or "bind"). */
static ps_errno bind_socket(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                            unsigned sockopts, uint32_t name, ps_event *ev, const char *op,
                            uint32_t *out)
{
    *out = PS_NONE;
    const ps_proc *p = &e->procs[proc];
    const ps_host_spec *h = &e->sc->hosts[p->host];
    ev->has_src = true;
    ev->family = (sockopts & PS_LISTEN_INET6) || ps_addr_is_v6(addr) ? PS_FAM_INET6 : PS_FAM_INET;
    ev->src_addr = addr;
    ev->src_port = port;
    ev->port = port;
    if (!p->alive) return ps__fail_early(e, ev, name, op, PS_ESRCH);
    /* The kernel's order in bind(): address, then privilege, then conflicts.
     * Every host's lo owns all of 127.0.0.0/8. */
    if (addr != PS_ADDR_ANY && !ps__is_loopback(addr) && !ps__host_owns(h, addr))
        return ps__fail_early(e, ev, name, op, PS_EADDRNOTAVAIL);
    if (port < h->unpriv_start && !p->root) return ps__fail_early(e, ev, name, op, PS_EACCES);
    uint8_t family = ev->family;
    bool v6only = family == PS_FAM_INET6 && (sockopts & PS_LISTEN_V6ONLY);
    sockopts &= PS_SOCK_REUSEADDR | PS_SOCK_REUSEPORT;
    ps_bind_req req = { p->host, addr, port, (sockopts & PS_SOCK_REUSEADDR) != 0,
                        (sockopts & PS_SOCK_REUSEPORT) != 0, p->uid, family, v6only };
    if (ps_ports_bind_check(&e->ports, e->socks, &req) != PS_OK)
        return ps__fail_early(e, ev, name, op, PS_EADDRINUSE);

    uint32_t s = ps__sock_new(e, p->host);
    if (s == PS_NONE) return PS_EADDRNOTAVAIL;
    ps_socket *sk = &e->socks[s];
    sk->proc = proc;
    sk->laddr = addr;
    sk->lport = port;
    sk->flags = (uint8_t)(PS_SOCK_BOUND | sockopts);
    sk->family = family;
    sk->xflags = v6only ? PS_SOCKX_V6ONLY : 0;
    sk->uid = (uint16_t)p->uid;
    if (!ps__fd_alloc(e, proc, &sk->fd) || !ps_ports_add_owner(&e->ports, e->socks, s)) {
        sk->fd = 0;
        ps__sock_discard(e, s);
        ps__nomem(e);
        return PS_EADDRNOTAVAIL;
    }
    ps__name_socket(e, s, name);
    *out = s;
    return PS_OK;
}

/* Bound socket s starts listening (its conflicts are already checked). */
static bool start_listening(ps_engine *e, uint32_t s, const char *reply)
{
    if (!ps__set_text(e, s, reply)) return false;
    ps__set_state(e, s, PS_LISTEN);
    e->socks[s].flags |= PS_SOCK_LISTENER;
    ps_event ev = ps__sock_event(e, PS_EV_LISTEN, s);
    ev.port = e->socks[s].lport;
    ps__emit(e, &ev);
    return true;
}

ps_errno ps_engine_listen(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                          unsigned sockopts, const char *reply, uint32_t name, uint32_t *out)
{
    if (out) *out = PS_NONE;
    ps_event ev = ps__proc_event(e, PS_EV_LISTEN, proc, name);
    uint32_t s;
    ps_errno err = bind_socket(e, proc, addr, port, sockopts, name, &ev, "listen", &s);
    if (err != PS_OK) return err;
    if (!start_listening(e, s, reply)) {
        ps__sock_release(e, s);
        return PS_EADDRNOTAVAIL;
    }
    if (out) *out = s;
    return PS_OK;
}

ps_errno ps_engine_bind(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                        unsigned sockopts, uint32_t name, uint32_t *out)
{
    if (out) *out = PS_NONE;
    ps_event ev = ps__proc_event(e, PS_EV_BIND, proc, name);
    uint32_t s;
    ps_errno err = bind_socket(e, proc, addr, port, sockopts, name, &ev, "bind", &s);
    if (err != PS_OK) return err;
    ev = ps__sock_event(e, PS_EV_BIND, s);
    ev.port = port;
    ps__emit(e, &ev);
    if (out) *out = s;
    return PS_OK;
}

ps_errno ps_engine_listen_bound(ps_engine *e, uint32_t s, const char *reply)
{
    if (live_socket(e, s, "listen") == PS_NONE) return PS_EBADF;
    ps_socket *sk = &e->socks[s];
    if (sk->state == PS_LISTEN) return PS_OK; /* listen() again only resizes the backlog */
    PS_ASSERT(sk->state == PS_CLOSED && (sk->flags & PS_SOCK_BOUND) && !sk->raddr);
    if (ps_ports_listen_check(&e->ports, e->socks, s) != PS_OK) {
        /* The socket stays bound and open: only the listen failed. */
        ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
        if (sk->name != PS_NONE) e->named_err[sk->name] = PS_EADDRINUSE;
        sk->err = PS_EADDRINUSE;
        return ps__fail(e, PS_NONE, &ev, "listen", PS_EADDRINUSE);
    }
    if (sk->name != PS_NONE) e->named_err[sk->name] = PS_OK;
    sk->err = PS_OK;
    return start_listening(e, s, reply) ? PS_OK : PS_EADDRNOTAVAIL;
}

ps_errno ps_engine_connect(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                           uint16_t from_port, uint32_t name, uint32_t *out)
{
    return ps_engine_connect_from(e, proc, dst, dport, PS_ADDR_ANY, from_port, 0, name, out);
}

ps_errno ps_engine_connect_from(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                                ps_addr from_addr, uint16_t from_port, unsigned sockopts,
                                uint32_t name, uint32_t *out)
{
    if (out) *out = PS_NONE;
    const ps_proc *p = &e->procs[proc];
    const ps_host_spec *h = &e->sc->hosts[p->host];
    ps_event ev = ps__proc_event(e, PS_EV_CONNECT, proc, name);
    ev.has_dst = true;
    ev.dst_addr = dst;
    ev.dst_port = dport;
    if (!p->alive) return ps__fail_early(e, &ev, name, "connect", PS_ESRCH);
    ps_time latency;
    uint32_t to = ps__route(e, p->host, dst, &latency);
    if (to == PS_NONE) return ps__fail_early(e, &ev, name, "connect", PS_EHOSTUNREACH);
    bool v6 = ps_addr_is_v6(dst);
    ev.family = v6 ? PS_FAM_INET6 : PS_FAM_INET;
    if (v6 && h->naddrs6 == 0 && !ps__is_loopback(dst) && to != p->host)
        return ps__fail_early(e, &ev, name, "connect", PS_EHOSTUNREACH);
    ps_addr saddr = ps__source_addr(e, p->host, to, dst);
    sockopts &= PS_SOCK_REUSEADDR | PS_SOCK_REUSEPORT;
    if (from_addr != PS_ADDR_ANY) {
        /* bind(ADDR) first: an address the host does not have is refused
         * there, as by the kernel (docs/reference/bind.md). */
        ev.has_src = true;
        ev.src_addr = from_addr;
        ev.src_port = from_port;
        if (!ps__is_loopback(from_addr) && !ps__host_owns(h, from_addr))
            return ps__fail_early(e, &ev, name, "connect", PS_EADDRNOTAVAIL);
        saddr = from_addr;
    }
    ev.src_addr = saddr;
    uint16_t sport = from_port;
    uint8_t flags;
    if (from_port) {
        /* A pinned source port is an explicit bind() before connect(). */
        ev.has_src = true;
        ev.src_port = from_port;
        if (from_port < h->unpriv_start && !p->root)
            return ps__fail_early(e, &ev, name, "connect", PS_EACCES);
        ps_bind_req req = { p->host, saddr, from_port, (sockopts & PS_SOCK_REUSEADDR) != 0,
                            (sockopts & PS_SOCK_REUSEPORT) != 0, p->uid, ev.family, false };
        if (ps_ports_bind_check(&e->ports, e->socks, &req) != PS_OK)
            return ps__fail_early(e, &ev, name, "connect", PS_EADDRINUSE);
        if (ps_demux_connection(&e->demux, e->socks, p->host, saddr, from_port, dst, dport) !=
            PS_NONE)
            return ps__fail_early(e, &ev, name, "connect", PS_EADDRNOTAVAIL);
        flags = (uint8_t)(PS_SOCK_BOUND | sockopts);
    } else {
        if (ps_ports_pick(&e->ports, e->socks, &e->demux, &e->rng, p->host, h->eph_lo, h->eph_hi,
                          saddr, dst, dport, &sport) != PS_OK) {
            if (e->ports.nomem) { /* not a full range: memory ran out */
                ps__nomem(e);
                return PS_EADDRNOTAVAIL;
            }
            return ps__fail_early(e, &ev, name, "connect", PS_EADDRNOTAVAIL);
        }
        flags = (uint8_t)(PS_SOCK_EPHEMERAL | sockopts);
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
    sk->family = ev.family;
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
        ps__sock_discard(e, s);
        ps__nomem(e);
        return PS_EADDRNOTAVAIL;
    }
    ps__name_socket(e, s, name);
    ev = ps__sock_event(e, PS_EV_CONNECT, s);
    ev.ephemeral = !from_port;
    ps__emit(e, &ev);
    ps__tcp_send(e, p->host, s, saddr, sport, dst, dport, PS_SYN, isn, 0, NULL);
    if (out) *out = s;
    return PS_OK;
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
    if (e->socks[s].proto == PS_PROTO_UDP) return ps__udp_send(e, s, text);
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
    if (sk->proc != PS_NONE && sk->fd) ps__fd_free(e, sk->proc, sk->fd);
    sk->proc = PS_NONE;
    sk->fd = 0;
    sk->flags |= PS_SOCK_ORPHAN;
}

ps_errno ps_engine_close(ps_engine *e, uint32_t s)
{
    if (live_socket(e, s, "close") == PS_NONE) return PS_EBADF;
    ps_socket *sk = &e->socks[s];
    ps_tcp_state st = (ps_tcp_state)sk->state;
    if (sk->proto == PS_PROTO_UDP) {
        ps__udp_close(e, s);
        return PS_OK;
    }
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
        /* Released at once only before the FIN exchange: a socket past it
         * is an orphan (handled above) and finishes on its own. */
        PS_ASSERT(st == PS_CLOSED || st == PS_LISTEN || st == PS_SYN_SENT || st == PS_SYN_RECV);
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
    ps__fill_proc(e, &ev, proc);
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

