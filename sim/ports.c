/* ports.c — port buckets, the bind-conflict rule and the ephemeral
 * allocator (see ports.h for the model and its kernel sources). */
#include "ports.h"
#include "mem.h"

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
    ps_table_init(&p->dest_index);
    p->key = ps_mix64(seed ^ 0x706f727473696dull); /* "portsim" */
}

void ps_ports_free(ps_ports *p)
{
    for (uint32_t i = 0; i < p->nbuckets; i++) free(p->buckets[i].more);
    free(p->buckets);
    ps_table_free(&p->index);
    for (uint32_t i = 0; i < p->ndests; i++) {
        for (int c = 0; c < 2; c++) {
            free(p->dests[i].cls[c].words);
            free(p->dests[i].cls[c].full);
        }
    }
    free(p->dests);
    free(p->host_dests);
    ps_table_free(&p->dest_index);
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
        if (!ps_grow(&p->buckets, &p->cap, (size_t)p->nbuckets + 1, sizeof *p->buckets)) return PS_NONE;
        b = p->nbuckets++;
        p->buckets[b].more = NULL;
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

/* Frees a bucket nobody holds any more. Its `more` array is kept for reuse. */
static void put_bucket(ps_ports *p, uint32_t b)
{
    ps_bucket *bk = &p->buckets[b];
    if (bk->owners != PS_NONE || bk->nusers != 0) return;
    ps_table_remove(&p->index, bucket_hash(bk->host, bk->port), b);
    bk->next_free = p->free_head;
    p->free_head = b;
}

static bool mark_dest(ps_ports *p, const ps_socket *sk, bool used);
/* wild: the PS_WILD_* of addr when it is 0 (both: any address at all). */
static bool dest_holds(const ps_ports *p, uint32_t host, uint16_t port, ps_addr addr, unsigned wild);

/* Group i of a bucket's implicit holders. */
static inline ps_port_user *user_at(ps_bucket *bk, uint32_t i)
{
    return i == 0 ? &bk->user0 : &bk->more[i - 1];
}

static inline const ps_port_user *user_at_c(const ps_bucket *bk, uint32_t i)
{
    return i == 0 ? &bk->user0 : &bk->more[i - 1];
}

/* Whether two local addresses share an address: equal concrete ones, or
 * a wildcard and an address of a family it covers, or two wildcards that
 * cover one family (docs/reference/ipv6.md, "Bind conflicts"). wa, wb: the
 * PS_WILD_* each wildcard stands for (unused for a concrete address). */
static unsigned covered(ps_addr a, unsigned w)
{
    return a == PS_ADDR_ANY ? w : ps_addr_is_v6(a) ? PS_WILD_V6 : PS_WILD_V4;
}

static bool overlap(ps_addr a, unsigned wa, ps_addr b, unsigned wb)
{
    if (a != PS_ADDR_ANY && b != PS_ADDR_ANY) return a == b;
    return (covered(a, wa) & covered(b, wb)) != 0;
}

/* The bind-conflict rule against every holder but socket `self`. */
static ps_errno conflict_check(const ps_ports *p, const ps_socket *socks, const ps_bind_req *r,
                               uint32_t self)
{
    /* connect() users never set SO_REUSEADDR here: any overlap conflicts. */
    unsigned wild = ps_wild_of(r->family, r->v6only);
    if (dest_holds(p, r->host, r->port, r->addr, wild)) return PS_EADDRINUSE;
    uint32_t b = find_bucket(p, r->host, r->port);
    if (b == PS_NONE) return PS_OK;
    const ps_bucket *bk = &p->buckets[b];
    for (uint32_t s = bk->owners; s != PS_NONE; s = socks[s].link) {
        if (s == self) continue;
        const ps_socket *o = &socks[s];
        if (!overlap(r->addr, wild, o->laddr, ps_sock_wild(o))) continue;
        bool reuseaddr = r->reuseaddr && (o->flags & PS_SOCK_REUSEADDR) && o->state != PS_LISTEN;
        bool reuseport = r->reuseport && (o->flags & PS_SOCK_REUSEPORT) && o->uid == r->uid;
        if (!reuseaddr && !reuseport) return PS_EADDRINUSE;
    }
    for (uint32_t i = 0; i < bk->nusers; i++) {
        const ps_port_user *u = user_at_c(bk, i); /* never listening */
        if (overlap(r->addr, wild, u->addr, 0) && !(r->reuseaddr && u->reuse)) return PS_EADDRINUSE;
    }
    return PS_OK;
}

ps_errno ps_ports_bind_check(const ps_ports *p, const ps_socket *socks, const ps_bind_req *r)
{
    return conflict_check(p, socks, r, PS_NONE);
}

ps_errno ps_ports_listen_check(const ps_ports *p, const ps_socket *socks, uint32_t s)
{
    const ps_socket *sk = &socks[s];
    ps_bind_req r = { sk->host, sk->laddr, sk->lport, (sk->flags & PS_SOCK_REUSEADDR) != 0,
                      (sk->flags & PS_SOCK_REUSEPORT) != 0, sk->uid, sk->family,
                      (sk->xflags & PS_SOCKX_V6ONLY) != 0 };
    return conflict_check(p, socks, &r, s);
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
    /* A client that set SO_REUSEADDR goes in the bucket, which keeps the
     * option for the bind rule; destination maps keep no options. */
    if (!bound && !(sk->flags & PS_SOCK_REUSEADDR) && mark_dest(p, sk, true)) return true;
    uint32_t b = get_bucket(p, sk->host, sk->lport);
    if (b == PS_NONE) return false;
    ps_bucket *bk = &p->buckets[b];
    uint8_t reuse = (sk->flags & PS_SOCK_REUSEADDR) != 0;
    for (uint32_t i = 0; i < bk->nusers; i++) {
        ps_port_user *u = user_at(bk, i);
        if (u->addr == sk->laddr && u->reuse == reuse && u->bound == bound) {
            u->count++;
            return true;
        }
    }
    /* A bucket has at most (addresses x 2 x 2) groups: grow one at a time. */
    if (bk->nusers > 0) {
        ps_port_user *nu = realloc(bk->more, bk->nusers * sizeof *nu);
        if (!nu) {
            put_bucket(p, b);
            return false;
        }
        bk->more = nu;
    }
    *user_at(bk, bk->nusers++) = (ps_port_user){ sk->laddr, reuse, (uint8_t)bound, 1 };
    return true;
}

void ps_ports_remove_user(ps_ports *p, const ps_socket *sk, bool bound)
{
    if (!bound && mark_dest(p, sk, false)) return;
    uint32_t b = find_bucket(p, sk->host, sk->lport);
    if (b == PS_NONE) return;
    ps_bucket *bk = &p->buckets[b];
    uint8_t reuse = (sk->flags & PS_SOCK_REUSEADDR) != 0;
    for (uint32_t i = 0; i < bk->nusers; i++) {
        ps_port_user *u = user_at(bk, i);
        if (u->addr == sk->laddr && u->reuse == reuse && u->bound == bound) {
            PS_ASSERT(u->count > 0);
            if (--u->count == 0) *u = *user_at(bk, --bk->nusers);
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
    return find_bucket(p, host, port) != PS_NONE || dest_holds(p, host, port, 0, PS_WILD_V4 | PS_WILD_V6);
}

/* ---- destination port maps ---- */

typedef struct dest_key {
    uint32_t host;
    ps_addr saddr, daddr;
    uint16_t dport;
} dest_key;

static uint32_t dest_hash(uint32_t host, ps_addr saddr, ps_addr daddr, uint16_t dport)
{
    return ps_hash_tuple(host, saddr, 0, daddr, dport);
}

static bool dest_eq(const void *ctx, uint32_t v, const void *key)
{
    const ps_dest *d = (const ps_dest *)ctx + v;
    const dest_key *k = key;
    return d->host == k->host && d->saddr == k->saddr && d->daddr == k->daddr &&
           d->dport == k->dport;
}

static uint32_t find_dest(const ps_ports *p, uint32_t host, ps_addr saddr, ps_addr daddr,
                          uint16_t dport)
{
    dest_key k = { host, saddr, daddr, dport };
    return ps_table_find(&p->dest_index, dest_hash(host, saddr, daddr, dport), dest_eq, p->dests,
                         &k);
}

static bool portmap_init(ps_portmap *m, uint32_t nbits)
{
    uint32_t nwords = (nbits + 63) / 64;
    m->nbits = nbits;
    m->words = calloc(nwords ? nwords : 1, sizeof *m->words);
    m->full = calloc((nwords + 63) / 64 + 1, sizeof *m->full);
    return m->words && m->full;
}

static void portmap_set(ps_portmap *m, uint32_t j, bool used)
{
    PS_ASSERT(j < m->nbits);
    uint32_t w = j / 64;
    if (used) m->words[w] |= 1ull << (j % 64);
    else m->words[w] &= ~(1ull << (j % 64));
    /* The last word is full when its existing bits are. */
    uint32_t valid = (w == (m->nbits - 1) / 64 && m->nbits % 64) ? m->nbits % 64 : 64;
    uint64_t all = valid == 64 ? UINT64_MAX : (1ull << valid) - 1;
    if (m->words[w] == all) m->full[w / 64] |= 1ull << (w % 64);
    else m->full[w / 64] &= ~(1ull << (w % 64));
}

static bool portmap_get(const ps_portmap *m, uint32_t j)
{
    return (m->words[j / 64] >> (j % 64)) & 1;
}

/* The first clear bit at index >= j, or nbits if none. Full words are
 * skipped 64 at a time through the summary level. */
static uint32_t portmap_next_free(const ps_portmap *m, uint32_t j)
{
    uint32_t nwords = (m->nbits + 63) / 64;
    uint32_t w = j / 64;
    if (w >= nwords) return m->nbits;
    uint64_t free_bits = ~m->words[w] & (UINT64_MAX << (j % 64));
    while (!free_bits) {
        /* Next word that is not full, via the summary. */
        uint32_t s = ++w / 64;
        if (w >= nwords) return m->nbits;
        uint64_t notfull = ~m->full[s] & (UINT64_MAX << (w % 64));
        while (!notfull) {
            if (++s * 64 >= nwords) return m->nbits;
            notfull = ~m->full[s];
        }
        w = s * 64 + ps_ctz64(notfull);
        if (w >= nwords) return m->nbits;
        free_bits = ~m->words[w];
    }
    uint32_t r = w * 64 + ps_ctz64(free_bits);
    if (r >= m->nbits) return m->nbits;
    PS_ASSERT(r >= j && !portmap_get(m, r)); /* the summary said this word has room */
    return r;
}

/* The summary bit of every word says exactly whether the word is full. */
static bool portmap_valid(const ps_portmap *m)
{
    uint32_t nwords = (m->nbits + 63) / 64;
    for (uint32_t w = 0; w < nwords; w++) {
        uint32_t valid = (w == nwords - 1 && m->nbits % 64) ? m->nbits % 64 : 64;
        uint64_t all = valid == 64 ? UINT64_MAX : (1ull << valid) - 1;
        if ((m->words[w] & ~all) != 0) return false; /* a bit past the range */
        bool full = (m->full[w / 64] >> (w % 64)) & 1;
        if (full != (m->words[w] == all)) return false;
    }
    return true;
}

static uint32_t get_dest(ps_ports *p, uint32_t host, ps_addr saddr, ps_addr daddr, uint16_t dport,
                         uint16_t lo, uint16_t hi)
{
    uint32_t d = find_dest(p, host, saddr, daddr, dport);
    if (d != PS_NONE) return d;
    if (!ps_grow(&p->dests, &p->destcap, (size_t)p->ndests + 1, sizeof *p->dests)) return PS_NONE;
    ps_dest *dp = &p->dests[p->ndests];
    memset(dp, 0, sizeof *dp);
    *dp = (ps_dest){ .host = host, .saddr = saddr, .daddr = daddr, .dport = dport, .lo = lo, .hi = hi };
    if (host >= p->nhost_dests) {
        uint32_t n = p->nhost_dests;
        if (!ps_grow(&p->host_dests, &n, (size_t)host + 1, sizeof *p->host_dests)) return PS_NONE;
        for (uint32_t i = p->nhost_dests; i < n; i++) p->host_dests[i] = PS_NONE;
        p->nhost_dests = n;
    }
    uint32_t n = (uint32_t)hi - lo + 1;
    bool ok = portmap_init(&dp->cls[0], (n + 1) / 2) && portmap_init(&dp->cls[1], n / 2) &&
              ps_table_insert(&p->dest_index, dest_hash(host, saddr, daddr, dport), p->ndests);
    if (ok) {
        dp->next_of_host = p->host_dests[host];
        p->host_dests[host] = p->ndests;
    } else {
        for (int c = 0; c < 2; c++) {
            free(dp->cls[c].words);
            free(dp->cls[c].full);
        }
        return PS_NONE;
    }
    return p->ndests++;
}

/* Marks (or clears) a connect() user's port in its destination's map.
 * Returns false when there is no map for it (the caller uses a bucket). */
static bool mark_dest(ps_ports *p, const ps_socket *sk, bool used)
{
    if (!sk->raddr) return false;
    uint32_t d = find_dest(p, sk->host, sk->laddr, sk->raddr, sk->rport);
    if (d == PS_NONE) return false;
    ps_dest *dp = &p->dests[d];
    if (sk->lport < dp->lo || sk->lport > dp->hi) return false;
    uint32_t off = sk->lport - dp->lo;
    ps_portmap *m = &dp->cls[off & 1];
    if (!used && !portmap_get(m, off / 2)) return false; /* it was counted in a bucket */
    portmap_set(m, off / 2, used);
    return true;
}

/* Does a connect() user on host hold port, from an address overlapping
 * addr (or from any address, when `any`)? Walks the host's destinations:
 * few for a client, and none for a server. */
static bool dest_holds(const ps_ports *p, uint32_t host, uint16_t port, ps_addr addr, unsigned wild)
{
    if (host >= p->nhost_dests) return false;
    for (uint32_t d = p->host_dests[host]; d != PS_NONE; d = p->dests[d].next_of_host) {
        const ps_dest *dp = &p->dests[d];
        if (port < dp->lo || port > dp->hi || !overlap(addr, wild, dp->saddr, 0)) continue;
        uint32_t off = port - dp->lo;
        if (portmap_get(&dp->cls[off & 1], off / 2)) return true;
    }
    return false;
}

/* Do bound holders (a listener, a pinned port, accepted connections) keep
 * connect() away from this port? */
static bool bound_here(const ps_ports *p, uint32_t host, uint16_t port)
{
    uint32_t b = find_bucket(p, host, port);
    if (b == PS_NONE) return false;
    const ps_bucket *bk = &p->buckets[b];
    if (bk->owners != PS_NONE) return true;
    for (uint32_t i = 0; i < bk->nusers; i++)
        if (user_at_c(bk, i)->bound) return true;
    return false;
}

ps_errno ps_ports_pick(ps_ports *p, const ps_socket *socks, const ps_demux *dm, ps_rng *rng,
                       uint32_t host, uint16_t lo, uint16_t hi, ps_addr saddr, ps_addr daddr,
                       uint16_t dport, uint16_t *out)
{
    uint32_t d = get_dest(p, host, saddr, daddr, dport, lo, hi);
    if (d == PS_NONE) {
        p->nomem = true; /* get_dest fails only when memory runs out */
        return PS_EADDRNOTAVAIL;
    }
    uint32_t remaining = (uint32_t)hi - lo + 1;
    uint64_t h = ps_mix64(p->key ^ ps_mix64(((uint64_t)saddr << 32 | daddr) ^ ((uint64_t)dport << 48)));
    uint32_t index = (uint32_t)h & (PS_PERTURB_SIZE - 1);
    uint32_t offset = (uint32_t)((h >> 32) + p->perturb[index]) % remaining;
    offset &= ~1u; /* start on the range's low parity, as the kernel does */
    for (uint32_t c = 0; c < 2; c++) {
        ps_portmap *m = &p->dests[d].cls[c];
        uint32_t start = (offset + c) / 2 < m->nbits ? (offset + c) / 2 : 0;
        /* From start to the top of the class, then from its bottom. */
        for (uint32_t pass = 0, j = start; pass < 2; pass++, j = 0) {
            uint32_t end = pass == 0 ? m->nbits : start;
            for (j = portmap_next_free(m, j); j < end; j = portmap_next_free(m, j + 1)) {
                uint16_t port = (uint16_t)(lo + c + 2 * j);
                if (bound_here(p, host, port)) continue;
                /* A tuple counted in a bucket (made before this map existed)
                 * is skipped, not marked: its removal goes to the bucket. */
                if (ps_demux_connection(dm, socks, host, saddr, port, daddr, dport) != PS_NONE)
                    continue;
                /* Drift the next search for this destination past this port,
                 * with a little randomness when contention is low (the
                 * kernel's table_perturb update). */
                uint32_t i = 2 * (j >= start ? j - start : m->nbits - start + j);
                uint32_t drift = (uint32_t)ps_rng_below(rng, 8) * 2;
                p->perturb[index] += (i > drift ? i : drift) + 2;
                *out = port;
                return PS_OK;
            }
        }
    }
    return PS_EADDRNOTAVAIL;
}

bool ps_ports_valid(const ps_ports *p)
{
    if (!ps_table_valid(&p->index) || !ps_table_valid(&p->dest_index)) return false;
    if (p->dest_index.n != p->ndests) return false;
    for (uint32_t d = 0; d < p->ndests; d++)
        for (int c = 0; c < 2; c++)
            if (!portmap_valid(&p->dests[d].cls[c])) return false;
    return true;
}
