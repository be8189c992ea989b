/* demux.c — the connection table and the listener lookup (see demux.h). */
#include "demux.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"
#include "table.h"

/* The table never holds more than 3/4 of its slots (short probe runs), and
 * grows by a quarter rather than doubling, so a million connections do not
 * leave millions of slots empty. */
#define MAX_LOAD_NUM 3
#define MAX_LOAD_DEN 4

/* The host is left out of the hash (and the slot) on purpose: equal tuples on
 * two hosts share a probe chain and the socket's host tells them apart. */
static inline uint32_t tuple_hash(ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    uint64_t a = ((uint64_t)la << 32) | ra, b = ((uint64_t)lp << 16) | rp;
    return (uint32_t)(ps_mix64(a ^ (b * 0x9e3779b97f4a7c15ull)) >> 32);
}

static inline bool slot_is(const ps_demux_slot *sl, ps_addr la, uint16_t lp, ps_addr ra,
                           uint16_t rp)
{
    return sl->la == la && sl->ra == ra && sl->lp == lp && sl->rp == rp;
}

void ps_demux_init(ps_demux *d) { memset(d, 0, sizeof *d); }

void ps_demux_free(ps_demux *d)
{
    free(d->slots);
    ps_demux_init(d);
}

/* The home slot of a tuple: the hash scaled to the table (no power-of-two
 * size needed). */
static inline uint32_t home_of(uint32_t cap, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    return (uint32_t)(((uint64_t)tuple_hash(la, lp, ra, rp) * cap) >> 32);
}

static inline uint32_t next_slot(uint32_t cap, uint32_t i) { return i + 1 == cap ? 0 : i + 1; }

static void place(ps_demux_slot *slots, uint32_t cap, ps_demux_slot sl)
{
    uint32_t i = home_of(cap, sl.la, sl.lp, sl.ra, sl.rp);
    while (slots[i].sock1) i = next_slot(cap, i);
    slots[i] = sl;
}

static bool grow(ps_demux *d)
{
    uint64_t cap = d->cap ? (uint64_t)d->cap + d->cap / 4 : 64;
    if (cap > (1ull << 31)) return false;
    ps_demux_slot *slots = ps_big_calloc(cap * sizeof(ps_demux_slot));
    if (!slots) return false;
    for (uint32_t i = 0; i < d->cap; i++)
        if (d->slots[i].sock1) place(slots, (uint32_t)cap, d->slots[i]);
    free(d->slots);
    d->slots = slots;
    d->cap = (uint32_t)cap;
    return true;
}

bool ps_demux_add(ps_demux *d, const ps_socket *socks, uint32_t s)
{
    if ((uint64_t)(d->n + 1) * MAX_LOAD_DEN > (uint64_t)d->cap * MAX_LOAD_NUM && !grow(d))
        return false;
    const ps_socket *sk = &socks[s];
    /* A tuple is in the table once: a second copy would shadow the first. */
    PS_ASSERT(ps_demux_connection(d, socks, sk->host, sk->laddr, sk->lport, sk->raddr, sk->rport) ==
              PS_NONE);
    place(d->slots, d->cap, (ps_demux_slot){ sk->laddr, sk->raddr, sk->lport, sk->rport, s + 1 });
    d->n++;
    PS_ASSERT((uint64_t)d->n * MAX_LOAD_DEN <= (uint64_t)d->cap * MAX_LOAD_NUM);
    return true;
}

void ps_demux_remove(ps_demux *d, const ps_socket *socks, uint32_t s)
{
    if (!d->slots) return;
    const ps_socket *sk = &socks[s];
    uint32_t i = home_of(d->cap, sk->laddr, sk->lport, sk->raddr, sk->rport);
    while (d->slots[i].sock1 != s + 1) {
        /* Removing a socket that is not in the table is a caller's bug. */
        PS_ASSERT(d->slots[i].sock1 != 0);
        if (!d->slots[i].sock1) return;
        i = next_slot(d->cap, i);
    }
    /* Backward shift: pull later members of the probe run into the hole
     * when their home slot does not lie cyclically in (hole, j]. */
    for (uint32_t j = next_slot(d->cap, i);; j = next_slot(d->cap, j)) {
        ps_demux_slot *sl = &d->slots[j];
        if (!sl->sock1) break;
        uint32_t home = home_of(d->cap, sl->la, sl->lp, sl->ra, sl->rp);
        bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
            d->slots[i] = *sl;
            i = j;
        }
    }
    d->slots[i].sock1 = 0;
    PS_ASSERT(d->n > 0);
    d->n--;
}

bool ps_demux_valid(const ps_demux *d, const ps_socket *socks)
{
    if (!d->slots) return d->n == 0;
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->cap; i++) {
        const ps_demux_slot *sl = &d->slots[i];
        if (!sl->sock1) continue;
        n++;
        const ps_socket *sk = &socks[sl->sock1 - 1];
        if (sk->laddr != sl->la || sk->raddr != sl->ra || sk->lport != sl->lp || sk->rport != sl->rp)
            return false; /* the slot's copy of the tuple went stale */
        for (uint32_t j = home_of(d->cap, sl->la, sl->lp, sl->ra, sl->rp); j != i; j = next_slot(d->cap, j))
            if (!d->slots[j].sock1) return false; /* a hole in its probe run */
    }
    return n == d->n && (uint64_t)n * MAX_LOAD_DEN <= (uint64_t)d->cap * MAX_LOAD_NUM;
}

void ps_demux_prefetch(const ps_demux *d, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    if (d->slots) PS_PREFETCH(&d->slots[home_of(d->cap, la, lp, ra, rp)]);
}

uint32_t ps_demux_guess(const ps_demux *d, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    if (!d->slots) return PS_NONE;
    const ps_demux_slot *sl = &d->slots[home_of(d->cap, la, lp, ra, rp)];
    return sl->sock1 && slot_is(sl, la, lp, ra, rp) ? sl->sock1 - 1 : PS_NONE;
}

uint32_t ps_demux_connection(const ps_demux *d, const ps_socket *socks, uint32_t host,
                             ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    if (!d->slots) return PS_NONE;
    for (uint32_t i = home_of(d->cap, la, lp, ra, rp);; i = next_slot(d->cap, i)) {
        const ps_demux_slot *sl = &d->slots[i];
        if (!sl->sock1) return PS_NONE;
        if (slot_is(sl, la, lp, ra, rp) && (!ps_addr_is_loopback(la) || socks[sl->sock1 - 1].host == host))
            return sl->sock1 - 1;
    }
}

/* How well listener l matches a segment for la (the kernel's
 * compute_score): 0 not at all; a listener on la itself beats a wildcard,
 * and for an IPv4 segment an AF_INET socket beats an AF_INET6 one. An IPv6
 * segment needs an AF_INET6 listener; an IPv4 one an AF_INET listener or a
 * dual-stack one (docs/reference/ipv6.md, "Which listener"). */
static unsigned listener_score(const ps_socket *l, ps_addr la)
{
    if (l->state != PS_LISTEN) return 0;
    unsigned fam = ps_addr_is_v6(la) ? PS_WILD_V6 : PS_WILD_V4;
    if (l->laddr == la) return 4 - (unsigned)(fam == PS_WILD_V4 && l->family == PS_FAM_INET6);
    if (l->laddr != PS_ADDR_ANY || !(ps_sock_wild(l) & fam)) return 0;
    return 2 - (unsigned)(fam == PS_WILD_V4 && l->family == PS_FAM_INET6);
}

/* The k-th listener (in bind order) with this score on this port. */
static uint32_t nth_listener(const ps_socket *socks, uint32_t first, ps_addr la, unsigned score,
                             uint32_t k)
{
    for (uint32_t s = first; s != PS_NONE; s = socks[s].link)
        if (listener_score(&socks[s], la) == score && k-- == 0) return s;
    return PS_NONE;
}

uint32_t ps_demux_listener(const ps_socket *socks, uint32_t first, uint32_t host, ps_addr la,
                           uint16_t lp, ps_addr ra, uint16_t rp)
{
    unsigned best = 0;
    uint32_t n = 0;
    for (uint32_t s = first; s != PS_NONE; s = socks[s].link) {
        unsigned sc = listener_score(&socks[s], la);
        if (sc > best) {
            best = sc;
            n = 0;
        }
        n += sc == best;
    }
    /* The best match wins; within a reuseport group the 4-tuple's hash
     * chooses, so one connection always lands on the same listener. */
    if (best == 0) return PS_NONE;
    return nth_listener(socks, first, la, best, n == 1 ? 0 : ps_hash_tuple(host, la, lp, ra, rp) % n);
}
