/* tcp.c — segments on the wire and the TCP state machine that answers them.
 *
 * The model is TCP without loss: the three-way handshake, data with
 * cumulative ACKs, the FIN exchange and TIME-WAIT, and RST for a segment that
 * reaches no socket. Applications in portsim close their end as soon as the
 * peer closes (so CLOSE-WAIT passes at once), and a listener's auto-reply
 * answers each request on an accepted connection. */
#include "engine_internal.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

static uint32_t seg_new(ps_engine *e)
{
    if (e->nseg_free) return e->seg_free[--e->nseg_free];
    if (!ps_grow_pair(&e->segs, sizeof *e->segs, &e->seg_free, sizeof *e->seg_free, &e->segcap,
                      (size_t)e->nsegs + 1))
        return PS_NONE;
    return e->nsegs++;
}

void ps__seg_free(ps_engine *e, uint32_t g)
{
    e->segs[g].live = 0;
    e->seg_free[e->nseg_free++] = g;
}

uint32_t ps__wire_put(ps_engine *e, uint32_t host, const ps_segment *pkt)
{
    ps_time latency;
    uint32_t to = ps__route(e, host, pkt->dst_addr, &latency);
    if (to == PS_NONE) return PS_NONE; /* no route: the packet is lost, as on a real network */
    uint32_t g = seg_new(e);
    if (g == PS_NONE || !ps_evq_push(&e->q, ps_time_add(e->now, latency), EVT_PACK(EVT_ARRIVE, 0, g))) {
        if (g != PS_NONE) ps__seg_free(e, g);
        ps__nomem(e);
        return PS_NONE;
    }
    PS_ASSERT(host <= UINT16_MAX && to <= UINT16_MAX);
    ps_segment *sg = &e->segs[g];
    *sg = *pkt;
    sg->live = 1;
    sg->from_host = (uint16_t)host;
    sg->to_host = (uint16_t)to;
    sg->sent = e->now;
    sg->arrives = ps_time_add(e->now, latency);
    sg->id = e->next_seg_id++;
    return g;
}

bool ps__tcp_send(ps_engine *e, uint32_t host, uint32_t s, ps_addr src, uint16_t sport,
                  ps_addr dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
                  const char *payload)
{
    size_t payload_len = payload ? strlen(payload) : 0;
    PS_ASSERT(payload_len <= UINT16_MAX);
    ps_segment pkt = {
        .src_addr = src, .dst_addr = dst, .src_port = sport, .dst_port = dport,
        .flags = flags, .seq = seq, .ack = ack, .len = (uint16_t)payload_len, .payload = payload,
    };
    uint32_t g = ps__wire_put(e, host, &pkt);
    if (g == PS_NONE) return e->status != PS_RUN_NOMEM;
    const ps_segment *sg = &e->segs[g];
    if (e->nseg_expects) ps__count_segment(e, sg);
    if (ps__quiet(e)) return true;
    ps_event ev = s != PS_NONE ? ps__sock_event(e, PS_EV_SEGMENT, s)
                               : ps__host_event(e, PS_EV_SEGMENT, host);
    ps__ev_ends(&ev, src, sport, dst, dport);
    ev.flags = flags;
    ev.len = sg->len;
    ev.tcp_seq = seq;
    ev.tcp_ack = ack;
    ev.segment = g;
    ev.text = payload;
    ev.family = PS_FAM_INET; /* the wire's addresses, which say their family */
    if (payload) ps__http_tag_event(e, s, &ev);
    ps__emit(e, &ev);
    return true;
}

bool ps__tcp_output(ps_engine *e, uint32_t s, uint8_t flags, const char *payload)
{
    ps_socket *sk = &e->socks[s];
    uint32_t seq = sk->snd_nxt;
    if (e->nat[sk->host].tracking) ps__router_output(e, sk->host, PS_PROTO_TCP, sk->laddr, sk->lport, sk->raddr, sk->rport, flags);
    if (payload) sk->snd_nxt += (uint32_t)strlen(payload);
    if (flags & (PS_SYN | PS_FIN)) sk->snd_nxt++;
    return ps__tcp_send(e, sk->host, s, sk->laddr, sk->lport, sk->raddr, sk->rport, flags, seq,
                        (flags & PS_ACK) ? sk->rcv_nxt : 0, payload);
}

/* The event describing segment g arriving at its host. */
static ps_event deliver_event(ps_engine *e, const ps_segment *sg, uint32_t g, uint32_t s,
                              ps_deliver_to to)
{
    ps_event ev = s != PS_NONE ? ps__sock_event(e, PS_EV_DELIVER, s)
                               : ps__host_event(e, PS_EV_DELIVER, sg->to_host);
    ps__ev_ends(&ev, sg->src_addr, sg->src_port, sg->dst_addr, sg->dst_port);
    ev.flags = sg->flags;
    ev.len = sg->len;
    ev.tcp_seq = sg->seq;
    ev.tcp_ack = sg->ack;
    ev.segment = g;
    ev.to = to;
    ev.text = sg->payload;
    ev.family = PS_FAM_INET; /* the wire's addresses, which say their family */
    if (sg->payload) ps__http_tag_event(e, s, &ev);
    return ev;
}

/* Nobody is home: answer like the kernel's tcp_v4_send_reset(). */
static void send_reset(ps_engine *e, const ps_segment *sg)
{
    if (sg->flags & PS_RST) return;
    if (e->nat[sg->to_host].tracking)
        ps__router_output(e, sg->to_host, PS_PROTO_TCP, sg->dst_addr, sg->dst_port, sg->src_addr, sg->src_port, PS_RST);
    uint32_t fin_syn = (sg->flags & PS_SYN ? 1u : 0u) + (sg->flags & PS_FIN ? 1u : 0u);
    if (sg->flags & PS_ACK)
        ps__tcp_send(e, sg->to_host, PS_NONE, sg->dst_addr, sg->dst_port, sg->src_addr,
                     sg->src_port, PS_RST, sg->ack, 0, NULL);
    else
        ps__tcp_send(e, sg->to_host, PS_NONE, sg->dst_addr, sg->dst_port, sg->src_addr,
                     sg->src_port, PS_RST | PS_ACK, 0, sg->seq + sg->len + fin_syn, NULL);
}

/* A SYN reached listener l: a new socket in SYN-RECV answers with SYN-ACK. */
static void syn_recv(ps_engine *e, uint32_t l, const ps_segment *sg)
{
    uint32_t c = ps__sock_new(e, sg->to_host);
    if (c == PS_NONE) return;
    const ps_socket *lk = &e->socks[l];
    ps_socket *sk = &e->socks[c];
    sk->laddr = sg->dst_addr;
    sk->lport = sg->dst_port;
    sk->raddr = sg->src_addr;
    sk->rport = sg->src_port;
    ps__set_state(e, c, PS_SYN_RECV);
    sk->flags = PS_SOCK_ACCEPTED | (lk->flags & PS_SOCK_REUSEADDR);
    /* The child has the listener's family: an IPv4 peer of a dual-stack
     * listener is a mapped connection (both ends shown ::ffff:). */
    sk->family = lk->family;
    sk->xflags = lk->xflags & PS_SOCKX_V6ONLY;
    sk->xflags |= lk->xflags & (PS_SOCKX_HTTP_SERVER | PS_SOCKX_HTTP_PARTS); /* `serve` (http.c) */
    sk->uid = lk->uid;
    sk->listener = l;
    sk->text = lk->text;
    sk->rcv_nxt = sg->seq + 1;
    uint32_t isn = (uint32_t)ps_rng_next(&e->rng);
    sk->snd_nxt = isn;
    if (!ps_ports_add_user(&e->ports, sk, true)) {
        ps__nomem(e);
        return;
    }
    if (!ps_demux_add(&e->demux, e->socks, c)) {
        ps_ports_remove_user(&e->ports, sk, true);
        ps__nomem(e);
        return;
    }
    ps__tcp_output(e, c, PS_SYN | PS_ACK, NULL);
}

static void establish(ps_engine *e, uint32_t s)
{
    ps__set_state(e, s, PS_ESTABLISHED);
    if (ps__quiet(e)) return;
    ps_event ev = ps__sock_event(e, PS_EV_ESTABLISHED, s);
    ps__emit(e, &ev);
}

/* The handshake is complete on the server side: the listening process
 * accepts the connection and gets a descriptor for it. */
static void accept_conn(ps_engine *e, uint32_t s)
{
    ps_socket *sk = &e->socks[s];
    const ps_socket *lk = &e->socks[sk->listener];
    sk->proc = lk->proc;
    if (!ps__fd_alloc(e, sk->proc, &sk->fd)) {
        sk->proc = PS_NONE;
        ps__nomem(e);
        return;
    }
    ps__accepted(e, s);
    establish(e, s);
    if (ps__quiet(e)) return;
    ps_event ev = ps__sock_event(e, PS_EV_ACCEPT, s);
    if (lk->name != PS_NONE) ev.sock = e->sc->socks[lk->name].name; /* the listener's name */
    ps__emit(e, &ev);
}

static bool arm_timewait(ps_engine *e, ps_time due)
{
    if (ps_evq_push(&e->q, due, EVT_PACK(EVT_TIMEWAIT, 0, 0))) return true;
    ps__nomem(e);
    return false;
}

static void enter_time_wait(ps_engine *e, uint32_t s)
{
    if (e->tw_tail == e->tw_cap) {
        uint32_t live = e->tw_tail - e->tw_head;
        if (e->tw_head > e->tw_cap / 2) { /* reuse the consumed front */
            memmove(e->tw, e->tw + e->tw_head, live * sizeof *e->tw);
            memmove(e->tw_due, e->tw_due + e->tw_head, live * sizeof *e->tw_due);
        } else {
            if (!ps_grow_pair(&e->tw, sizeof *e->tw, &e->tw_due, sizeof *e->tw_due, &e->tw_cap,
                              (size_t)e->tw_cap + 1)) {
                ps__nomem(e);
                return;
            }
        }
        e->tw_tail = live;
        e->tw_head = 0;
    }
    ps__set_state(e, s, PS_TIME_WAIT);
    bool was_empty = e->tw_head == e->tw_tail;
    e->tw[e->tw_tail] = s;
    e->tw_due[e->tw_tail++] = ps_time_add(e->now, PS_TIME_WAIT_US);
    if (was_empty) arm_timewait(e, ps_time_add(e->now, PS_TIME_WAIT_US));
}

/* An RST ended TIME-WAIT socket s early: its queue entry becomes a hole
 * (PS_NONE) that the timer skips, so the slot, which may be reused, is not
 * released a second time. A linear scan from the newest: RSTs that reach a
 * TIME-WAIT are rare, and the queue keeps its O(1) expiry. */
static void forget_time_wait(ps_engine *e, uint32_t s)
{
    for (uint32_t i = e->tw_tail; i > e->tw_head; i--) {
        if (e->tw[i - 1] == s) {
            e->tw[i - 1] = PS_NONE;
            return;
        }
    }
    PS_ASSERT(!"a TIME-WAIT socket is missing from the TIME-WAIT queue");
}

void ps__tcp_timewait_due(ps_engine *e)
{
    while (e->tw_head < e->tw_tail) {
        if (e->tw_due[e->tw_head] > e->now) break;
        uint32_t s = e->tw[e->tw_head++];
        if (s == PS_NONE) continue; /* ended early by an RST (forget_time_wait) */
        /* Only the timer and forget_time_wait end a TIME-WAIT: the socket is
         * still the one that entered the queue. */
        PS_ASSERT(e->socks[s].live && e->socks[s].state == PS_TIME_WAIT);
        ps__sock_release(e, s);
    }
    if (e->tw_head == e->tw_tail) e->tw_head = e->tw_tail = 0;
    else arm_timewait(e, e->tw_due[e->tw_head]);
}

/* A segment for connection s (found by its 4-tuple). */
static void tcp_input(ps_engine *e, uint32_t s, const ps_segment *sg)
{
    ps_socket *sk = &e->socks[s];
    ps_tcp_state st = (ps_tcp_state)sk->state;
    if (sg->flags & PS_RST) {
        if (st == PS_TIME_WAIT) {
            /* RFC 1337's "TIME-WAIT assassination", which Linux allows
             * (tcp_rfc1337 = 0): an RST at exactly the next expected
             * sequence number ends TIME-WAIT at once; any other is ignored.
             * No program holds the socket, so nobody hears of it
             * (docs/reference/linux-ports.md, "Closing, killing and
             * resetting"). */
            if (sg->seq != sk->rcv_nxt) return;
            forget_time_wait(e, s);
            ps__sock_release(e, s);
            return;
        }
        if (st == PS_SYN_SENT) ps__sock_error(e, s, "connect", PS_ECONNREFUSED);
        else ps__sock_error(e, s, "recv", PS_ECONNRESET);
        return;
    }
    switch (st) {
    case PS_SYN_SENT:
        if ((sg->flags & (PS_SYN | PS_ACK)) == (PS_SYN | PS_ACK) && sg->ack == sk->snd_nxt) {
            sk->rcv_nxt = sg->seq + 1;
            establish(e, s);
            /* A requester's request rides on the handshake's last ACK. */
            if (sk->flags & PS_SOCK_REQUESTER) ps__tcp_output(e, s, PS_PSH | PS_ACK, ps__text(e, s));
            else if (sk->xflags & PS_SOCKX_HTTP_CLIENT) ps__http_established(e, s);
            else ps__tcp_output(e, s, PS_ACK, NULL);
        }
        return;
    case PS_SYN_RECV:
        if (!(sg->flags & PS_ACK) || (sg->flags & PS_SYN) || sg->ack != sk->snd_nxt) return;
        accept_conn(e, s);
        if (sg->len == 0 || !e->socks[s].live) return;
        st = PS_ESTABLISHED; /* data came with the ACK: handle it below */
        break;
    case PS_TIME_WAIT:
        if (sg->flags & PS_FIN) ps__tcp_output(e, s, PS_ACK, NULL); /* our last ACK was lost */
        return;
    default:
        break;
    }
    bool fin = sg->flags & PS_FIN;
    bool acks_all = (sg->flags & PS_ACK) && sg->ack == sk->snd_nxt;
    sk->rcv_nxt += sg->len + (fin ? 1u : 0u);
    if (st == PS_LAST_ACK && acks_all) {
        ps__set_state(e, s, PS_CLOSED);
        ps__sock_release(e, s);
        return;
    }
    if (st == PS_FIN_WAIT_1 && acks_all) st = PS_FIN_WAIT_2, ps__set_state(e, s, st);
    if (fin) {
        if (st == PS_FIN_WAIT_2 || st == PS_FIN_WAIT_1) {
            enter_time_wait(e, s);
            ps__tcp_output(e, s, PS_ACK, NULL);
        } else if (st == PS_ESTABLISHED) {
            /* The peer is done; our program reads EOF and closes too, with
             * the same close() as any other: the socket leaves the program
             * (orphaned) and finishes LAST-ACK alone, so a later kill or
             * `close` of the program does not close it a second time. */
            ps__set_state(e, s, PS_CLOSE_WAIT);
            ps_engine_close(e, s);
        }
        return;
    }
    if (sg->len == 0) return; /* a bare ACK needs no answer */
    if (st == PS_ESTABLISHED && (sk->xflags & (PS_SOCKX_HTTP_CLIENT | PS_SOCKX_HTTP_SERVER))) {
        ps__http_input(e, s, sg); /* a page load's request or response */
        return;
    }
    if (st == PS_ESTABLISHED && (sk->flags & PS_SOCK_ACCEPTED) && sk->text != PS_NONE)
        ps__tcp_output(e, s, PS_PSH | PS_ACK, ps__text(e, s)); /* the reply carries the ACK */
    else if (st == PS_ESTABLISHED && (sk->flags & PS_SOCK_REQUESTER))
        ps_engine_close(e, s); /* the answer is in: its FIN carries the ACK */
    else
        ps__tcp_output(e, s, PS_ACK, NULL);
}

void ps__tcp_arrive(ps_engine *e, uint32_t g)
{
    /* Copy: handling may send segments, which can move the segment array. */
    ps_segment sg = e->segs[g];
    ps__seg_free(e, g);
    uint32_t h = sg.to_host;
    if (e->sc->hosts[h].router && ps__router_input(e, &sg)) return;
    uint32_t s = ps_demux_connection(&e->demux, e->socks, h, sg.dst_addr, sg.dst_port, sg.src_addr,
                                     sg.src_port);
    if (s != PS_NONE) {
        if (!ps__quiet(e)) {
            ps_event ev = deliver_event(e, &sg, g, s, PS_TO_CONNECTION);
            ps__emit(e, &ev);
        }
        tcp_input(e, s, &sg);
        return;
    }
    uint32_t l = PS_NONE;
    if ((sg.flags & (PS_SYN | PS_ACK | PS_RST)) == PS_SYN)
        l = ps_demux_listener(e->socks, ps_ports_owners(&e->ports, h, sg.dst_port), h,
                              sg.dst_addr, sg.dst_port, sg.src_addr, sg.src_port);
    if (!ps__quiet(e)) {
        ps_event ev = deliver_event(e, &sg, g, l, l != PS_NONE ? PS_TO_LISTENER : PS_TO_NONE);
        ps__emit(e, &ev);
    }
    if (l != PS_NONE) syn_recv(e, l, &sg);
    else send_reset(e, &sg);
}
