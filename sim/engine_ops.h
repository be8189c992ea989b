/* engine_ops.h — the operations through which code outside the engine
 * (scenario actions inside it, the userland and the window outside) changes
 * engine state. */
#ifndef PS_ENGINE_OPS_H
#define PS_ENGINE_OPS_H

#include "engine_view.h"

/* Each acts at the current time, emits its events and returns PS_OK or the
 * errno it failed with (also emitted as a PS_EV_ERROR event). `name` is a
 * sock-spec index or PS_NONE; `*out` (may be NULL) receives the socket index,
 * or PS_NONE when none was created. */

/* `sockopts`: 0, or PS_SOCK_REUSEADDR and/or PS_SOCK_REUSEPORT (socket.h).
 * `reply` (may be NULL) is the text each accepted connection answers a
 * request with; it must outlive the engine. */
ps_errno ps_engine_listen(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                          unsigned sockopts, const char *reply, uint32_t name, uint32_t *out);
/* More `sockopts` of ps_engine_listen: an AF_INET6 socket (so addr 0 is ::,
 * and an IPv4 addr is the mapped ::ffff:a.b.c.d), and IPV6_V6ONLY on it. A
 * concrete IPv6 addr makes an AF_INET6 socket by itself. */
#define PS_LISTEN_INET6 (1u << 16)
#define PS_LISTEN_V6ONLY (1u << 17)
ps_errno ps_engine_connect(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                           uint16_t from_port, uint32_t name, uint32_t *out);
/* bind() alone: a socket holding [addr:]port that does not listen (yet).
 * Conflicts are decided here, by the same rule as a listen's. */
ps_errno ps_engine_bind(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                        unsigned sockopts, uint32_t name, uint32_t *out);
/* listen() on a socket made by ps_engine_bind: EADDRINUSE when another
 * socket now listens where it would (the kernel checks again at listen);
 * the socket then stays bound. `reply` as for ps_engine_listen. */
ps_errno ps_engine_listen_bound(ps_engine *e, uint32_t sock, const char *reply);
/* connect() with the options a client may set first: a source address
 * (`from_addr`, 0 = the route's), a pinned port (0 = the OS picks) and
 * `sockopts` (PS_SOCK_REUSEADDR, PS_SOCK_REUSEPORT) for the pinned bind. */
ps_errno ps_engine_connect_from(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                                ps_addr from_addr, uint16_t from_port, unsigned sockopts,
                                uint32_t name, uint32_t *out);
/* Makes a connecting socket a simple web client: once established it sends
 * `text` (which must outlive the engine), and it closes when the answer
 * arrives. */
ps_errno ps_engine_request(ps_engine *e, uint32_t sock, const char *text);
/* UDP (udp.c). A UDP socket is bound from birth: udp_bind binds [addr:]port
 * (port 0: an ephemeral port, as bind() to port 0 does), each datagram
 * reaching it is answered with `reply` (may be NULL; must outlive the
 * engine). udp_connect binds from_port (0: ephemeral; `sockopts` as for
 * listen) and connects to dst:dport, sending nothing. sendto sends text from UDP socket s to
 * dst:dport; ps_engine_send on a connected UDP socket sends to its peer. */
ps_errno ps_engine_udp_bind(ps_engine *e, uint32_t proc, ps_addr addr, uint16_t port,
                            unsigned sockopts, const char *reply, uint32_t name, uint32_t *out);
ps_errno ps_engine_udp_connect(ps_engine *e, uint32_t proc, ps_addr dst, uint16_t dport,
                               uint16_t from_port, unsigned sockopts, uint32_t name, uint32_t *out);
ps_errno ps_engine_sendto(ps_engine *e, uint32_t s, ps_addr dst, uint16_t dport, const char *text);
ps_errno ps_engine_kill(ps_engine *e, uint32_t host, uint32_t pid);
/* Starts a new process on host (for shell launchers). Returns its index, or
 * PS_NONE if memory ran out or the pid is taken. The engine copies name and
 * user. */
uint32_t ps_engine_spawn(ps_engine *e, uint32_t host, const char *name, const char *user,
                         uint32_t pid);
/* Pays n units of work (see ps_engine_set_max_work). False when the budget
 * cannot pay: the run has then stopped (PS_RUN_WORK) and the caller must
 * not do the work. */
bool ps_engine_charge(ps_engine *e, uint64_t n);
/* Emits a SHELL or SAY event carrying text (for the shell module and GUI). */
void ps_engine_note(ps_engine *e, ps_event_kind kind, uint32_t host, const char *text);

#endif
