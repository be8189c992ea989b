/* router.c — a home router: what happens to a segment or a datagram that
 * reaches a `router` host. Like Linux with nftables NAT (docs/reference/nat.md), the
 * translation table is asked first, then a new connection meets the rules:
 * a forwarding rule on the outside address (DNAT, prerouting) or masquerade
 * for an inside host's connection leaving to the outside (SNAT,
 * postrouting). The segment then leaves again, rewritten, towards its (new)
 * destination; segments for the router's own addresses that no rule claims
 * are the router's own (ordinary demux). UDP is tracked the same way with
 * UDP's timeouts, and an ICMP port unreachable answering a tracked
 * datagram is conntrack's RELATED: it is translated back (its quoted
 * datagram too, which pcap derives from the outer addresses) without
 * touching the entry (docs/reference/nat.md, "UDP"). */
#include "engine_internal.h"

/* The protocol a packet record carries: its ICMP is about a UDP datagram. */
static uint8_t seg_proto(const ps_segment *sg)
{
    return (sg->flags & (PS_SEG_UDP | PS_SEG_ICMP)) ? PS_PROTO_UDP : PS_PROTO_TCP;
}

static const ps_forward_spec *forward_rule(const ps_scenario *sc, uint32_t r, const ps_segment *sg)
{
    if (sg->dst_addr != sc->hosts[r].addrs[0] || ps_scenario_inside(sc, r, sg->from_host)) return NULL;
    for (uint32_t i = 0; i < sc->nforwards; i++)
        if (sc->forwards[i].router == r && sc->forwards[i].proto == seg_proto(sg) &&
            sc->forwards[i].port == sg->dst_port)
            return &sc->forwards[i];
    return NULL;
}

/* Masquerade applies to an inside host's segment whose next hop is outside. */
static bool leaves_inside(const ps_engine *e, uint32_t r, const ps_segment *sg)
{
    const ps_scenario *sc = e->sc;
    if (!sc->hosts[r].masquerade || !ps_scenario_inside(sc, r, sg->from_host)) return false;
    ps_time latency;
    uint32_t next = ps__route(e, r, sg->dst_addr, &latency);
    return next != PS_NONE && next != r && !ps_scenario_inside(sc, r, next);
}

static void report_drop(ps_engine *e, uint32_t r, const ps_segment *sg, const char *why)
{
    if (ps__quiet(e)) return;
    ps_event ev = ps__host_event(e, PS_EV_NAT, r);
    ps__ev_ends(&ev, sg->src_addr, sg->src_port, sg->dst_addr, sg->dst_port);
    ev.flags = sg->flags;
    ev.op = "drop";
    ev.text = why;
    ps__emit(e, &ev);
}

/* A new entry for tuple k (the first packet of a connection: sg, or the
 * router's own SYN when sg is NULL) on router r: the first rule that claims
 * it, else, while the router tracks, an untranslated one; *out is PS_NONE
 * when nothing tracks it. False when the packet is dropped (reported) or
 * the run stopped. */
static bool new_entry(ps_engine *e, uint32_t r, uint8_t proto, const ps_segment *sg, const ps_tuple *k,
                      uint32_t *out)
{
    *out = PS_NONE;
    const ps_scenario *sc = e->sc;
    ps_nat *t = &e->nat[r];
    ps_tuple reply = { k->dst, k->src, k->dport, k->sport };
    ps_nat_kind kind = PS_NAT_NONE;
    ps_nat_result res = PS_NAT_OK;
    const ps_forward_spec *f = sg ? forward_rule(sc, r, sg) : NULL;
    if (f) {
        kind = PS_NAT_DNAT;
        reply = (ps_tuple){ f->to, k->src, f->to_port, k->sport };
    } else if (sg && leaves_inside(e, r, sg)) {
        kind = PS_NAT_SNAT;
        res = ps_nat_masquerade(t, proto, k, sc->hosts[r].addrs[0], &e->rng, e->now, &reply);
    } else if (!t->tracking) {
        return true;
    }
    /* A full table is scanned for expired entries: that pays into the work budget. */
    if (ps_nat_sweep_due(t, e->now) && !ps_engine_charge(e, t->n)) return false;
    uint8_t flags = sg ? sg->flags : PS_SYN;
    if (res == PS_NAT_OK) res = ps_nat_add(t, proto, kind, k, &reply, flags, e->now, out);
    if (res == PS_NAT_NOMEM) ps__nomem(e);
    /* Linux drops a packet it cannot track or translate: its sender will
     * retransmit in vain. */
    else if (res != PS_NAT_OK && sg)
        report_drop(e, r, sg, res == PS_NAT_FULL ? "translation table full (conntrack-max)" : "no free outside port");
    return res == PS_NAT_OK;
}

bool ps__router_input(ps_engine *e, const ps_segment *sg)
{
    uint32_t r = sg->to_host;
    const ps_scenario *sc = e->sc;
    ps_nat *t = &e->nat[r];
    ps_tuple k = { sg->src_addr, sg->dst_addr, sg->src_port, sg->dst_port };
    int dir = 0;
    bool fresh = false;
    uint8_t proto = seg_proto(sg);
    bool icmp = (sg->flags & PS_SEG_ICMP) != 0;
    uint32_t i = ps_nat_find(t, proto, &k, e->now, &dir);
    /* conntrack makes no entry for a stray RST, nor for an ICMP error that
     * answers nothing it tracks (such an error is the router's own). */
    if (i == PS_NONE && !(sg->flags & PS_RST) && !icmp) {
        if (!new_entry(e, r, proto, sg, &k, &i)) return true;
        fresh = i != PS_NONE;
    }
    ps_tuple n = k;
    ps_nat_kind kind = PS_NAT_NONE;
    if (i != PS_NONE) {
        n = ps_nat_translate(&t->v[i], dir);
        kind = (ps_nat_kind)t->v[i].kind;
        /* An ICMP error is RELATED: it neither refreshes nor answers the entry. */
        if (!icmp) ps_nat_track(t, i, dir, sg->flags, e->now); /* may forget the entry: i is not used after */
    }
    bool rewritten = n.src != k.src || n.sport != k.sport || n.dst != k.dst || n.dport != k.dport;
    if (!rewritten && (ps__host_owns(&sc->hosts[r], n.dst) || ps__is_loopback(n.dst)))
        return false; /* for the router itself */
    if (rewritten && !ps__quiet(e)) {
        ps_event ev = ps__host_event(e, PS_EV_NAT, r);
        ps__ev_ends(&ev, sg->src_addr, sg->src_port, sg->dst_addr, sg->dst_port);
        ev.nat_src_addr = n.src;
        ev.nat_src_port = n.sport;
        ev.nat_dst_addr = n.dst;
        ev.nat_dst_port = n.dport;
        ev.flags = sg->flags;
        ev.len = sg->len;
        ev.op = kind == PS_NAT_SNAT ? "masquerade" : "forward";
        ev.nat_new = fresh;
        ps__emit(e, &ev);
    }
    /* Routed on, rewritten or as it came. */
    if (proto == PS_PROTO_UDP)
        ps__udp_forward(e, r, n.src, n.sport, n.dst, n.dport, sg->flags, sg->len, sg->payload);
    else
        ps__tcp_send(e, r, PS_NONE, n.src, n.sport, n.dst, n.dport, sg->flags, sg->seq, sg->ack, sg->payload);
    return true;
}

void ps__router_output(ps_engine *e, uint32_t r, uint8_t proto, ps_addr src, uint16_t sport, ps_addr dst,
                       uint16_t dport, uint8_t flags)
{
    ps_nat *t = &e->nat[r];
    ps_tuple k = { src, dst, sport, dport };
    int dir = 0;
    uint32_t i = ps_nat_find(t, proto, &k, e->now, &dir);
    bool first = proto == PS_PROTO_UDP ? (flags & PS_SEG_UDP) != 0 : (flags & (PS_SYN | PS_ACK | PS_RST)) == PS_SYN;
    if (i == PS_NONE && first && !new_entry(e, r, proto, NULL, &k, &i)) return;
    if (i != PS_NONE) ps_nat_track(t, i, dir, flags, e->now);
}
