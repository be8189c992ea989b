/* demux.h — which socket an arriving segment belongs to.
 *
 * As in the kernel's __inet_lookup: first the table of connections, keyed by
 * the full 4-tuple (plus the host, since every host has its own 127.0.0.1);
 * only on a miss the listener lookup, where a listener bound to the exact
 * destination address beats one bound to the wildcard. Connections in
 * SYN-RECV and TIME-WAIT are in the table too, as in the kernel.
 *
 * The connection table is open addressing with the 4-tuple stored in each
 * 16-byte slot, so a lookup reads one cache line of the table. An address
 * other than 127.x belongs to exactly one host (the parser rejects
 * duplicates), so only loopback tuples (two hosts can both have
 * 127.0.0.1:X -> 127.0.0.1:Y) need the socket read to confirm the host.
 * Lookups cost O(1) whatever the number of connections; `make bench`
 * measures them at 1,000 and 1,000,000. */
#ifndef PS_DEMUX_H
#define PS_DEMUX_H

#include "socket.h"

typedef struct ps_demux_slot {
    ps_addr la, ra;     /* local and remote address */
    uint16_t lp, rp;    /* local and remote port */
    uint32_t sock1;     /* socket index + 1; 0 marks an empty slot */
} ps_demux_slot;
_Static_assert(sizeof(ps_demux_slot) == 16, "a demux slot is 16 bytes: four fit in a 64-byte cache line");

typedef struct ps_demux {
    ps_demux_slot *slots; /* cap slots; a hash maps to slot (hash * cap) >> 32 */
    uint32_t cap;         /* slots allocated (any size: grows by a quarter) */
    uint32_t n;           /* connections stored */
} ps_demux;


void ps_demux_init(ps_demux *d);
void ps_demux_free(ps_demux *d);
/* Adds socks[s], whose 4-tuple must be complete and not present yet.
 * Returns false (table unchanged) if memory runs out. */
bool ps_demux_add(ps_demux *d, const ps_socket *socks, uint32_t s);
void ps_demux_remove(ps_demux *d, const ps_socket *socks, uint32_t s);
/* Starts loading the slot where a lookup of this 4-tuple will begin. */
void ps_demux_prefetch(const ps_demux *d, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp);
/* The socket in that slot when it holds this very tuple (the usual case,
 * the slot being cached by then), else PS_NONE: a guess to prefetch, not an
 * answer (it does not check the host, as loopback tuples need). */
uint32_t ps_demux_guess(const ps_demux *d, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp);
/* Checks the invariants (O(cap x probe run)): every slot's tuple equals its
 * socket's, no hole between a slot and its home, the count and the load
 * bound. For tests and PS_ASSERT; false means the table is corrupt. */
bool ps_demux_valid(const ps_demux *d, const ps_socket *socks);
/* The connection socket for this 4-tuple as seen from `host`, or PS_NONE.
 * (la, lp) is the local end: the segment's destination. */
uint32_t ps_demux_connection(const ps_demux *d, const ps_socket *socks, uint32_t host,
                             ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp);
/* The listening socket that takes a SYN for la:lp from ra:rp on host, or
 * PS_NONE. `owners` is the first socket on host's port lp, chained by
 * socks[].link (ps_ports_owners() in ports.h). When several SO_REUSEPORT
 * listeners match equally well, a hash of the 4-tuple picks one, as the
 * kernel's reuseport group does. */
uint32_t ps_demux_listener(const ps_socket *socks, uint32_t owners, uint32_t host, ps_addr la,
                           uint16_t lp, ps_addr ra, uint16_t rp);

#endif
