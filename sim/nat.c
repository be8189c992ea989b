/* nat.c — a router's translation table (nat.h). */
#include "nat.h"
#include "mem.h"
#include "socket.h"

#include <stdlib.h>

const char *ps_ct_state_name(ps_ct_state st)
{
    static const char *const names[PS_CT_STATE_COUNT] = {
        "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
        "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
    };
    return st < PS_CT_STATE_COUNT ? names[st] : "?";
}

ps_time ps_ct_timeout(ps_ct_state st)
{
    /* Seconds, as `sysctl net.netfilter.nf_conntrack_tcp_timeout_*` reads
     * in a fresh namespace (docs/reference/nat.md). */
    static const uint32_t secs[PS_CT_STATE_COUNT] = { 120, 60, 432000, 120, 60, 30, 120, 10 };
    return (ps_time)secs[st < PS_CT_STATE_COUNT ? st : PS_CT_CLOSE] * 1000000u;
}

void ps_nat_init(ps_nat *t, uint32_t max)
{
    t->v = NULL;
    t->n = t->cap = 0;
    t->max = max;
    t->next_id = 0;
    t->soonest = PS_TIME_NEVER;
    t->tracking = false;
    ps_table_init(&t->index);
}

void ps_nat_free(ps_nat *t)
{
    free(t->v);
    ps_table_free(&t->index);
    bool tracking = t->tracking;
    ps_nat_init(t, t->max);
    t->tracking = tracking;
}

typedef struct key {
    const ps_nat *t;
    uint8_t proto;
    const ps_tuple *k;
} key;

static bool tuple_eq(const ps_tuple *a, const ps_tuple *b)
{
    return a->src == b->src && a->dst == b->dst && a->sport == b->sport && a->dport == b->dport;
}

static uint32_t tuple_hash(uint8_t proto, const ps_tuple *k)
{
    return ps_hash_tuple(proto, k->src, k->sport, k->dst, k->dport);
}

static bool slot_eq(const void *ctx, uint32_t v, const void *kp)
{
    (void)ctx;
    const key *k = kp;
    const ps_ct_entry *en = &k->t->v[v >> 1];
    return en->proto == k->proto && tuple_eq((v & 1) ? &en->reply : &en->orig, k->k);
}

static void unindex(ps_nat *t, uint32_t i)
{
    const ps_ct_entry *en = &t->v[i];
    bool a = ps_table_remove(&t->index, tuple_hash(en->proto, &en->orig), i * 2);
    bool b = ps_table_remove(&t->index, tuple_hash(en->proto, &en->reply), i * 2 + 1);
    PS_ASSERT(a && b);
    (void)a, (void)b;
}

/* Re-inserting a moved entry cannot fail: its two slots were just freed. */
static void reindex(ps_nat *t, uint32_t i)
{
    const ps_ct_entry *en = &t->v[i];
    bool a = ps_table_insert(&t->index, tuple_hash(en->proto, &en->orig), i * 2);
    bool b = ps_table_insert(&t->index, tuple_hash(en->proto, &en->reply), i * 2 + 1);
    PS_ASSERT(a && b);
    (void)a, (void)b;
}

/* Removes entry i; the last one takes its place (order is by id, never by slot). */
static void remove_entry(ps_nat *t, uint32_t i)
{
    unindex(t, i);
    uint32_t last = t->n - 1;
    if (i != last) {
        unindex(t, last);
        t->v[i] = t->v[last];
        reindex(t, i);
    }
    t->n--;
}

bool ps_nat_live(const ps_nat *t, uint32_t i, ps_time now) { return i < t->n && now < t->v[i].expires; }

uint32_t ps_nat_find(ps_nat *t, uint8_t proto, const ps_tuple *k, ps_time now, int *dir)
{
    key kk = { t, proto, k };
    uint32_t v = ps_table_find(&t->index, tuple_hash(proto, k), slot_eq, NULL, &kk);
    if (v == PS_NONE) return PS_NONE;
    if (!ps_nat_live(t, v >> 1, now)) {
        remove_entry(t, v >> 1);
        return PS_NONE;
    }
    *dir = (int)(v & 1);
    return v >> 1;
}

uint32_t ps_nat_peek(const ps_nat *t, uint8_t proto, const ps_tuple *k, ps_time now, int *dir)
{
    key kk = { t, proto, k };
    uint32_t v = ps_table_find(&t->index, tuple_hash(proto, k), slot_eq, NULL, &kk);
    if (v == PS_NONE || !ps_nat_live(t, v >> 1, now)) return PS_NONE;
    *dir = (int)(v & 1);
    return v >> 1;
}

static bool taken(ps_nat *t, uint8_t proto, const ps_tuple *k, ps_time now)
{
    int dir;
    return ps_nat_find(t, proto, k, now, &dir) != PS_NONE;
}

ps_nat_result ps_nat_masquerade(ps_nat *t, uint8_t proto, const ps_tuple *orig, ps_addr out,
                                ps_rng *rng, ps_time now, ps_tuple *reply)
{
    *reply = (ps_tuple){ orig->dst, out, orig->dport, orig->sport };
    if (!taken(t, proto, reply, now)) return PS_NAT_OK;
    uint32_t lo = 1024, size = 65535 - 1024 + 1;
    if (orig->sport < 512) lo = 1, size = 511;
    else if (orig->sport < 1024) lo = 600, size = 1023 - 600 + 1;
    uint32_t attempts = size < 128 ? size : 128;
    for (;;) {
        uint32_t off = (uint32_t)ps_rng_below(rng, size);
        for (uint32_t i = 0; i < attempts; i++) {
            reply->dport = (uint16_t)(lo + (off + i) % size);
            if (!taken(t, proto, reply, now)) return PS_NAT_OK;
        }
        if (attempts >= size || attempts < 16) return PS_NAT_NOPORT;
        attempts /= 2;
    }
}

ps_nat_result ps_nat_add(ps_nat *t, uint8_t proto, ps_nat_kind kind, const ps_tuple *orig,
                         const ps_tuple *reply, uint8_t flags, ps_time now, uint32_t *id)
{
    if (ps_nat_sweep_due(t, now)) { /* garbage first, as conntrack's collector would have */
        t->soonest = PS_TIME_NEVER;
        for (uint32_t i = t->n; i-- > 0;) {
            if (!ps_nat_live(t, i, now)) remove_entry(t, i);
            else if (t->v[i].expires < t->soonest) t->soonest = t->v[i].expires;
        }
    }
    if (t->n >= t->max) return PS_NAT_FULL;
    int dir;
    /* Meeting an expired entry with either tuple drops it, so the index never holds a key twice. */
    if (ps_nat_find(t, proto, orig, now, &dir) != PS_NONE || ps_nat_find(t, proto, reply, now, &dir) != PS_NONE)
        PS_ASSERT(!"a live entry already has this tuple");
    if (!ps_grow(&t->v, &t->cap, (size_t)t->n + 1, sizeof *t->v)) return PS_NAT_NOMEM;
    uint32_t i = t->n;
    if (!ps_table_insert(&t->index, tuple_hash(proto, orig), i * 2)) return PS_NAT_NOMEM;
    if (!ps_table_insert(&t->index, tuple_hash(proto, reply), i * 2 + 1)) {
        ps_table_remove(&t->index, tuple_hash(proto, orig), i * 2);
        return PS_NAT_NOMEM;
    }
    /* A first packet that is not a SYN is picked up mid-stream, as with
     * nf_conntrack_tcp_loose=1 (the default). */
    ps_ct_state st = (flags & (PS_SYN | PS_ACK)) == PS_SYN ? PS_CT_SYN_SENT : PS_CT_ESTABLISHED;
    ps_time timeout = proto == PS_PROTO_UDP ? PS_CT_UDP_TIMEOUT : ps_ct_timeout(st);
    t->v[i] = (ps_ct_entry){ .orig = *orig, .reply = *reply, .expires = ps_time_add(now, timeout),
                             .created = now, .id = t->next_id++, .proto = proto, .state = (uint8_t)st,
                             .kind = (uint8_t)kind };
    if (t->v[i].expires < t->soonest) t->soonest = t->v[i].expires;
    t->n++;
    *id = i;
    return PS_NAT_OK;
}

/* Timeouts only grow an entry's expiry, so `soonest` stays a lower bound:
 * below it, a sweep would find nothing. */
bool ps_nat_sweep_due(const ps_nat *t, ps_time now) { return t->n >= t->max && now >= t->soonest; }

/* conntrack's TCP state table (nf_conntrack_proto_tcp.c, tcp_conntracks),
 * for the packet kinds portsim sends: [direction][kind][state]. A state
 * that does not change (conntrack's "ignore" and "invalid") maps to itself. */
enum { K_SYN, K_SYNACK, K_FIN, K_ACK, K_RST, K_COUNT };
#define sSS PS_CT_SYN_SENT
#define sSR PS_CT_SYN_RECV
#define sES PS_CT_ESTABLISHED
#define sFW PS_CT_FIN_WAIT
#define sCW PS_CT_CLOSE_WAIT
#define sLA PS_CT_LAST_ACK
#define sTW PS_CT_TIME_WAIT
#define sCL PS_CT_CLOSE
static const uint8_t ct_next[2][K_COUNT][PS_CT_STATE_COUNT] = {
    {   /* original direction:  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL */
        /* syn    */          { sSS, sSR, sES, sFW, sCW, sLA, sSS, sSS },
        /* synack */          { sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL },
        /* fin    */          { sSS, sFW, sFW, sLA, sLA, sLA, sTW, sCL },
        /* ack    */          { sSS, sES, sES, sCW, sCW, sTW, sTW, sCL },
        /* rst    */          { sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
    },
    {   /* reply direction */
        /* syn    */          { sSS, sSR, sES, sFW, sCW, sLA, sSS, sCL },
        /* synack */          { sSR, sSR, sES, sFW, sCW, sLA, sTW, sCL },
        /* fin    */          { sSS, sFW, sFW, sLA, sLA, sLA, sTW, sCL },
        /* ack    */          { sSS, sSR, sES, sCW, sCW, sTW, sTW, sCL },
        /* rst    */          { sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
    },
};

bool ps_nat_track(ps_nat *t, uint32_t i, int dir, uint8_t flags, ps_time now)
{
    PS_ASSERT(i < t->n && (dir == 0 || dir == 1));
    ps_ct_entry *en = &t->v[i];
    if (en->proto == PS_PROTO_UDP) {
        /* nf_conntrack_udp_packet: the reply flag (IPS_SEEN_REPLY) is set
         * after the packet is handled, so the first reply only refreshes
         * the 30 s; a later packet, past the first 2 s, makes a stream. */
        ps_time timeout = PS_CT_UDP_TIMEOUT;
        if (en->replied && now > ps_time_add(en->created, PS_CT_UDP_STREAM_AFTER)) {
            timeout = PS_CT_UDP_TIMEOUT_STREAM;
            en->assured = 1;
        }
        if (dir == 1) en->replied = 1;
        en->expires = ps_time_add(now, timeout);
        return true;
    }
    if (dir == 1 && !en->replied && (flags & PS_RST)) {
        remove_entry(t, i);
        return false;
    }
    int k = (flags & PS_RST) ? K_RST
            : (flags & PS_SYN) ? ((flags & PS_ACK) ? K_SYNACK : K_SYN)
            : (flags & PS_FIN) ? K_FIN
            : K_ACK;
    ps_ct_state old = (ps_ct_state)en->state;
    ps_ct_state st = (ps_ct_state)ct_next[dir][k][old];
    /* conntrack assures a connection once its handshake completes. */
    if (st == PS_CT_ESTABLISHED && (old == PS_CT_SYN_RECV || old == PS_CT_ESTABLISHED)) en->assured = 1;
    en->state = (uint8_t)st;
    if (dir == 1) en->replied = 1;
    en->expires = ps_time_add(now, ps_ct_timeout(st));
    return true;
}

ps_tuple ps_nat_translate(const ps_ct_entry *en, int dir)
{
    const ps_tuple *o = dir == 0 ? &en->reply : &en->orig;
    return (ps_tuple){ o->dst, o->src, o->dport, o->sport };
}
