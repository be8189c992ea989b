/* engine_view.h — read-only views of an engine's state at its current time:
 * processes, sockets (socket.h), segments in flight, names and ports. What a
 * trace writer, checker, shell or picture reads; nothing here changes state. */
#ifndef PS_ENGINE_VIEW_H
#define PS_ENGINE_VIEW_H

#include "engine.h"
#include "nat.h"
#include "socket.h"

/* ---- read-only views of engine state ---- */

/* ps_socket (one endpoint) lives in socket.h. */

/* A segment record's flags byte holds TCP flags (base.h), or one of these
 * for a packet that is not TCP: bits TCP never sets in portsim. */
enum {
    PS_SEG_UDP = 0x40,  /* a UDP datagram: len and payload are its data */
    PS_SEG_ICMP = 0x80, /* an ICMP port unreachable: src_port is the closed port,
                           dst_port the sender's port, len and payload the
                           datagram's (the ICMP message quotes it) */
};

/* A segment in flight. A million connections can have a segment each in
 * flight at once, so the record is packed: host indices fit 16 bits
 * (PS_MAX_HOSTS), a payload is a scenario string (at most a line, 4 KiB). */
typedef struct ps_segment {
    ps_addr src_addr, dst_addr;
    uint16_t src_port, dst_port;
    uint8_t flags;        /* PS_SYN | PS_ACK ... */
    uint8_t live;         /* 1 while in flight */
    uint16_t len;         /* payload bytes */
    uint32_t seq, ack;    /* TCP sequence and acknowledgement numbers */
    uint16_t from_host;   /* sender host index */
    uint16_t to_host;     /* receiver host index */
    uint32_t id;          /* unique, increasing: a stable order for drawing */
    ps_time sent;         /* when it left */
    ps_time arrives;      /* when it will be delivered */
    const char *payload;  /* the bytes (scenario-owned text), or NULL */
} ps_segment;
_Static_assert(sizeof(ps_segment) <= 56, "ps_segment: 32 bytes of fields, two times and a pointer");
_Static_assert(PS_MAX_HOSTS <= 65536, "host indices fit a segment's 16 bits");

typedef struct ps_proc {
    uint32_t host;        /* host index */
    uint32_t pid;
    const char *name;     /* "nginx" */
    const char *user;     /* "root" or another name */
    bool alive;           /* false once killed */
    bool root;            /* user is root: may bind below the unprivileged start */
    uint16_t uid;         /* 0 for root, else 1000, 1001... in order of first appearance */
} ps_proc;

/* ---- state at the current time ---- */

const ps_scenario *ps_engine_scenario(const ps_engine *e);

uint32_t ps_engine_proc_count(const ps_engine *e);
const ps_proc *ps_engine_proc(const ps_engine *e, uint32_t i);
/* The live process with this pid on host, or PS_NONE. */
uint32_t ps_engine_find_pid(const ps_engine *e, uint32_t host, uint32_t pid);

/* Socket slots: 0..count-1; skip slots whose `live` is 0. Slots are reused in
 * a deterministic order, so indices are stable for a given run. */
uint32_t ps_engine_socket_slots(const ps_engine *e);
const ps_socket *ps_engine_socket(const ps_engine *e, uint32_t i);
uint32_t ps_engine_socket_live(const ps_engine *e); /* live sockets right now */
/* Socket i's own text: a listener's or accepted socket's reply, a web
 * client's request; NULL if none. */
const char *ps_engine_socket_text(const ps_engine *e, uint32_t i);
/* Live sockets of host in state st right now, in O(1). */
uint32_t ps_engine_state_count(const ps_engine *e, uint32_t host, ps_tcp_state st);
/* The socket a scenario name currently refers to, or PS_NONE (not created
 * yet, or released). */
uint32_t ps_engine_named_socket(const ps_engine *e, uint32_t sock_spec);
/* The error the named socket's creating operation ended with, PS_OK if none;
 * stays readable after the socket is gone. */
ps_errno ps_engine_named_error(const ps_engine *e, uint32_t sock_spec);
/* The 4-tuple and state a named socket had most recently (kept after release,
 * so expectations can compare tuples of connections that have ended). */
const ps_socket *ps_engine_named_last(const ps_engine *e, uint32_t sock_spec);

/* Which listener accepted a named client's connection: the listener's
 * sock-spec, PS_ACCEPTOR_UNNAMED (a listener without a name), or PS_NONE
 * (not accepted, or nothing asked: kept only when an expect names
 * accepted-by). */
#define PS_ACCEPTOR_UNNAMED (PS_NONE - 1)
uint32_t ps_engine_acceptor(const ps_engine *e, uint32_t sock_spec);
/* How many segments matched expect number `expect` (an `expect segments`
 * line) since the run began. */
uint64_t ps_engine_segment_count(const ps_engine *e, uint32_t expect);

/* Segments in flight: slots 0..count-1, skip those whose `live` is 0. */
uint32_t ps_engine_segment_slots(const ps_engine *e);
const ps_segment *ps_engine_segment(const ps_engine *e, uint32_t i);

/* The UDP socket on host that a datagram for la:lp from ra:rp reaches right
 * now (the engine's own demultiplexing, udp.c), or PS_NONE. */
uint32_t ps_engine_udp_lookup(const ps_engine *e, uint32_t host, ps_addr la, uint16_t lp, ps_addr ra,
                              uint16_t rp);

/* Whether a UDP socket holds host:port right now: PS_PORT_USED or PS_PORT_FREE
 * (UDP has no listening). */
ps_port_state ps_engine_udp_port_state(const ps_engine *e, uint32_t host, uint16_t port);
/* A router's translation table (nat.h), or NULL for a host that is not a
 * router. Entries may have expired: ask ps_nat_live(t, i, now). */
const ps_nat *ps_engine_nat(const ps_engine *e, uint32_t host);

/* What holds host:port right now (ps_port_state in scenario.h). */
ps_port_state ps_engine_port_state(const ps_engine *e, uint32_t host, uint16_t port);

#endif
