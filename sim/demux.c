/* demux.c — the connection table and the listener lookup (see demux.h). */
#include "demux.h"

#include "ports.h"

typedef struct tuple_key {
    uint32_t host;
    ps_addr la, ra;
    uint16_t lp, rp;
} tuple_key;

static bool tuple_eq(const void *ctx, uint32_t v, const void *key)
{
    const ps_socket *s = (const ps_socket *)ctx + v;
    const tuple_key *k = key;
    return s->lport == k->lp && s->rport == k->rp && s->laddr == k->la && s->raddr == k->ra &&
           s->host == k->host;
}

static uint32_t sock_hash(const ps_socket *s)
{
    return ps_hash_tuple(s->host, s->laddr, s->lport, s->raddr, s->rport);
}

void ps_demux_init(ps_demux *d) { ps_table_init(&d->conns); }
void ps_demux_free(ps_demux *d) { ps_table_free(&d->conns); }

bool ps_demux_add(ps_demux *d, const ps_socket *socks, uint32_t s)
{
    return ps_table_insert(&d->conns, sock_hash(&socks[s]), s);
}

void ps_demux_remove(ps_demux *d, const ps_socket *socks, uint32_t s)
{
    ps_table_remove(&d->conns, sock_hash(&socks[s]), s);
}

uint32_t ps_demux_connection(const ps_demux *d, const ps_socket *socks, uint32_t host,
                             ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    tuple_key k = { host, la, ra, lp, rp };
    return ps_table_find(&d->conns, ps_hash_tuple(host, la, lp, ra, rp), tuple_eq, socks, &k);
}

/* The k-th listener (in bind order) bound to addr on this port. */
static uint32_t nth_listener(const ps_socket *socks, uint32_t first, ps_addr addr, uint32_t k)
{
    for (uint32_t s = first; s != PS_NONE; s = socks[s].link)
        if (socks[s].state == PS_LISTEN && socks[s].laddr == addr && k-- == 0) return s;
    return PS_NONE;
}

uint32_t ps_demux_listener(const ps_ports *p, const ps_socket *socks, uint32_t host, ps_addr la,
                           uint16_t lp, ps_addr ra, uint16_t rp)
{
    uint32_t first = ps_ports_owners(p, host, lp), exact = 0, wild = 0;
    for (uint32_t s = first; s != PS_NONE; s = socks[s].link) {
        if (socks[s].state != PS_LISTEN) continue;
        exact += socks[s].laddr == la;
        wild += socks[s].laddr == PS_ADDR_ANY;
    }
    /* The exact address wins; within a reuseport group the 4-tuple's hash
     * chooses, so one connection always lands on the same listener. */
    ps_addr addr = exact ? la : PS_ADDR_ANY;
    uint32_t n = exact ? exact : wild;
    if (n == 0) return PS_NONE;
    return nth_listener(socks, first, addr, n == 1 ? 0 : ps_hash_tuple(host, la, lp, ra, rp) % n);
}
