/* scene.c — builds the picture's plain-data snapshot from an engine's
 * read-only views (see scene.h). Owns the rules for what becomes a door, a
 * connection line and an envelope, and how busy scenes are counted. */
#include "scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "palette.h"
#include "units.h"

bool pv_scene_add_host(pv_scene *s, const char *name, const char *addr, uint16_t unpriv)
{
    if (s->nhosts >= PV_MAX_HOSTS) return false;
    pv_host *h = &s->hosts[s->nhosts++];
    memset(h, 0, sizeof *h);
    snprintf(h->name, sizeof h->name, "%s", name);
    snprintf(h->addr, sizeof h->addr, "%s", addr);
    h->unpriv_start = unpriv;
    h->first_door = s->ndoors;
    return true;
}

bool pv_scene_add_door(pv_scene *s, uint32_t h, const pv_door *d)
{
    pv_host *host = &s->hosts[h];
    if (host->ndoors >= PV_MAX_DOORS || s->ndoors >= PV_MAX_HOSTS * PV_MAX_DOORS) {
        host->hidden++;
        return false;
    }
    s->doors[s->ndoors] = *d;
    s->doors[s->ndoors].privileged = d->port < host->unpriv_start;
    if (s->doors[s->ndoors].privileged) host->priv_floor = true;
    s->ndoors++;
    host->ndoors++;
    return true;
}

uint32_t pv_scene_door_for(const pv_scene *s, uint32_t h, uint16_t port)
{
    return pv_scene_door_of(s, h, port, false);
}

uint32_t pv_scene_door_of(const pv_scene *s, uint32_t h, uint16_t port, bool udp)
{
    if (h >= s->nhosts) return PV_DOOR_FRONT;
    const pv_host *host = &s->hosts[h];
    for (uint32_t i = 0; i < host->ndoors; i++) {
        const pv_door *d = &s->doors[host->first_door + i];
        if (d->port == port && d->udp == udp) return host->first_door + i;
    }
    return host->hidden ? PV_DOOR_MORE : PV_DOOR_FRONT;
}

/* "nginx 812", or "-" for a socket no process owns any more. */
static void proc_label(const ps_engine *e, uint32_t proc, char *buf, size_t n)
{
    const ps_proc *p = proc != PS_NONE ? ps_engine_proc(e, proc) : NULL;
    if (p) snprintf(buf, n, "%s %u", p->name, (unsigned)p->pid);
    else snprintf(buf, n, "-");
}

static void listen_door(const ps_engine *e, const ps_socket *k, uint32_t idx, pv_door *d)
{
    memset(d, 0, sizeof *d);
    d->kind = PV_DOOR_LISTEN;
    d->conv = PV_NO_CONV;
    d->port = k->lport;
    d->state = k->state;
    d->socket = idx;
    snprintf(d->title, sizeof d->title, ":%u", (unsigned)k->lport);
    proc_label(e, k->proc, d->sub, sizeof d->sub);
}

/* Whether action a opens client connections (connect, a page load's fetch). */
static bool is_client_action(const ps_action *a)
{
    return a->kind == PS_ACT_CONNECT || a->kind == PS_ACT_FETCH;
}

/* Where named client socket `name` comes among the scenario's named client
 * sockets (the first connect gets the first colour). */
static uint32_t client_ordinal(const ps_scenario *sc, uint32_t name)
{
    uint32_t n = 0;
    for (uint32_t j = 0; j < name; j++) {
        uint32_t a = sc->socks[j].action;
        n += a < sc->nactions && (is_client_action(&sc->actions[a]) || sc->actions[a].kind == PS_ACT_UDP_CONNECT);
    }
    return n;
}

/* A conversation for client socket k (slot idx): its id and its colour. */
static uint16_t add_conv(pv_scene *s, const ps_engine *e, const ps_socket *k, uint32_t idx)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    if (s->nconvs >= PV_MAX_CONVS || k->raddr == 0) return PV_NO_CONV;
    pv_conv *c = &s->convs[s->nconvs];
    bool named = k->name != PS_NONE && k->name < sc->nsocks;
    *c = (pv_conv){ .caddr = k->laddr, .saddr = k->raddr, .cport = k->lport, .sport = k->rport };
    c->named = named;
    if (named) {
        snprintf(c->id, sizeof c->id, "%s", sc->socks[k->name].name);
    } else {
        char a[PS_ENDPOINT_STRLEN], b[PS_ENDPOINT_STRLEN];
        snprintf(c->id, sizeof c->id, "%s>%s", ps_sc_endpoint_str(sc, k->laddr, false, k->lport, a),
                 ps_sc_endpoint_str(sc, k->raddr, false, k->rport, b));
    }
    c->colour = (uint8_t)((named ? client_ordinal(sc, k->name) : idx) % PV_CONV_COLOURS);
    return (uint16_t)s->nconvs++;
}

uint16_t pv_scene_conv_for(const pv_scene *s, ps_addr a, uint16_t ap, ps_addr b, uint16_t bp)
{
    for (uint32_t i = 0; i < s->nconvs; i++) {
        const pv_conv *c = &s->convs[i];
        if ((c->caddr == a && c->cport == ap && c->saddr == b && c->sport == bp) ||
            (c->caddr == b && c->cport == bp && c->saddr == a && c->sport == ap))
            return (uint16_t)i;
    }
    return PV_NO_CONV;
}

const pv_conv *pv_scene_conv(const pv_scene *s, uint16_t i)
{
    return i < s->nconvs ? &s->convs[i] : NULL;
}

static void temp_door(pv_scene *s, const ps_engine *e, const ps_socket *k, uint32_t idx, pv_door *d)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    char who[40];
    memset(d, 0, sizeof *d);
    d->conv = add_conv(s, e, k, idx);
    d->kind = PV_DOOR_TEMP;
    d->port = k->lport;
    d->state = k->state;
    d->socket = idx;
    snprintf(d->title, sizeof d->title, "%u", (unsigned)k->lport);
    proc_label(e, k->proc, who, sizeof who);
    bool named = k->name != PS_NONE && k->name < sc->nsocks;
    if (named && k->proc != PS_NONE)
        snprintf(d->sub, sizeof d->sub, "%s · %s", sc->socks[k->name].name, who);
    else
        snprintf(d->sub, sizeof d->sub, "%s", named ? sc->socks[k->name].name : who);
    d->udp = k->proto == PS_PROTO_UDP;
    snprintf(d->note, sizeof d->note, "%s · %s",
             (k->flags & PS_SOCK_EPHEMERAL) ? "temporary" : "pinned", d->udp ? "UDP" : ps_state_ss(k->state));
}

static void empty_door(uint16_t port, bool udp, pv_door *d)
{
    memset(d, 0, sizeof *d);
    d->kind = PV_DOOR_EMPTY;
    d->conv = PV_NO_CONV;
    d->port = port;
    d->socket = PS_NONE;
    d->udp = udp;
    snprintf(d->title, sizeof d->title, udp ? ":%u/udp" : ":%u", (unsigned)port);
    snprintf(d->sub, sizeof d->sub, "nobody home");
}

/* A router's empty door whose port a `forward` rule sends inside says where. */
static void forwarded_door(const ps_scenario *sc, uint32_t h, pv_door *d)
{
    for (uint32_t i = 0; i < sc->nforwards; i++) {
        const ps_forward_spec *f = &sc->forwards[i];
        if (f->router != h || f->port != d->port) continue;
        uint32_t to = ps_scenario_host_by_addr(sc, f->to);
        char a[16];
        snprintf(d->sub, sizeof d->sub, "→ %s:%u", to != PS_NONE ? sc->hosts[to].name : ps_addr_str(f->to, a),
                 (unsigned)f->to_port);
        snprintf(d->note, sizeof d->note, "forwarded");
        return;
    }
}

/* A UDP socket with no peer: the door every sender's datagrams come in by,
 * titled as /etc/services writes a UDP port (53/udp). */
static void udp_door(const ps_engine *e, const ps_socket *k, uint32_t idx, pv_door *d)
{
    memset(d, 0, sizeof *d);
    d->kind = PV_DOOR_UDP;
    d->udp = true;
    d->conv = PV_NO_CONV;
    d->port = k->lport;
    d->state = k->state;
    d->socket = idx;
    snprintf(d->title, sizeof d->title, ":%u/udp", (unsigned)k->lport);
    proc_label(e, k->proc, d->sub, sizeof d->sub);
    snprintf(d->note, sizeof d->note, "UDP · %u received", (unsigned)k->rcv_nxt);
}

/* Doors keep their places: the lesson's ports (listening or empty) by
 * number, so a door that empties or fills stays put; then temporary doors
 * in order of creation (socket slot), so a new one never shifts the rest. */
static int door_cmp(const void *a, const void *b)
{
    const pv_door *x = a, *y = b;
    bool tx = x->kind == PV_DOOR_TEMP, ty = y->kind == PV_DOOR_TEMP;
    if (tx != ty) return tx ? 1 : -1;
    if (!tx && x->port != y->port) return x->port < y->port ? -1 : 1;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    return x->socket < y->socket ? -1 : x->socket > y->socket;
}

/* The host that an address belongs to, seen from host h (loopback is h). */
static uint32_t peer_host(const ps_scenario *sc, uint32_t h, ps_addr a)
{
    return ps_addr_is_loopback(a) ? h : ps_scenario_host_by_addr(sc, a);
}

/* Ports the lesson talks about on host h: a door stays drawn there, empty
 * when nobody listens, so a refused connection has a door to knock on. */
static void add_empty_doors(pv_scene *s, const ps_engine *e, uint32_t h)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    for (uint32_t i = 0; i < sc->nactions; i++) {
        const ps_action *a = &sc->actions[i];
        /* A UDP port stays drawn where a socket was bound; a datagram to a
         * port nobody binds comes to the building's front (the ICMP answer
         * says why), which keeps a small building's floors for its sockets. */
        bool udp = a->kind == PS_ACT_UDP_BIND;
        bool local = a->kind == PS_ACT_LISTEN || a->kind == PS_ACT_BIND || (udp && a->port != 0);
        uint32_t owner = local                ? a->host
                         : is_client_action(a) ? ps_scenario_host_by_addr(sc, a->addr)
                                               : PS_NONE;
        if (owner != h || pv_scene_door_of(s, h, a->port, udp) < PV_DOOR_MORE) continue;
        pv_door d;
        empty_door(a->port, udp, &d);
        forwarded_door(sc, h, &d);
        pv_scene_add_door(s, h, &d);
    }
    /* A router's forwarded ports are doors too, leading inside. */
    for (uint32_t i = 0; i < sc->nforwards; i++) {
        if (sc->forwards[i].router != h || pv_scene_door_for(s, h, sc->forwards[i].port) < PV_DOOR_MORE) continue;
        pv_door d;
        empty_door(sc->forwards[i].port, false, &d);
        forwarded_door(sc, h, &d);
        pv_scene_add_door(s, h, &d);
    }
}

/* A socket bound but not listening (`bind` without `listen` yet, or a
 * listen that failed on it): the door is taken, yet nobody answers. */
static void bound_door(const ps_engine *e, const ps_socket *k, uint32_t idx, pv_door *d)
{
    char who[40];
    const ps_scenario *sc = ps_engine_scenario(e);
    empty_door(k->lport, false, d);
    d->socket = idx;
    proc_label(e, k->proc, who, sizeof who);
    if (k->name != PS_NONE && k->name < sc->nsocks)
        snprintf(d->sub, sizeof d->sub, "%s · %s", sc->socks[k->name].name, who);
    else
        snprintf(d->sub, sizeof d->sub, "%s", who);
    snprintf(d->note, sizeof d->note, "bound, not listening");
}

static void add_socket_doors(pv_scene *s, const ps_engine *e, uint32_t h)
{
    uint32_t slots = ps_engine_socket_slots(e);
    for (int pass = 0; pass < 2; pass++) { /* listeners first, then clients */
        for (uint32_t i = 0; i < slots; i++) {
            const ps_socket *k = ps_engine_socket(e, i);
            if (!k->live || k->host != h || k->lport == 0 || (k->flags & PS_SOCK_ACCEPTED)) continue;
            bool udp_server = k->proto == PS_PROTO_UDP && k->raddr == 0 && k->rport == 0;
            bool listener = (k->flags & PS_SOCK_LISTENER) != 0;
            bool bound = !listener && !k->raddr && k->state == PS_CLOSED;
            if (listener && k->state != PS_LISTEN) continue; /* a listen that failed */
            if ((listener || udp_server) != (pass == 0)) continue;
            if (bound && !udp_server && pv_scene_door_for(s, h, k->lport) < PV_DOOR_MORE) continue;
            pv_door d;
            if (udp_server) udp_door(e, k, i, &d);
            else if (bound) bound_door(e, k, i, &d);
            else if (listener) listen_door(e, k, i, &d);
            else temp_door(s, e, k, i, &d);
            pv_scene_add_door(s, h, &d);
        }
    }
}

/* Accepted connections are counted on their listener's door. */
static void count_accepted(pv_scene *s, const ps_engine *e, uint32_t h)
{
    uint32_t slots = ps_engine_socket_slots(e);
    uint32_t last_port = 0, last_door = PV_DOOR_FRONT;
    for (uint32_t i = 0; i < slots; i++) {
        const ps_socket *k = ps_engine_socket(e, i);
        if (!k->live || k->host != h || !(k->flags & PS_SOCK_ACCEPTED)) continue;
        if (k->lport != last_port) {
            last_port = k->lport;
            last_door = pv_scene_door_for(s, h, k->lport);
        }
        if (last_door < PV_DOOR_MORE) s->doors[last_door].conns++;
    }
}

static void finish_door_notes(pv_scene *s, uint32_t h)
{
    const pv_host *host = &s->hosts[h];
    for (uint32_t i = 0; i < host->ndoors; i++) {
        pv_door *d = &s->doors[host->first_door + i];
        if (d->kind != PV_DOOR_LISTEN) continue;
        if (d->conns == 1) snprintf(d->note, sizeof d->note, "LISTEN · 1 conn");
        else if (d->conns) snprintf(d->note, sizeof d->note, "LISTEN · %u conns", (unsigned)d->conns);
        else snprintf(d->note, sizeof d->note, "LISTEN");
    }
}

static void add_hosts(pv_scene *s, const ps_engine *e)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    uint32_t nprocs = ps_engine_proc_count(e);
    for (uint32_t h = 0; h < sc->nhosts; h++) {
        char addr[sizeof s->hosts[0].addr], a4[16], a6[PS_IN6_STRLEN];
        const ps_host_spec *hs = &sc->hosts[h];
        ps_addr_str(hs->addrs[0], a4);
        if (hs->naddrs6) /* its first IPv6 address on the roof too */
            snprintf(addr, sizeof addr, "%s · %s", a4, ps_sc_addr_str(sc, hs->addrs6[0], true, a6));
        else
            snprintf(addr, sizeof addr, "%s", a4);
        if (!pv_scene_add_host(s, hs->name, addr, hs->unpriv_start)) {
            s->hidden_hosts = sc->nhosts - h;
            return;
        }
        pv_host *host = &s->hosts[s->nhosts - 1];
        if (hs->router) {
            host->router = true;
            ps_addr_str(hs->addrs[1], host->inside);
        }
        size_t used = 0;
        for (uint32_t p = 0; p < nprocs; p++) {
            const ps_proc *pr = ps_engine_proc(e, p);
            if (pr->host != h || !pr->alive || used + 2 >= sizeof host->procs) continue;
            int n = snprintf(host->procs + used, sizeof host->procs - used, "%s%s %u",
                             used ? ", " : "", pr->name, (unsigned)pr->pid);
            used = n > 0 ? used + (size_t)n : used;
            if (used >= sizeof host->procs) used = sizeof host->procs - 1;
        }
        add_socket_doors(s, e, h);
        add_empty_doors(s, e, h);
        qsort(&s->doors[host->first_door], host->ndoors, sizeof(pv_door), door_cmp);
        count_accepted(s, e, h);
        finish_door_notes(s, h);
    }
}

static bool link_match(const pv_link *l, uint32_t ha, uint32_t da, uint32_t hb, uint32_t db)
{
    return l->host_a == ha && l->door_a == da && l->host_b == hb && l->door_b == db;
}

/* One line per listed client door; connections from unlisted doors share a
 * bundle per (host, target door) that carries their count. */
static void add_link(pv_scene *s, uint32_t ha, uint32_t da, uint32_t hb, uint32_t db, uint16_t conv)
{
    s->conns++;
    if (da == PV_DOOR_MORE || db == PV_DOOR_MORE) {
        for (uint32_t i = s->nlinks; i-- > 0;)
            if (link_match(&s->links[i], ha, da, hb, db)) {
                s->links[i].count++;
                return;
            }
    }
    if (s->nlinks >= PV_MAX_LINKS) return;
    s->links[s->nlinks++] = (pv_link){ ha, da, hb, db, 1, da < PV_DOOR_MORE ? conv : PV_NO_CONV };
}

static void add_links(pv_scene *s, const ps_engine *e)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    uint32_t slots = ps_engine_socket_slots(e);
    for (uint32_t i = 0; i < slots; i++) {
        const ps_socket *k = ps_engine_socket(e, i);
        /* A connected UDP socket has a peer but no connection: no line. */
        if (!k->live || k->state != PS_ESTABLISHED || k->proto == PS_PROTO_UDP ||
            (k->flags & (PS_SOCK_ACCEPTED | PS_SOCK_LISTENER)))
            continue;
        uint32_t hb = peer_host(sc, k->host, k->raddr);
        if (k->host >= s->nhosts || hb >= s->nhosts) continue;
        uint32_t da = pv_scene_door_for(s, k->host, k->lport);
        uint32_t db = pv_scene_door_for(s, hb, k->rport);
        add_link(s, k->host, da, hb, db, pv_scene_conv_for(s, k->laddr, k->lport, k->raddr, k->rport));
    }
}

/* Past a few connections, lines are bundled per (client building, server
 * door): one thick line with a count instead of one line per connection. */
#define DETAILED_LINKS 16

static void bundle_links(pv_scene *s)
{
    if (s->conns <= DETAILED_LINKS) return;
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nlinks; i++) {
        pv_link k = s->links[i];
        k.door_a = PV_DOOR_FRONT;
        uint32_t j = 0;
        while (j < n && !link_match(&s->links[j], k.host_a, k.door_a, k.host_b, k.door_b)) j++;
        k.conv = PV_NO_CONV;
        if (j < n) s->links[j].count += k.count;
        else s->links[n++] = k;
    }
    s->nlinks = n;
}

static const char *demux_words(uint8_t to)
{
    switch (to) {
    case PS_TO_LISTENER: return "demux: to the listener";
    case PS_TO_CONNECTION: return "demux: to its connection";
    case PS_TO_NONE: return "nobody listens: RST back";
    case PS_TO_SOCKET: return "UDP: to the socket on the port";
    default: return "";
    }
}

/* The slots that tell v apart from its nearest sibling: the other
 * conversation sharing the most of the 4-tuple (two tabs to one server
 * differ in the client's port only). Bounded by PV_MAX_CONVS. */
static uint8_t key_slots(const pv_scene *s, const pv_envelope *v)
{
    if (v->conv == PV_NO_CONV) return 0;
    const pv_conv *c = &s->convs[v->conv];
    bool client_sends = v->src_addr == c->caddr && v->src_port == c->cport;
    int best = 1; /* a sibling shares at least two of the four */
    uint8_t keys = 0;
    for (uint32_t i = 0; i < s->nconvs; i++) {
        const pv_conv *o = &s->convs[i];
        bool same[4] = { o->caddr == c->caddr, o->cport == c->cport, o->saddr == c->saddr, o->sport == c->sport };
        int n = same[0] + same[1] + same[2] + same[3];
        if (i == v->conv || n <= best) continue;
        best = n;
        keys = 0;
        for (int k = 0; k < 4; k++) /* client slots are src when the client sends */
            if (!same[k]) keys |= (uint8_t)(1u << (client_sends ? k : (k + 2) % 4));
    }
    return keys;
}

static void describe_envelope(const ps_scenario *sc, pv_envelope *v, const ps_segment *g)
{
    if (g->flags & PS_SEG_UDP) snprintf(v->flags_str, sizeof v->flags_str, "UDP datagram");
    else if (g->flags & PS_SEG_ICMP) snprintf(v->flags_str, sizeof v->flags_str, "ICMP unreachable");
    else ps_flags_str(g->flags, v->flags_str);
    ps_sc_addr_str(sc, g->src_addr, false, v->slot[PV_SLOT_SRC_IP]); /* the wire's form */
    ps_sc_addr_str(sc, g->dst_addr, false, v->slot[PV_SLOT_DST_IP]);
    snprintf(v->slot[PV_SLOT_SRC_PORT], sizeof v->slot[0], "%u", (unsigned)g->src_port);
    snprintf(v->slot[PV_SLOT_DST_PORT], sizeof v->slot[0], "%u", (unsigned)g->dst_port);
    if (g->flags & PS_SEG_ICMP) {
        snprintf(v->detail, sizeof v->detail, "port %u: no UDP socket", (unsigned)g->src_port);
    } else if (g->payload && g->len) {
        /* One line: a line break (HTTP's CR LF) reads as one space. */
        char p[28];
        size_t n = 0;
        for (const char *q = g->payload; *q && n < sizeof p - 1; q++) {
            if (*q == '\r' && q[1] == '\n') continue;
            p[n++] = (unsigned char)*q < 0x20 ? ' ' : *q;
        }
        p[n] = '\0';
        snprintf(v->detail, sizeof v->detail, "\"%.*s%s\"", (int)(n > 26 ? 24 : n), p, n > 26 ? "…" : "");
    } else {
        snprintf(v->detail, sizeof v->detail, "%s", demux_words(v->to));
    }
}

/* The conversation's id; for a connection whose client door is not listed,
 * the client-side 4-tuple (the SYN's sender, else the higher port's side). */
static void conv_id(const pv_scene *s, const ps_scenario *sc, pv_envelope *v)
{
    if (v->conv != PV_NO_CONV) {
        memcpy(v->conv_id, s->convs[v->conv].id, sizeof v->conv_id);
        return;
    }
    bool src_is_client = (v->flags & PS_SYN) ? !(v->flags & PS_ACK) : v->src_port > v->dst_port;
    char a[PS_ENDPOINT_STRLEN], b[PS_ENDPOINT_STRLEN];
    if (src_is_client)
        snprintf(v->conv_id, sizeof v->conv_id, "%s>%s", ps_sc_endpoint_str(sc, v->src_addr, false, v->src_port, a),
                 ps_sc_endpoint_str(sc, v->dst_addr, false, v->dst_port, b));
    else
        snprintf(v->conv_id, sizeof v->conv_id, "%s>%s", ps_sc_endpoint_str(sc, v->dst_addr, false, v->dst_port, a),
                 ps_sc_endpoint_str(sc, v->src_addr, false, v->src_port, b));
}

/* ---- routers ---- */

/* The translation entry of router h a segment with tuple t belongs to,
 * either way round; *dir as ps_nat_peek gives it for t itself (0 orig,
 * 1 reply), or 2 + that when only the reversed tuple matched. */
static const ps_ct_entry *nat_entry(const ps_engine *e, uint32_t h, uint8_t proto, const ps_tuple *t, int *dir)
{
    const ps_nat *n = ps_engine_nat(e, h);
    if (!n) return NULL;
    ps_time now = ps_engine_now(e);
    uint32_t i = ps_nat_peek(n, proto, t, now, dir);
    if (i != PS_NONE) return &n->v[i];
    ps_tuple r = { t->dst, t->src, t->dport, t->sport };
    i = ps_nat_peek(n, proto, &r, now, dir);
    if (i == PS_NONE) return NULL;
    *dir += 2;
    return &n->v[i];
}

/* The protocol whose entries a packet in flight belongs to (an ICMP port
 * unreachable: its datagram's). */
static uint8_t seg_proto(const ps_segment *g)
{
    return (g->flags & (PS_SEG_UDP | PS_SEG_ICMP)) ? PS_PROTO_UDP : PS_PROTO_TCP;
}

/* A segment on the router's outside carries the router's public address:
 * its conversation is the inside connection the entry translates to. */
static uint16_t nat_conv(const pv_scene *s, const ps_engine *e, const ps_segment *g)
{
    ps_tuple t = { g->src_addr, g->dst_addr, g->src_port, g->dst_port };
    uint32_t ends[2] = { g->from_host, g->to_host };
    for (int k = 0; k < 2; k++) {
        int dir;
        const ps_ct_entry *en = nat_entry(e, ends[k], seg_proto(g), &t, &dir);
        if (!en) continue;
        uint16_t c = pv_scene_conv_for(s, en->orig.src, en->orig.sport, en->orig.dst, en->orig.dport);
        if (c != PV_NO_CONV) return c;
    }
    return PV_NO_CONV;
}

/* A segment leaving a router that rewrote it: which slots changed, and
 * what they were, in the detail line. */
static void readdressed(pv_scene *s, const ps_engine *e, const ps_segment *g, pv_envelope *v)
{
    ps_tuple t = { g->src_addr, g->dst_addr, g->src_port, g->dst_port };
    int dir;
    const ps_ct_entry *en = nat_entry(e, g->from_host, seg_proto(g), &t, &dir);
    /* A rewritten segment reverses the other direction's tuple: leaving
     * towards the server it reverses `reply` and came in as `orig`; towards
     * the inside host it reverses `orig` and came in as `reply`. */
    if (!en || dir < 2) return;
    ps_tuple was = dir == 3 ? en->orig : en->reply;
    if (was.src != t.src) v->rewritten |= 1u << PV_SLOT_SRC_IP;
    if (was.sport != t.sport) v->rewritten |= 1u << PV_SLOT_SRC_PORT;
    if (was.dst != t.dst) v->rewritten |= 1u << PV_SLOT_DST_IP;
    if (was.dport != t.dport) v->rewritten |= 1u << PV_SLOT_DST_PORT;
    if (!v->rewritten) return;
    bool src = v->rewritten & ((1u << PV_SLOT_SRC_IP) | (1u << PV_SLOT_SRC_PORT));
    char ep[24], who[32];
    memcpy(who, s->hosts[g->from_host].name, sizeof who);
    snprintf(v->detail, sizeof v->detail, "%s rewrote %s, was %s", who,
             src ? "src" : "dst", ps_endpoint_str(src ? was.src : was.dst, src ? was.sport : was.dport, ep));
}

/* Each router's live translation entries, oldest first, as table rows:
 * one pass keeps the PV_MAX_NAT_ROWS oldest (entries are unordered). */
static void add_nat_rows(pv_scene *s, const ps_engine *e)
{
    s->nnats = 0;
    for (uint32_t h = 0; h < s->nhosts; h++) {
        pv_host *host = &s->hosts[h];
        host->first_nat = s->nnats;
        const ps_nat *n = host->router ? ps_engine_nat(e, h) : NULL;
        if (!n) continue;
        const ps_ct_entry *oldest[PV_MAX_NAT_ROWS];
        uint32_t kept = 0, live = 0;
        for (uint32_t i = 0; i < n->n; i++) {
            const ps_ct_entry *en = &n->v[i];
            if (!ps_nat_live(n, i, s->now) || en->kind == PS_NAT_NONE) continue; /* translations only */
            live++;
            if (kept == PV_MAX_NAT_ROWS && en->id > oldest[kept - 1]->id) continue;
            uint32_t pos = kept < PV_MAX_NAT_ROWS ? kept++ : kept - 1;
            while (pos > 0 && oldest[pos - 1]->id > en->id) {
                oldest[pos] = oldest[pos - 1];
                pos--;
            }
            oldest[pos] = en;
        }
        host->hidden_nat = live - kept;
        for (uint32_t k = 0; k < kept; k++) {
            const ps_ct_entry *en = oldest[k];
            pv_nat_row *r = &s->nats[s->nnats++];
            r->forward = en->kind == PS_NAT_DNAT;
            r->udp = en->proto == PS_PROTO_UDP;
            /* masquerade: orig is inside, reply's dst the public end;
             * forward: reply's src is inside, orig's dst the public end. */
            ps_endpoint_str(r->forward ? en->reply.src : en->orig.src, r->forward ? en->reply.sport : en->orig.sport,
                            r->in);
            ps_endpoint_str(r->forward ? en->orig.dst : en->reply.dst, r->forward ? en->orig.dport : en->reply.dport,
                            r->out);
            r->conv = pv_scene_conv_for(s, en->orig.src, en->orig.sport, en->orig.dst, en->orig.dport);
        }
        host->nnat = kept;
    }
}

/* A page load's segment says which request it carries: over HTTP/2 the
 * stream id every frame has, over HTTP/1.1 the request's number in its page;
 * its detail then says what it is in words (the request, or which piece of
 * which answer) instead of the start of the raw text. */
static void http_tag(pv_envelope *v, ps_http_tag t)
{
    if (t.kind == PS_HTTP_TAG_NONE) return;
    uint32_t r = t.kind == PS_HTTP_TAG_STREAM ? ps_http_stream_request(t.n) : t.n;
    if (t.kind == PS_HTTP_TAG_STREAM) snprintf(v->tag, sizeof v->tag, "stream %u", (unsigned)t.n);
    else if (r == 0) snprintf(v->tag, sizeof v->tag, "page");
    else snprintf(v->tag, sizeof v->tag, "request %u", (unsigned)r);
    if (r > PS_HTTP_MAX_RESOURCES) return;
    char path[32];
    ps_http_path(r, path);
    if (t.get) snprintf(v->detail, sizeof v->detail, "GET %s", path);
    else if (t.part) snprintf(v->detail, sizeof v->detail, "%s, piece %u of %u", path, t.part, t.parts);
}

/* Keeps the PV_MAX_ENVELOPES oldest segments (smallest id), sorted. */
static void keep_envelope(pv_scene *s, const ps_engine *e, const ps_segment *g, uint32_t slot,
                          pv_demux_fn demux, void *ctx)
{
    uint32_t pos = s->nenvs;
    while (pos > 0 && s->envs[pos - 1].id > g->id) pos--;
    if (pos >= PV_MAX_ENVELOPES) {
        s->hidden_envs++;
        return;
    }
    if (s->nenvs == PV_MAX_ENVELOPES) s->hidden_envs++;
    else s->nenvs++;
    memmove(&s->envs[pos + 1], &s->envs[pos], (s->nenvs - 1 - pos) * sizeof(pv_envelope));
    pv_envelope *v = &s->envs[pos];
    memset(v, 0, sizeof *v);
    v->host_from = g->from_host;
    v->host_to = g->to_host;
    bool udp = (g->flags & (PS_SEG_UDP | PS_SEG_ICMP)) != 0;
    v->door_from = pv_scene_door_of(s, g->from_host, g->src_port, udp);
    v->door_to = pv_scene_door_of(s, g->to_host, g->dst_port, udp);
    v->sent = g->sent;
    v->arrives = g->arrives;
    v->flags = g->flags;
    v->id = g->id;
    v->src_addr = g->src_addr;
    v->dst_addr = g->dst_addr;
    v->src_port = g->src_port;
    v->dst_port = g->dst_port;
    v->conv = pv_scene_conv_for(s, g->src_addr, g->src_port, g->dst_addr, g->dst_port);
    if (v->conv == PV_NO_CONV) v->conv = nat_conv(s, e, g);
    conv_id(s, ps_engine_scenario(e), v);
    v->keys = key_slots(s, v);
    v->to = demux ? demux(ctx, slot, g->arrives) : PV_TO_UNKNOWN;
    describe_envelope(ps_engine_scenario(e), v, g);
    readdressed(s, e, g, v);
    http_tag(v, ps_engine_http_segment_tag(e, g));
}

static void add_envelopes(pv_scene *s, const ps_engine *e, pv_demux_fn demux, void *ctx)
{
    uint32_t slots = ps_engine_segment_slots(e);
    for (uint32_t i = 0; i < slots; i++) {
        const ps_segment *g = ps_engine_segment(e, i);
        if (!g->live) continue;
        if (g->from_host >= s->nhosts || g->to_host >= s->nhosts) {
            s->hidden_envs++;
            continue;
        }
        keep_envelope(s, e, g, i, demux, ctx);
    }
}

/* The socket demux chose on host h for v (as the recording says it will):
 * its connection by exact 4-tuple, or the listener on the port, one bound to
 * the destination address before one on every address. */
static uint32_t chosen_socket(const ps_engine *e, uint32_t h, const pv_envelope *v)
{
    uint32_t slots = ps_engine_socket_slots(e), wildcard = PS_NONE;
    if (v->to == PS_TO_SOCKET)
        return ps_engine_udp_lookup(e, h, v->dst_addr, v->dst_port, v->src_addr, v->src_port);
    for (uint32_t i = 0; i < slots; i++) {
        const ps_socket *k = ps_engine_socket(e, i);
        if (!k->live || k->host != h || k->lport != v->dst_port || k->proto != PS_PROTO_TCP) continue;
        if (v->to == PS_TO_CONNECTION && k->state != PS_LISTEN && k->rport == v->src_port &&
            k->raddr == v->src_addr)
            return i;
        if (v->to == PS_TO_LISTENER && k->state == PS_LISTEN) {
            if (k->laddr == v->dst_addr) return i;
            if (k->laddr == 0 && (ps_sock_wild(k) & (ps_addr_is_v6(v->dst_addr) ? PS_WILD_V6 : PS_WILD_V4)))
                wildcard = i;
        }
    }
    return wildcard;
}

/* UDP's demux card: one question, about the destination alone. */
static void udp_lookup(pv_scene *s, const ps_engine *e, const pv_envelope *v)
{
    pv_lookup *q = &s->lookup;
    q->active = true;
    q->host = v->host_to;
    q->door = v->door_to;
    bool found = v->to == PS_TO_SOCKET;
    q->answer = found ? PV_ASK_CONNECTION : PV_ASK_RST;
    q->socket = found ? chosen_socket(e, v->host_to, v) : PS_NONE;
    const pv_door *d = q->door < s->ndoors ? &s->doors[q->door] : NULL;
    char door[72];
    snprintf(door, sizeof door, "%s %s", d ? d->title : "", d ? d->sub : "");
    const pv_conv *c = pv_scene_conv(s, v->conv);
    snprintf(q->head, sizeof q->head, "UDP demux on %s: datagram from %s%s%s", s->hosts[v->host_to].name,
             c && c->named ? c->id : v->slot[PV_SLOT_SRC_IP], c && c->named ? "" : ":",
             c && c->named ? "" : v->slot[PV_SLOT_SRC_PORT]);
    snprintf(q->ask[0], sizeof q->ask[0], "1. a UDP socket on %s:%s, else *:%s? %s%s", v->slot[PV_SLOT_DST_IP],
             v->slot[PV_SLOT_DST_PORT], v->slot[PV_SLOT_DST_PORT], found ? "yes → " : "no", found ? door : "");
    snprintf(q->ask[1], sizeof q->ask[1], "2. the sender's address and port pick nothing: no connections");
    snprintf(q->ask[2], sizeof q->ask[2], "3. else nobody: ICMP port unreachable back%s", found ? "" : " ← this");
}

static void find_lookup(pv_scene *s, const ps_engine *e)
{
    pv_lookup *q = &s->lookup;
    memset(q, 0, sizeof *q);
    const pv_envelope *v = NULL;
    for (uint32_t i = 0; i < s->nenvs; i++) {
        const pv_envelope *w = &s->envs[i];
        bool arriving = s->now > w->sent && 2 * (s->now - w->sent) >= w->arrives - w->sent;
        if (arriving && w->to != PV_TO_UNKNOWN && (!v || w->arrives < v->arrives)) {
            v = w;
            q->env = i;
        }
    }
    if (!v) return;
    if (v->flags & PS_SEG_UDP) {
        udp_lookup(s, e, v);
        return;
    }
    q->active = true;
    q->host = v->host_to;
    q->door = v->door_to;
    q->answer = v->to == PS_TO_CONNECTION ? PV_ASK_CONNECTION : v->to == PS_TO_LISTENER ? PV_ASK_LISTENER : PV_ASK_RST;
    q->socket = q->answer == PV_ASK_RST ? PS_NONE : chosen_socket(e, v->host_to, v);
    const pv_door *d = q->door < s->ndoors ? &s->doors[q->door] : NULL;
    char door[72];
    snprintf(door, sizeof door, "%s %s", d ? d->title : "", d ? d->sub : "");
    const pv_conv *c = pv_scene_conv(s, v->conv);
    snprintf(q->head, sizeof q->head, "demux on %s: %s from %s%s%s", s->hosts[v->host_to].name, v->flags_str,
             c && c->named ? c->id : v->slot[PV_SLOT_SRC_IP], c && c->named ? "" : ":",
             c && c->named ? "" : v->slot[PV_SLOT_SRC_PORT]);
    snprintf(q->ask[PV_ASK_CONNECTION], sizeof q->ask[0], "1. a connection with exactly this 4-tuple? %s%s",
             q->answer == PV_ASK_CONNECTION ? "yes → " : "no", q->answer == PV_ASK_CONNECTION ? door : "");
    char dst[PS_ENDPOINT_STRLEN];
    ps_sc_endpoint_str(ps_engine_scenario(e), v->dst_addr, false, v->dst_port, dst);
    snprintf(q->ask[PV_ASK_LISTENER], sizeof q->ask[0], "2. a listener on %s, else *:%s? %s%s", dst,
             v->slot[PV_SLOT_DST_PORT],
             q->answer == PV_ASK_LISTENER ? "yes → " : q->answer == PV_ASK_RST ? "no" : "(not asked)",
             q->answer == PV_ASK_LISTENER ? door : "");
    snprintf(q->ask[PV_ASK_RST], sizeof q->ask[0], "3. else nobody: RST back to the sender%s",
             q->answer == PV_ASK_RST ? " ← this" : "");
}

/* The socket table's address column: 24 characters, as it always was, or
 * what the scenario's IPv6 addresses need in ss's form ("[2001:db8::80]:65535",
 * "[::ffff:192.0.2.80]:65535"). */
static uint8_t table_addr_chars(const ps_scenario *sc)
{
    size_t w = 24;
    char t[PS_IN6_STRLEN];
    for (uint32_t i = 2; i < sc->naddrs6; i++) {
        size_t n = strlen(ps_in6_str(&sc->addrs6[i], t)) + 8 + 3; /* "[" "]:65535", a gap */
        if (n > w) w = n;
    }
    for (uint32_t h = 0; sc->naddrs6 && h < sc->nhosts; h++)
        for (uint32_t a = 0; a < sc->hosts[h].naddrs; a++) {
            size_t n = strlen(ps_addr_str(sc->hosts[h].addrs[a], t)) + 15 + 3; /* "[::ffff:" "]:65535" */
            if (n > w) w = n;
        }
    return (uint8_t)(w < PS_ENDPOINT_STRLEN ? w : PS_ENDPOINT_STRLEN);
}

void pv_scene_build(pv_scene *s, const ps_engine *e, pv_demux_fn demux, void *ctx)
{
    s->now = ps_engine_now(e);
    s->addr_chars = table_addr_chars(ps_engine_scenario(e));
    s->nhosts = s->hidden_hosts = s->ndoors = s->nlinks = s->conns = 0;
    s->nenvs = s->hidden_envs = s->nconvs = 0;
    add_hosts(s, e);
    add_links(s, e);
    bundle_links(s);
    add_nat_rows(s, e);
    add_envelopes(s, e, demux, ctx);
    find_lookup(s, e);
}
