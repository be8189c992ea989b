/* socket.h — the socket record: one endpoint of one conversation (or a
 * listener), as the engine stores it and every reader sees it.
 *
 * Sockets live in one array owned by the engine (engine.h); modules refer to
 * them by index, never by pointer, because the array grows. */
#ifndef PS_SOCKET_H
#define PS_SOCKET_H

#include "base.h"

/* Socket flags (ps_socket.flags). */
enum {
    PS_SOCK_LISTENER  = 1 << 0, /* a listening socket (or one that tried to be) */
    PS_SOCK_EPHEMERAL = 1 << 1, /* its local port was picked by the OS */
    PS_SOCK_ACCEPTED  = 1 << 2, /* created by a listener for an incoming connection */
    PS_SOCK_REUSEADDR = 1 << 3, /* SO_REUSEADDR */
    PS_SOCK_ORPHAN    = 1 << 4, /* closed by its process but still finishing (FIN, TIME_WAIT) */
    PS_SOCK_BOUND     = 1 << 5, /* holds an entry in its host's port table */
    PS_SOCK_REUSEPORT = 1 << 6, /* SO_REUSEPORT: listeners of one user may share a port */
    PS_SOCK_REQUESTER = 1 << 7, /* a client that sends auto_text once and closes on the answer */
};

/* Extra flags (ps_socket.xflags), one bit each; UDP owns bits 0-3, IPv6
 * 4-7, NAT 8-11, HTTP 12-15. */
enum {
    /* UDP, connected: an ICMP port unreachable came back, so the next call
     * on the socket fails with ECONNREFUSED (docs/reference/udp.md). */
    PS_SOCKX_UDP_REFUSED = 1 << 0,
};

/* Transport protocol (ps_socket.proto). Zero is TCP so a zeroed slot is a
 * TCP socket, as every socket was before UDP. */
typedef enum ps_proto { PS_PROTO_TCP = 0, PS_PROTO_UDP = 1 } ps_proto;

/* Flags beyond `flags` (ps_socket.xflags), one bit each, by feature.
 * HTTP page loads (sim/http.c) use bits 12-15. */
enum {
    PS_SOCKX_HTTP_CLIENT = 1 << 12, /* a browser connection of a page load (`fetch`) */
    PS_SOCKX_HTTP_SERVER = 1 << 13, /* a `serve` listener, or a connection it accepted */
    PS_SOCKX_HTTP_PARTS = 3 << 14,  /* SERVER: segments per response body, minus one */
};
#define PS_SOCKX_HTTP_PARTS_SHIFT 14

/* Address family (ps_socket.family). Zero is IPv4, for the same reason. */
typedef enum ps_family { PS_FAM_INET = 0, PS_FAM_INET6 = 1 } ps_family;

/* Flags beyond the eight of `flags` (ps_socket.xflags), one bit each: UDP
 * uses bits 0-3, IPv6 bits 4-7, NAT bits 8-11, HTTP bits 12-15. */
enum {
    /* IPV6_V6ONLY on an AF_INET6 socket: it takes no IPv4 peers. An AF_INET6
     * socket without it, bound to ::, is dual-stack; its connections with
     * IPv4 peers hold IPv4 values in laddr/raddr (shown ::ffff:a.b.c.d). */
    PS_SOCKX_V6ONLY = 1 << 4,
};

/* Which wildcard a socket's local address 0 stands for: every IPv4
 * address (0.0.0.0, or :: without V6ONLY), every IPv6 one (::), or both. */
enum { PS_WILD_V4 = 1, PS_WILD_V6 = 2 };
static inline unsigned ps_wild_of(unsigned family, bool v6only)
{
    return family == PS_FAM_INET6 ? (v6only ? PS_WILD_V6 : PS_WILD_V4 | PS_WILD_V6) : PS_WILD_V4;
}

/* 52 bytes on every target. A simulation of a busy server holds two of
 * these per connection, so fields are packed (host and user ids in 16 bits:
 * PS_MAX_HOSTS, and uids count users in order of appearance), the text is an
 * index rather than a pointer, and two fields that never coexist share a
 * slot (see `listener`). */
typedef struct ps_socket {
    ps_addr laddr;        /* local address (0 = all addresses, for a listener) */
    ps_addr raddr;        /* remote address, 0 while unconnected */
    uint16_t lport;       /* local port, 0 before one is chosen */
    uint16_t rport;       /* remote port */
    uint8_t state;        /* ps_tcp_state */
    uint8_t flags;        /* PS_SOCK_* */
    uint8_t err;          /* ps_errno of the last failed operation, PS_OK if none */
    uint8_t live;         /* 1 while the slot holds a socket; 0 = free slot */
    uint16_t host;        /* owning host index */
    uint16_t uid;         /* owner's user id (0 = root); SO_REUSEPORT compares it */
    uint32_t proc;        /* owning process index, PS_NONE once orphaned */
    uint32_t fd;          /* file descriptor in that process (>= 3), 0 if none */
    uint32_t name;        /* scenario sock-spec index (`as NAME`), or PS_NONE */
    union {
        uint32_t listener; /* ACCEPTED: the listening socket it came from */
        uint32_t link;     /* private, any other socket: while live, the next
                              owner of the same port (ports.c); while free,
                              the next free slot */
    };
    uint32_t snd_nxt;     /* next sequence number to send; UDP: datagrams sent */
    uint32_t rcv_nxt;     /* next sequence number expected from the peer; UDP:
                             datagrams received */
    uint32_t text;        /* LISTENER, ACCEPTED: the reply to every request;
                             REQUESTER: its one request; PS_NONE: none. An index
                             into the engine's texts (ps_engine_socket_text) */
    uint8_t proto;        /* ps_proto */
    uint8_t family;       /* ps_family */
    uint16_t xflags;      /* PS_SOCKX_*: flags beyond the eight of `flags` */
} ps_socket;
_Static_assert(sizeof(ps_socket) == 52, "ps_socket: 52 bytes, two per connection");

static inline unsigned ps_sock_wild(const ps_socket *s)
{
    return ps_wild_of(s->family, (s->xflags & PS_SOCKX_V6ONLY) != 0);
}
/* Whether socket s shows its addresses in IPv6 form (::ffff:a.b.c.d for an
 * IPv4 peer), as the tools and traces do for an AF_INET6 socket. */
static inline bool ps_sock_v6(const ps_socket *s) { return s->family == PS_FAM_INET6; }

/* What holds a host's port right now (ps_engine_port_state, expect ... port). */
typedef enum ps_port_state {
    PS_PORT_FREE,      /* nothing on the host holds the port */
    PS_PORT_LISTENING, /* some socket listens on it */
    PS_PORT_USED,      /* held, but not by a listener (a connection, TIME_WAIT) */
} ps_port_state;

#endif
