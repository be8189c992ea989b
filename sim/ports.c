/* ports.c — port buckets, the bind-conflict rule and the ephemeral
 * allocator (see ports.h for the model and its kernel sources). */
#include "ports.h"

#include <stdlib.h>
#include <string.h>

typedef struct bucket_key {
    uint32_t host;
    uint16_t port;
} bucket_key;

static uint32_t bucket_hash(uint32_t host, uint16_t port)
{
    return ps_hash64(((uint64_t)host << 16) | port);
}

static bool bucket_eq(const void *ctx, uint32_t v, const void *key)
{
    const ps_bucket *b = (const ps_bucket *)ctx + v;
    const bucket_key *k = key;
    return b->host == k->host && b->port == k->port;
}

void ps_ports_init(ps_ports *p, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->free_head = PS_NONE;
    ps_table_init(&p->index);
    p->key = ps_mix64(seed ^ 0x706f727473696dull); /* "portsim" */
}

void ps_ports_free(ps_ports *p)
{
    for (uint32_t i = 0; i < p->nbuckets; i++) free(p->buckets[i].users);
    free(p->buckets);
    ps_table_free(&p->index);
    memset(p, 0, sizeof *p);
}

static uint32_t find_bucket(const ps_ports *p, uint32_t host, uint16_t port)
{
    bucket_key k = { host, port };
    return ps_table_find(&p->index, bucket_hash(host, port), bucket_eq, p->buckets, &k);
}

static uint32_t get_bucket(ps_ports *p, uint32_t host, uint16_t port)
{
    uint32_t b = find_bucket(p, host, port);
    if (b != PS_NONE) return b;
    if (p->free_head != PS_NONE) {
        b = p->free_head;
        p->free_head = p->buckets[b].next_free;
    } else {
        if (p->nbuckets == p->cap) {
            uint32_t cap = p->cap ? p->cap * 2 : 64;
            ps_bucket *nb = realloc(p->buckets, cap * sizeof *nb);
            if (!nb) return PS_NONE;
            p->buckets = nb;
            p->cap = cap;
        }
        b = p->nbuckets++;
        p->buckets[b].users = NULL;
    }
    ps_bucket *bk = &p->buckets[b];
    bk->host = host;
    bk->port = port;
    bk->owners = PS_NONE;
    bk->nusers = 0;
    if (!ps_table_insert(&p->index, bucket_hash(host, port), b)) {
        bk->next_free = p->free_head;
        p->free_head = b;
        return PS_NONE;
    }
    return b;
}

/* Frees a bucket nobody holds any more. Its users array is kept for reuse. */
static void put_bucket(ps_ports *p, uint32_t b)
{
    ps_bucket *bk = &p->buckets[b];
    if (bk->owners != PS_NONE || bk->nusers != 0) return;
    ps_table_remove(&p->index, bucket_hash(bk->host, bk->port), b);
    bk->next_free = p->free_head;
    p->free_head = b;
}

static bool overlap(ps_addr a, ps_addr b) { return a == b || a == PS_ADDR_ANY || b == PS_ADDR_ANY; }

ps_errno ps_ports_bind_check(const ps_ports *p, const ps_socket *socks, const ps_bind_req *r)
{
    uint32_t b = find_bucket(p, r->host, r->port);
    if (b == PS_NONE) return PS_OK;
    const ps_bucket *bk = &p->buckets[b];
    for (uint32_t s = bk->owners; s != PS_NONE; s = socks[s].link) {
        const ps_socket *o = &socks[s];
        if (!overlap(r->addr, o->laddr)) continue;
        bool reuseaddr = r->reuseaddr && (o->flags & PS_SOCK_REUSEADDR) && o->state != PS_LISTEN;
        bool reuseport = r->reuseport && (o->flags & PS_SOCK_REUSEPORT) && o->uid == r->uid;
        if (!reuseaddr && !reuseport) return PS_EADDRINUSE;
    }
    for (uint32_t i = 0; i < bk->nusers; i++) {
        const ps_port_user *u = &bk->users[i]; /* never listening */
        if (overlap(r->addr, u->addr) && !(r->reuseaddr && u->reuse)) return PS_EADDRINUSE;
    }
    return PS_OK;
}

bool ps_ports_add_owner(ps_ports *p, ps_socket *socks, uint32_t s)
{
    uint32_t b = get_bucket(p, socks[s].host, socks[s].lport);
    if (b == PS_NONE) return false;
    /* Append, so the owner list keeps bind order (the listener lookup's
     * wildcard fallback takes the first). */
    socks[s].link = PS_NONE;
    uint32_t *pp = &p->buckets[b].owners;
    while (*pp != PS_NONE) pp = &socks[*pp].link;
    *pp = s;
    return true;
}

void ps_ports_remove_owner(ps_ports *p, ps_socket *socks, uint32_t s)
{
    uint32_t b = find_bucket(p, socks[s].host, socks[s].lport);
    if (b == PS_NONE) return;
    for (uint32_t *pp = &p->buckets[b].owners; *pp != PS_NONE; pp = &socks[*pp].link) {
        if (*pp == s) {
            *pp = socks[s].link;
            socks[s].link = PS_NONE;
            break;
        }
    }
    put_bucket(p, b);
}

bool ps_ports_add_user(ps_ports *p, const ps_socket *sk, bool bound)
{
    uint32_t b = get_bucket(p, sk->host, sk->lport);
    if (b == PS_NONE) return false;
    ps_bucket *bk = &p->buckets[b];
    uint8_t reuse = (sk->flags & PS_SOCK_REUSEADDR) != 0;
    for (uint32_t i = 0; i < bk->nusers; i++) {
        ps_port_user *u = &bk->users[i];
        if (u->addr == sk->laddr && u->reuse == reuse && u->bound == bound) {
            u->count++;
            return true;
        }
    }
    /* A bucket has at most (addresses x 2 x 2) groups: grow one at a time. */
    ps_port_user *nu = realloc(bk->users, (bk->nusers + 1) * sizeof *nu);
    if (!nu) {
        put_bucket(p, b);
        return false;
    }
    bk->users = nu;
    nu[bk->nusers++] = (ps_port_user){ sk->laddr, reuse, (uint8_t)bound, 1 };
    return true;
}

void ps_ports_remove_user(ps_ports *p, const ps_socket *sk, bool bound)
{
    uint32_t b = find_bucket(p, sk->host, sk->lport);
    if (b == PS_NONE) return;
    ps_bucket *bk = &p->buckets[b];
    uint8_t reuse = (sk->flags & PS_SOCK_REUSEADDR) != 0;
    for (uint32_t i = 0; i < bk->nusers; i++) {
        ps_port_user *u = &bk->users[i];
        if (u->addr == sk->laddr && u->reuse == reuse && u->bound == bound) {
            if (--u->count == 0) bk->users[i] = bk->users[--bk->nusers];
            break;
        }
    }
    put_bucket(p, b);
}

uint32_t ps_ports_owners(const ps_ports *p, uint32_t host, uint16_t port)
{
    uint32_t b = find_bucket(p, host, port);
    return b == PS_NONE ? PS_NONE : p->buckets[b].owners;
}

bool ps_ports_in_use(const ps_ports *p, uint32_t host, uint16_t port)
{
    return find_bucket(p, host, port) != PS_NONE;
}

/* May connect() use this port for this destination? (see ports.h) */
static bool usable(const ps_ports *p, const ps_socket *socks, const ps_demux *dm, uint32_t host,
                   uint16_t port, ps_addr saddr, ps_addr daddr, uint16_t dport)
{
    uint32_t b = find_bucket(p, host, port);
    if (b != PS_NONE) {
        const ps_bucket *bk = &p->buckets[b];
        if (bk->owners != PS_NONE) return false;
        for (uint32_t i = 0; i < bk->nusers; i++)
            if (bk->users[i].bound) return false;
    }
    return ps_demux_connection(dm, socks, host, saddr, port, daddr, dport) == PS_NONE;
}

ps_errno ps_ports_pick(ps_ports *p, const ps_socket *socks, const ps_demux *dm, ps_rng *rng,
                       uint32_t host, uint16_t lo, uint16_t hi, ps_addr saddr, ps_addr daddr,
                       uint16_t dport, uint16_t *out)
{
    uint32_t remaining = (uint32_t)hi - lo + 1;
    uint64_t h = ps_mix64(p->key ^ ps_mix64(((uint64_t)saddr << 32 | daddr) ^ ((uint64_t)dport << 48)));
    uint32_t index = (uint32_t)h & (PS_PERTURB_SIZE - 1);
    uint32_t offset = (uint32_t)((h >> 32) + p->perturb[index]) % remaining;
    offset &= ~1u; /* start on the range's low parity, as the kernel does */
    for (int parity = 0; parity < 2; parity++, offset++) {
        uint32_t port = lo + offset;
        for (uint32_t i = 0; i < remaining; i += 2, port += 2) {
            if (port > hi) port -= remaining;
            if (!usable(p, socks, dm, host, (uint16_t)port, saddr, daddr, dport)) continue;
            /* Drift the next search for this destination past this port, with
             * a little randomness when contention is low. */
            uint32_t drift = (uint32_t)ps_rng_below(rng, 8) * 2;
            p->perturb[index] += (i > drift ? i : drift) + 2;
            *out = (uint16_t)port;
            return PS_OK;
        }
        if (remaining == 1) break;
    }
    return PS_EADDRNOTAVAIL;
}
