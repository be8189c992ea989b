/* ports.h — who holds which port on each host: the bind rules that say
 * EADDRINUSE, and the ephemeral allocator that picks a client's source port.
 *
 * Three kinds of holder keep a port busy:
 *   - owners: sockets bound on purpose (listeners, a client's pinned port),
 *     kept in a bucket per (host, port) as a list, so the listener lookup can
 *     see their addresses (like the kernel's bind hash);
 *   - accepted connections, counted in the bucket of their listener's port
 *     per (address, SO_REUSEADDR), since a busy server has a million;
 *   - clients given their port by connect(): a bit in their destination's
 *     port map (below), so a million client ports cost a bit each rather
 *     than a bucket each. Questions about a port ("in use?", "conflict?")
 *     look at the bucket and at the host's destination maps.
 *
 * Bind conflict (docs/reference/linux-ports.md, "Bind conflicts", from the
 * kernel's inet_csk_bind_conflict): a new socket
 * on (addr, port) conflicts with a holder whose address overlaps (equal, or
 * a wildcard covering the other's family: 0.0.0.0 covers IPv4, :: with
 * IPV6_V6ONLY covers IPv6, :: without it both; docs/reference/ipv6.md) unless both set SO_REUSEADDR and the
 * holder is not listening, or both set SO_REUSEPORT and belong to one user
 * (the kernel then spreads connections over them).
 *
 * Ephemeral choice (from __inet_hash_connect, RFC 6056 algorithm 4): a keyed
 * hash of (source, destination, destination port) plus a per-destination
 * perturbation picks a start; the scan walks the ports of the start's parity
 * upwards (wrapping), then the other parity. A port is usable unless a
 * bucket with bound holders has it, or the full 4-tuple is already taken —
 * so one source port can serve two different destinations at once.
 *
 * Unlike the kernel, which tests port after port and slows down as a range
 * fills, each destination keeps a two-level bitmap of the source ports its
 * connections use (one per parity: a bit per port, and a bit per 64-port
 * word that is full), so the next free port is found in a few word
 * operations however full the range is. The scan order, and so the ports
 * chosen, are the same as a port-by-port scan. */
#ifndef PS_PORTS_H
#define PS_PORTS_H

#include "demux.h"
#include "rng.h"
#include "socket.h"
#include "table.h"

typedef struct ps_port_user {
    ps_addr addr;     /* the holders' local address */
    uint8_t reuse;    /* they set SO_REUSEADDR */
    uint8_t bound;    /* 1: accepted connections (they block connect()'s use of
                         the port); 0: connect() users */
    uint32_t count;   /* how many sockets */
} ps_port_user;

typedef struct ps_bucket {
    ps_port_user *more;   /* groups 1..nusers-1 (kept allocated for reuse) */
    uint32_t host;        /* host index */
    uint32_t owners;      /* first owner socket, chained by ps_socket.link; PS_NONE */
    uint32_t nusers;      /* groups of implicit holders: user0, then more[] */
    uint32_t next_free;   /* free-list link while unused */
    uint16_t port;
    ps_port_user user0;   /* the first group, inline: almost every bucket has one */
} ps_bucket;

#define PS_PERTURB_SIZE 256  /* the kernel's table_perturb has 2^8 .. 2^16 slots */

/* Source ports in use towards one destination, for one parity class of a
 * host's ephemeral range: bit j is port lo + class + 2j. */
typedef struct ps_portmap {
    uint64_t *words;    /* bit set: port in use */
    uint64_t *full;     /* bit w set: words[w] is all ones */
    uint32_t nbits;     /* ports in this class */
} ps_portmap;

/* One destination (host, source address, destination address and port). */
typedef struct ps_dest {
    uint32_t host;
    uint32_t next_of_host; /* the host's next destination, PS_NONE */
    ps_addr saddr, daddr;
    uint16_t dport;
    uint16_t lo, hi;      /* the host's ephemeral range when it was made */
    ps_portmap cls[2];    /* ports lo, lo+2, ... and lo+1, lo+3, ... */
} ps_dest;

typedef struct ps_ports {
    ps_bucket *buckets;       /* bucket pool */
    uint32_t nbuckets, cap;   /* used slots, allocated slots */
    uint32_t free_head;       /* first free bucket, PS_NONE */
    ps_table index;           /* (host, port) -> bucket */
    ps_dest *dests;           /* destinations that connect() has picked ports for */
    uint32_t ndests, destcap;
    ps_table dest_index;      /* (host, saddr, daddr, dport) -> dest */
    uint32_t *host_dests;     /* per host index: its first destination, PS_NONE */
    uint32_t nhost_dests;     /* length of host_dests */
    uint64_t key;             /* seeded secret of the start-offset hash */
    uint32_t perturb[PS_PERTURB_SIZE]; /* per-destination drift, as in the kernel */
    bool nomem;               /* ps_ports_pick failed for lack of memory, not of ports */
} ps_ports;

void ps_ports_init(ps_ports *p, uint64_t seed);
void ps_ports_free(ps_ports *p);
/* Checks the invariants: both indexes sound, one dest_index entry per
 * destination, and every port map's "word is full" summary exact. For tests
 * and PS_ASSERT; false means the structure is corrupt. */
bool ps_ports_valid(const ps_ports *p);

/* What a socket about to bind asks for. */
typedef struct ps_bind_req {
    uint32_t host;
    ps_addr addr;     /* 0 = every address */
    uint16_t port;
    bool reuseaddr;   /* SO_REUSEADDR */
    bool reuseport;   /* SO_REUSEPORT */
    uint16_t uid;     /* SO_REUSEPORT only joins sockets of the same user */
    uint8_t family;   /* ps_family of the socket: says what addr 0 covers */
    bool v6only;      /* IPV6_V6ONLY (an AF_INET6 socket) */
} ps_bind_req;

/* PS_OK, or PS_EADDRINUSE if the bind would conflict. */
ps_errno ps_ports_bind_check(const ps_ports *p, const ps_socket *socks, const ps_bind_req *r);
/* listen() on socks[s], an owner already bound: the kernel runs the bind
 * rule again at listen, now against every other holder. Two SO_REUSEADDR
 * sockets bound to one port pass until one of them listens; then the
 * other's listen fails (docs/reference/bind.md). PS_OK or PS_EADDRINUSE. */
ps_errno ps_ports_listen_check(const ps_ports *p, const ps_socket *socks, uint32_t s);

/* Adds socks[s] (host, laddr, lport set) as an owner of its port. */
bool ps_ports_add_owner(ps_ports *p, ps_socket *socks, uint32_t s);
void ps_ports_remove_owner(ps_ports *p, ps_socket *socks, uint32_t s);
/* Counts socks[s] as an implicit holder: `bound` for an accepted connection,
 * not for a connect() user. A connect() user whose port came from
 * ps_ports_pick is kept in its destination's port map, unless it set
 * SO_REUSEADDR (a later bind with it may share the port:
 * docs/reference/bind.md); any other is counted in the port's bucket. */
bool ps_ports_add_user(ps_ports *p, const ps_socket *sk, bool bound);
void ps_ports_remove_user(ps_ports *p, const ps_socket *sk, bool bound);

/* The first owner of host:port (chained by ps_socket.link), or PS_NONE. */
uint32_t ps_ports_owners(const ps_ports *p, uint32_t host, uint16_t port);
/* Whether anything holds host:port. */
bool ps_ports_in_use(const ps_ports *p, uint32_t host, uint16_t port);

/* Picks a source port in [lo, hi] for a connection from saddr on host to
 * daddr:dport. PS_OK and *out, or PS_EADDRNOTAVAIL when every port is taken
 * for that destination, or when memory for its port map ran out (then p->nomem
 * is set: the caller must stop the run, not report a full range). `rng` adds the
 * kernel's small random drift; the connection table `dm` confirms each
 * candidate, so tuples made before the destination's map existed (a pinned
 * port) are never reused. */
ps_errno ps_ports_pick(ps_ports *p, const ps_socket *socks, const ps_demux *dm, ps_rng *rng,
                       uint32_t host, uint16_t lo, uint16_t hi, ps_addr saddr, ps_addr daddr,
                       uint16_t dport, uint16_t *out);

#endif
