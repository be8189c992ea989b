/* udp.c — UDP: sockets bound from birth (to a chosen or an ephemeral
 * port), connect without a packet, datagrams carried with the link's
 * latency and demultiplexed by destination address and port alone, and the
 * ICMP port unreachable a host answers when no socket takes a datagram,
 * which leaves ECONNREFUSED for the next call of a connected sender.
 *
 * UDP ports live in their own table (e->udp), apart from TCP's, as in the
 * kernel: a UDP socket on 53 and a TCP listener on 53 do not conflict. The
 * bind rules are TCP's without listeners (ps_ports_bind_check): an overlap
 * conflicts unless both sockets set SO_REUSEADDR, or both set SO_REUSEPORT
 * as one user. Every rule here is measured: docs/reference/udp.md. */
#include "engine_internal.h"

#include <string.h>

/* ---- binding ---- */

/* An ephemeral port for req (whose port is ignored), as udp_lib_get_port()
 * picks one for bind(0), connect() or sendto() on an unbound socket: a
 * random start in the host's range, then upwards, wrapping, to the first
 * port the bind rules allow. One port per host, whatever the destination
 * (unlike TCP's per-destination choice). PS_EAGAIN when none is left. The
 * scan is bounded by the range (at most 65536 lookups). */
static ps_errno pick_port(ps_engine *e, ps_bind_req *req)
{
    const ps_host_spec *h = &e->sc->hosts[req->host];
    uint32_t n = (uint32_t)h->eph_hi - h->eph_lo + 1;
    uint32_t start = (uint32_t)(ps_rng_next(&e->rng) % n);
    for (uint32_t i = 0; i < n; i++) {
        req->port = (uint16_t)(h->eph_lo + (start + i) % n);
        if (ps_ports_bind_check(&e->udp, e->socks, req) == PS_OK) return PS_OK;
    }
    return PS_EAGAIN;
}

/* A new UDP socket of proc bound to addr:port (port 0: ephemeral), for the
 * operation `op` whose event `ev` names the process and socket. PS_OK and
 * *out, or the errno, reported in the kernel's order: address, privilege,
 * conflict. */
static ps_errno udp_socket(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                           unsigned sockopts, uint32_t name, ps_event *ev, const char *op,
                           uint32_t *out)
{
    *out = PS_NONE;
    const ps_proc *p = &e->procs[proc];
    const ps_host_spec *h = &e->sc->hosts[p->host];
    if (!p->alive) return ps__fail_early(e, ev, name, op, PS_ESRCH);
    if (addr != PS_ADDR_ANY && !ps__is_loopback(addr) && !ps__host_owns(h, addr))
        return ps__fail_early(e, ev, name, op, PS_EADDRNOTAVAIL);
    sockopts &= PS_SOCK_REUSEADDR | PS_SOCK_REUSEPORT;
    ps_bind_req req = { p->host, addr, port, (sockopts & PS_SOCK_REUSEADDR) != 0,
                        (sockopts & PS_SOCK_REUSEPORT) != 0, p->uid, PS_FAM_INET, false };
    if (port == 0) {
        if (pick_port(e, &req) != PS_OK) return ps__fail_early(e, ev, name, op, PS_EAGAIN);
    } else {
        if (port < h->unpriv_start && !p->root) return ps__fail_early(e, ev, name, op, PS_EACCES);
        if (ps_ports_bind_check(&e->udp, e->socks, &req) != PS_OK)
            return ps__fail_early(e, ev, name, op, PS_EADDRINUSE);
    }
    uint32_t s = ps__sock_new(e, p->host);
    if (s == PS_NONE) return PS_EADDRNOTAVAIL;
    ps_socket *sk = &e->socks[s];
    sk->proto = PS_PROTO_UDP;
    sk->proc = proc;
    sk->laddr = addr;
    sk->lport = req.port;
    sk->flags = (uint8_t)(PS_SOCK_BOUND | sockopts | (port == 0 ? PS_SOCK_EPHEMERAL : 0));
    sk->uid = (uint16_t)p->uid;
    if (!ps__fd_alloc(e, proc, &sk->fd) || !ps_ports_add_owner(&e->udp, e->socks, s)) {
        ps__sock_discard(e, s);
        ps__nomem(e);
        return PS_EADDRNOTAVAIL;
    }
    ps__name_socket(e, s, name);
    *out = s;
    return PS_OK;
}

ps_errno ps_engine_udp_bind(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                            unsigned sockopts, const char *reply, uint32_t name, uint32_t *out)
{
    if (out) *out = PS_NONE;
    ps_event ev = ps__proc_event(e, PS_EV_UDP_BIND, proc, name);
    ev.has_src = true;
    ev.src_addr = addr;
    ev.src_port = port;
    ev.port = port;
    uint32_t s;
    ps_errno err = udp_socket(e, proc, addr, port, sockopts, name, &ev, "bind", &s);
    if (err != PS_OK) return err;
    if (!ps__set_text(e, s, reply)) return PS_EADDRNOTAVAIL;
    ev = ps__sock_event(e, PS_EV_UDP_BIND, s);
    ev.port = e->socks[s].lport;
    ev.ephemeral = port == 0;
    ps__emit(e, &ev);
    if (out) *out = s;
    return PS_OK;
}

ps_errno ps_engine_udp_connect(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                               uint16_t from_port, unsigned sockopts, uint32_t name, uint32_t *out)
{
    if (out) *out = PS_NONE;
    ps_event ev = ps__proc_event(e, PS_EV_UDP_CONNECT, proc, name);
    ev.has_dst = true;
    ev.dst_addr = dst;
    ev.dst_port = dport;
    if (from_port) {
        ev.has_src = true;
        ev.src_port = from_port;
    }
    const ps_proc *p = &e->procs[proc];
    if (!p->alive) return ps__fail_early(e, &ev, name, "connect", PS_ESRCH);
    ps_time latency;
    uint32_t to = ps__route(e, p->host, dst, &latency);
    if (to == PS_NONE) return ps__fail_early(e, &ev, name, "connect", PS_EHOSTUNREACH);
    ps_addr saddr = ps__source_addr(e, p->host, to, dst);
    ev.src_addr = saddr;
    /* Bound to every address first (the kernel's autobind, or the pinned
     * port's bind), then connect() narrows the local address to the source
     * address and records the peer: no packet is sent. */
    uint32_t s;
    ps_errno err = udp_socket(e, proc, PS_ADDR_ANY, from_port, sockopts, name, &ev, "connect", &s);
    if (err != PS_OK) return err;
    ps_socket *sk = &e->socks[s];
    sk->laddr = saddr;
    sk->raddr = dst;
    sk->rport = dport;
    ps__set_state(e, s, PS_ESTABLISHED);
    ev = ps__sock_event(e, PS_EV_UDP_CONNECT, s);
    ev.ephemeral = from_port == 0;
    ps__emit(e, &ev);
    if (out) *out = s;
    return PS_OK;
}

/* ---- sending ---- */

/* A connected socket that an ICMP port unreachable reached fails its next
 * call with ECONNREFUSED, once (sock_error() reads and clears sk_err). True
 * when that happened to this call. */
static bool take_refusal(ps_engine *e, uint32_t s, const char *op)
{
    ps_socket *sk = &e->socks[s];
    if (!(sk->xflags & PS_SOCKX_UDP_REFUSED)) return false;
    sk->xflags &= (uint16_t)~PS_SOCKX_UDP_REFUSED;
    sk->err = PS_ECONNREFUSED;
    if (sk->name != PS_NONE) e->named_err[sk->name] = PS_ECONNREFUSED;
    ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
    ps__fail(e, PS_NONE, &ev, op, PS_ECONNREFUSED);
    return true;
}

/* Puts a datagram from socket s (or, s = PS_NONE, from nobody on `host`)
 * on the wire and reports it. False only when memory ran out. */
static bool datagram(ps_engine *e, uint32_t host, uint32_t s, ps_addr src, uint16_t sport,
                     ps_addr dst, uint16_t dport, uint8_t kind, uint16_t len, const char *payload)
{
    ps_segment pkt = { .src_addr = src, .dst_addr = dst, .src_port = sport, .dst_port = dport,
                       .flags = kind, .len = len, .payload = payload };
    uint32_t g = ps__wire_put(e, host, &pkt);
    if (g == PS_NONE) return e->status != PS_RUN_NOMEM;
    if (ps__quiet(e)) return true;
    ps_event ev = s != PS_NONE ? ps__sock_event(e, PS_EV_DATAGRAM, s)
                               : ps__host_event(e, (kind & PS_SEG_ICMP) ? PS_EV_ICMP : PS_EV_DATAGRAM, host);
    ps__ev_ends(&ev, src, sport, dst, dport);
    ev.flags = kind;
    ev.len = len;
    ev.segment = g;
    ev.text = payload;
    ps__emit(e, &ev);
    return true;
}

/* Sends text from UDP socket s to dst:dport, as the call `op`. */
static ps_errno udp_output(ps_engine *e, uint32_t s, ps_addr dst, uint16_t dport, const char *text,
                           const char *op)
{
    if (take_refusal(e, s, op)) return PS_ECONNREFUSED;
    const ps_socket *sk = &e->socks[s];
    ps_time latency;
    uint32_t to = ps__route(e, sk->host, dst, &latency);
    if (to == PS_NONE) {
        ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
        ev.has_dst = true;
        ev.dst_addr = dst;
        ev.dst_port = dport;
        return ps__fail(e, PS_NONE, &ev, op, PS_EHOSTUNREACH);
    }
    /* A socket bound to every address sends from the address the route
     * gives, as the kernel does per datagram. */
    ps_addr src = sk->laddr != PS_ADDR_ANY ? sk->laddr : ps__source_addr(e, sk->host, to, dst);
    size_t len = text ? strlen(text) : 0;
    PS_ASSERT(len <= UINT16_MAX);
    e->socks[s].snd_nxt++;
    if (e->nat[sk->host].tracking)
        ps__router_output(e, sk->host, PS_PROTO_UDP, src, sk->lport, dst, dport, PS_SEG_UDP);
    datagram(e, sk->host, s, src, sk->lport, dst, dport, PS_SEG_UDP, (uint16_t)len, text);
    return PS_OK;
}

/* The live socket s, or PS_NONE after reporting EBADF for `op`. */
static uint32_t live_or_ebadf(ps_engine *e, uint32_t s, const char *op)
{
    if (s < e->nsocks && e->socks[s].live) return s;
    ps_event ev = ps__host_event(e, PS_EV_ERROR, PS_NONE);
    ps__fail(e, PS_NONE, &ev, op, PS_EBADF);
    return PS_NONE;
}

ps_errno ps_engine_sendto(ps_engine *e, uint32_t s, ps_addr dst, uint16_t dport, const char *text)
{
    if (live_or_ebadf(e, s, "sendto") == PS_NONE) return PS_EBADF;
    /* TCP ignores sendto()'s address on a connected socket. */
    if (e->socks[s].proto != PS_PROTO_UDP) return ps_engine_send(e, s, text);
    return udp_output(e, s, dst, dport, text, "sendto");
}

ps_errno ps__udp_send(ps_engine *e, uint32_t s, const char *text)
{
    const ps_socket *sk = &e->socks[s];
    if (sk->raddr == 0 && sk->rport == 0) {
        ps_event ev = ps__sock_event(e, PS_EV_ERROR, s);
        return ps__fail(e, PS_NONE, &ev, "send", PS_EDESTADDRREQ);
    }
    return udp_output(e, s, sk->raddr, sk->rport, text, "send");
}

void ps__udp_close(ps_engine *e, uint32_t s)
{
    if (!ps__quiet(e)) {
        ps_event ev = ps__sock_event(e, PS_EV_CLOSE, s);
        ev.state = PS_CLOSED;
        ps__emit(e, &ev);
    }
    ps__sock_release(e, s);
}

void ps__udp_unhash(ps_engine *e, uint32_t s) { ps_ports_remove_owner(&e->udp, e->socks, s); }

bool ps__udp_forward(ps_engine *e, uint32_t r, ps_addr src, uint16_t sport, ps_addr dst, uint16_t dport,
                     uint8_t kind, uint16_t len, const char *payload)
{
    return datagram(e, r, PS_NONE, src, sport, dst, dport, kind, len, payload);
}

/* ---- arriving ---- */

/* The UDP socket on host that takes a datagram for la:lp from ra:rp, scored
 * as __udp4_lib_lookup() does: the port must match; a socket bound to one
 * address takes only datagrams to it (+4), a connected one only datagrams
 * from its peer's address and port (+8); the highest score wins and, on a
 * tie, the socket bound last (measured). The source never picks among
 * unconnected sockets: that is UDP's demultiplexing by destination alone.
 * Several SO_REUSEPORT sockets tie too: the kernel then hashes the 4-tuple,
 * portsim gives the datagram to the last bound (docs/reference/udp.md). */
static uint32_t udp_lookup(const ps_engine *e, uint32_t host, ps_addr la, uint16_t lp, ps_addr ra,
                           uint16_t rp)
{
    uint32_t best = PS_NONE;
    int best_score = -1;
    for (uint32_t s = ps_ports_owners(&e->udp, host, lp); s != PS_NONE; s = e->socks[s].link) {
        const ps_socket *sk = &e->socks[s];
        int score = 0;
        if (sk->laddr != PS_ADDR_ANY) {
            if (sk->laddr != la) continue;
            score += 4;
        }
        if (sk->raddr != 0 || sk->rport != 0) {
            if (sk->raddr != ra || sk->rport != rp) continue;
            score += 8;
        }
        if (score >= best_score) best = s, best_score = score;
    }
    return best;
}

uint32_t ps_engine_udp_lookup(const ps_engine *e, uint32_t host, ps_addr la, uint16_t lp, ps_addr ra,
                              uint16_t rp)
{
    return udp_lookup(e, host, la, lp, ra, rp);
}

/* The event for packet sg arriving, taken by socket s (or nobody). */
static ps_event arrive_event(ps_engine *e, ps_event_kind kind, const ps_segment *sg, uint32_t g,
                             uint32_t s)
{
    ps_event ev = s != PS_NONE ? ps__sock_event(e, kind, s) : ps__host_event(e, kind, sg->to_host);
    ps__ev_ends(&ev, sg->src_addr, sg->src_port, sg->dst_addr, sg->dst_port);
    ev.flags = sg->flags;
    ev.len = sg->len;
    ev.segment = g;
    ev.to = s != PS_NONE ? PS_TO_SOCKET : PS_TO_NONE;
    ev.text = sg->payload;
    return ev;
}

void ps__udp_arrive(ps_engine *e, uint32_t g)
{
    /* Copy: answering may send packets, which can move the array. */
    ps_segment sg = e->segs[g];
    ps__seg_free(e, g);
    uint32_t h = sg.to_host;
    if (e->sc->hosts[h].router && ps__router_input(e, &sg)) return;
    uint32_t s = udp_lookup(e, h, sg.dst_addr, sg.dst_port, sg.src_addr, sg.src_port);
    if (sg.flags & PS_SEG_ICMP) {
        /* The message quotes the datagram: the sender's socket is looked up
         * as if the datagram came back (__udp4_lib_err). Only a connected
         * socket keeps the error; an unconnected one never hears of it. */
        if (!ps__quiet(e)) {
            ps_event ev = arrive_event(e, PS_EV_ICMP_DELIVER, &sg, g, s);
            ps__emit(e, &ev);
        }
        if (s != PS_NONE && e->socks[s].state == PS_ESTABLISHED)
            e->socks[s].xflags |= PS_SOCKX_UDP_REFUSED;
        return;
    }
    if (!ps__quiet(e)) {
        ps_event ev = arrive_event(e, PS_EV_UDP_DELIVER, &sg, g, s);
        ps__emit(e, &ev);
    }
    if (s == PS_NONE) {
        /* Nobody: the host answers ICMP port unreachable from the address
         * the datagram was sent to, quoting it (icmp_send). */
        datagram(e, h, PS_NONE, sg.dst_addr, sg.dst_port, sg.src_addr, sg.src_port, PS_SEG_ICMP,
                 sg.len, sg.payload);
        return;
    }
    e->socks[s].rcv_nxt++;
    const char *reply = ps__text(e, s);
    if (reply) udp_output(e, s, sg.src_addr, sg.src_port, reply, "sendto");
}
