/* nat.h — a router's translation table, kept the way Linux's conntrack keeps
 * it for NAT (docs/reference/nat.md): one entry per connection crossing the
 * router, holding the tuple its first packet carried (`orig`) and the tuple
 * its replies carry once translated (`reply`). A packet matching `orig` is
 * rewritten to the inverse of `reply`, one matching `reply` to the inverse
 * of `orig`: that one rule does masquerade, port forwarding and un-doing
 * both for the answers.
 *
 * Each entry follows the TCP connection through conntrack's states and
 * expires when its state's timeout (the nf_conntrack_tcp_timeout_* sysctl
 * defaults) has passed since its last packet; a UDP entry lives 30 s, or
 * 120 s once it carries a stream (nf_conntrack_udp_timeout*). Expiry is lazy: an entry is
 * dropped when a lookup or an insertion meets it, and every reader asks
 * ps_nat_live(), so no timer is needed and results depend only on time.
 * At most `max` entries are held (nf_conntrack_max). */
#ifndef PS_NAT_H
#define PS_NAT_H

#include "base.h"
#include "rng.h"
#include "table.h"

/* nf_conntrack_max measured on a Debian 12 kernel (docs/reference/nat.md);
 * the default of a router's `conntrack-max=`. */
#define PS_NAT_MAX_DEFAULT 262144u

typedef struct ps_tuple {
    ps_addr src, dst;
    uint16_t sport, dport;
} ps_tuple;

/* conntrack's TCP states, in the order of its state table. */
typedef enum ps_ct_state {
    PS_CT_SYN_SENT,
    PS_CT_SYN_RECV,
    PS_CT_ESTABLISHED,
    PS_CT_FIN_WAIT,
    PS_CT_CLOSE_WAIT,
    PS_CT_LAST_ACK,
    PS_CT_TIME_WAIT,
    PS_CT_CLOSE,
    PS_CT_STATE_COUNT
} ps_ct_state;

/* "ESTABLISHED", as `conntrack -L` prints it. */
const char *ps_ct_state_name(ps_ct_state st);
/* The state's timeout (net.netfilter.nf_conntrack_tcp_timeout_*). */
ps_time ps_ct_timeout(ps_ct_state st);

/* UDP has no states: an entry lives nf_conntrack_udp_timeout (30 s) after
 * its last packet, or nf_conntrack_udp_timeout_stream (120 s) once a reply
 * has been seen and a packet comes more than PS_CT_UDP_STREAM_AFTER after
 * the first one; that packet also assures it (nf_conntrack_udp_packet;
 * docs/reference/nat.md, "UDP"). */
#define PS_CT_UDP_TIMEOUT ((ps_time)30 * 1000000u)
#define PS_CT_UDP_TIMEOUT_STREAM ((ps_time)120 * 1000000u)
#define PS_CT_UDP_STREAM_AFTER ((ps_time)2 * 1000000u)

typedef enum ps_nat_kind {
    PS_NAT_SNAT, /* masquerade: the source was rewritten on the way out */
    PS_NAT_DNAT, /* a forwarding rule: the destination was rewritten on the way in */
    PS_NAT_NONE, /* tracked, not translated (to or from the router itself, or routed as is) */
} ps_nat_kind;

typedef struct ps_ct_entry {
    ps_tuple orig;      /* as the originator sent it */
    ps_tuple reply;     /* as the answers come back (translated addresses) */
    ps_time expires;    /* gone at this time unless another packet comes */
    ps_time created;    /* when its first packet came (for UDP streams) */
    uint32_t id;        /* 0, 1, 2... in order of creation */
    uint8_t proto;      /* ps_proto */
    uint8_t state;      /* ps_ct_state (TCP; unused for UDP) */
    uint8_t kind;       /* ps_nat_kind */
    uint8_t assured;    /* handshake completed: conntrack's [ASSURED] */
    uint8_t replied;    /* a reply has been seen (else conntrack shows [UNREPLIED]) */
} ps_ct_entry;

typedef struct ps_nat {
    ps_ct_entry *v;     /* dense: entries [0, n) */
    uint32_t n, cap;
    uint32_t max;       /* at most this many entries */
    uint32_t next_id;
    ps_time soonest;    /* no entry expires before this (a lower bound) */
    bool tracking;      /* the router has NAT rules, so conntrack follows every
                           connection through or to it, as Linux does */
    ps_table index;     /* tuple -> entry * 2 + direction (0 orig, 1 reply) */
} ps_nat;

void ps_nat_init(ps_nat *t, uint32_t max);
void ps_nat_free(ps_nat *t);

/* The entry a packet of `proto` carrying tuple k belongs to, live at now,
 * with *dir 0 when k is its orig tuple and 1 when k is its reply; PS_NONE
 * if none. An expired entry met on the way is removed. */
uint32_t ps_nat_find(ps_nat *t, uint8_t proto, const ps_tuple *k, ps_time now, int *dir);

/* The same lookup for readers: removes nothing (an expired entry is absent). */
uint32_t ps_nat_peek(const ps_nat *t, uint8_t proto, const ps_tuple *k, ps_time now, int *dir);

typedef enum ps_nat_result {
    PS_NAT_OK,      /* added */
    PS_NAT_FULL,    /* `max` live entries already: the packet is dropped */
    PS_NAT_NOPORT,  /* masquerade found no free port: the packet is dropped */
    PS_NAT_NOMEM,
} ps_nat_result;

/* Masquerade: the port the router's address `out` uses for a connection
 * from orig. Linux keeps orig->sport when (out, sport) to orig's destination
 * is free; else it tries ports of the same class (1-511, 600-1023 or
 * 1024-65535) from a random offset, 128 then fewer attempts per round
 * (nf_nat_l4proto_unique_tuple). Here the offset comes from rng. Fills
 * *reply; PS_NAT_NOPORT if every attempt was taken. */
ps_nat_result ps_nat_masquerade(ps_nat *t, uint8_t proto, const ps_tuple *orig, ps_addr out,
                                ps_rng *rng, ps_time now, ps_tuple *reply);

/* Adds an entry for a connection whose first packet (flags) carried orig,
 * answered with reply; *id receives its index. When the table is at its
 * bound, expired entries are swept first, but only once one can have
 * expired (ps_nat_sweep_due): the caller charges that scan of t->n. */
ps_nat_result ps_nat_add(ps_nat *t, uint8_t proto, ps_nat_kind kind, const ps_tuple *orig,
                         const ps_tuple *reply, uint8_t flags, ps_time now, uint32_t *id);

/* Whether adding now would scan the whole table for expired entries. */
bool ps_nat_sweep_due(const ps_nat *t, ps_time now);

/* Moves entry i through conntrack's TCP states for a packet with `flags`
 * going in direction dir, and restarts its timeout (a UDP entry: its
 * timeout as PS_CT_UDP_TIMEOUT says). Returns false when the
 * entry is gone: a connection whose only answer is an RST is forgotten at
 * once, as conntrack does (nf_conntrack_tcp_packet); indices of other
 * entries may change then. */
bool ps_nat_track(ps_nat *t, uint32_t i, int dir, uint8_t flags, ps_time now);

/* What a packet of entry en going in direction dir becomes. */
ps_tuple ps_nat_translate(const ps_ct_entry *en, int dir);

/* Whether entry i is still alive at now (readers: shell, window). */
bool ps_nat_live(const ps_nat *t, uint32_t i, ps_time now);

#endif
