/* demux.h — which socket an arriving segment belongs to.
 *
 * As in the kernel's __inet_lookup: first the table of connections, keyed by
 * the full 4-tuple (plus the host, since every host has its own 127.0.0.1);
 * only on a miss the listener lookup, where a listener bound to the exact
 * destination address beats one bound to the wildcard. Connections in
 * SYN-RECV and TIME-WAIT are in the table too, as in the kernel.
 * Lookups cost O(1) whatever the number of connections. */
#ifndef PS_DEMUX_H
#define PS_DEMUX_H

#include "socket.h"
#include "table.h"

typedef struct ps_demux {
    ps_table conns; /* 4-tuple -> socket index */
} ps_demux;

struct ps_ports;

void ps_demux_init(ps_demux *d);
void ps_demux_free(ps_demux *d);
/* Adds socks[s], whose 4-tuple must be complete and not present yet. */
bool ps_demux_add(ps_demux *d, const ps_socket *socks, uint32_t s);
void ps_demux_remove(ps_demux *d, const ps_socket *socks, uint32_t s);
/* The connection socket for this 4-tuple as seen from `host`, or PS_NONE.
 * (la, lp) is the local end: the segment's destination. */
uint32_t ps_demux_connection(const ps_demux *d, const ps_socket *socks, uint32_t host,
                             ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp);
/* The listening socket that takes a SYN for la:lp from ra:rp on host, or
 * PS_NONE. When several SO_REUSEPORT listeners match equally well, a hash of
 * the 4-tuple picks one, as the kernel's reuseport group does. */
uint32_t ps_demux_listener(const struct ps_ports *p, const ps_socket *socks, uint32_t host,
                           ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp);

#endif
