/* event.h — what the engine reports: one ps_event per observable happening
 * (a listen, a segment on the wire, a delivery, an error, a caption...).
 *
 * Events are the only output of a run. Trace writers (trace.h), the checker
 * (check.h), the pcap writer and the GUI all consume the same stream through
 * a ps_event_fn sink. An event and every string it points to are valid only
 * during the sink call: a sink that keeps one must copy it. */
#ifndef PS_EVENT_H
#define PS_EVENT_H

#include "base.h"

typedef enum ps_event_kind {
    PS_EV_LISTEN,      /* a socket starts listening: src = local addr:port */
    PS_EV_CONNECT,     /* connect() started: src = chosen source, dst = target */
    PS_EV_SEGMENT,     /* a segment leaves `host`: src, dst, flags, len, seq, ack */
    PS_EV_DELIVER,     /* a segment reaches `host` and demux picked `to` */
    PS_EV_ACCEPT,      /* a listener accepted a connection: src = local, dst = peer */
    PS_EV_ESTABLISHED, /* a socket reached ESTABLISHED: src = local, dst = peer */
    PS_EV_CLOSE,       /* a socket closes (app close, kill, or peer's FIN answered) */
    PS_EV_RELEASE,     /* a socket is gone and its port is free again: src = local */
    PS_EV_ERROR,       /* an operation failed: op, err (and dst / port) */
    PS_EV_KILL,        /* a process was killed: pid, proc */
    PS_EV_SAY,         /* a caption: text */
    PS_EV_SHELL,       /* a command on a host and its output: text */
    PS_EV_BIND,        /* a socket is bound, not listening: src = local addr:port */
    PS_EV_UDP_BIND,    /* a UDP socket is bound: src = local addr:port, ephemeral */
    PS_EV_UDP_CONNECT, /* a UDP socket is connected (no packet): src, dst, ephemeral */
    PS_EV_DATAGRAM,    /* a UDP datagram leaves `host`: src, dst, len, text */
    PS_EV_UDP_DELIVER, /* a datagram reaches `host`: to = PS_TO_SOCKET or PS_TO_NONE */
    PS_EV_ICMP,        /* an ICMP port unreachable leaves `host`: src = the closed
                          addr:port, dst = the datagram's sender addr:port */
    PS_EV_ICMP_DELIVER,/* it reaches the sender: to = PS_TO_SOCKET (socket named) or NONE */
    PS_EV_NAT,         /* a router rewrote a segment crossing it (op "masquerade" or
                          "forward"): src, dst as it came, nat_src, nat_dst as it
                          leaves; or dropped it (op "drop", text: why) */
    PS_EV_HTTP,        /* a page load's step (sim/http.h): op, page, stream/request, text */
    PS_EV_KIND_COUNT
} ps_event_kind;

/* The kind's name as traces print it: "listen", "segment", ... */
const char *ps_event_kind_name(ps_event_kind k);

typedef enum ps_deliver_to {
    PS_TO_NONE,        /* demux found no socket: the host answers with RST */
    PS_TO_LISTENER,    /* a listening socket took it (a SYN) */
    PS_TO_CONNECTION,  /* the 4-tuple table found its connection */
    PS_TO_SOCKET,      /* UDP: the socket bound to the destination address and port */
} ps_deliver_to;

const char *ps_deliver_to_name(ps_deliver_to to); /* "none", "listener", "connection", "socket" */

typedef struct ps_event {
    ps_time t;             /* when it happened */
    ps_event_kind kind;
    uint64_t seq;          /* 0,1,2... in order of emission: a stable event id */
    uint32_t host;         /* host index where it happened (PS_NONE for SAY) */
    const char *host_name; /* that host's name, or NULL */
    uint32_t pid;          /* acting process, 0 if none */
    const char *proc;      /* acting process name, or NULL */
    uint32_t socket;       /* engine socket index involved, or PS_NONE */
    const char *sock;      /* the scenario's name for that socket, or NULL */
    bool has_src, has_dst; /* which endpoints below are meaningful */
    ps_addr src_addr;  uint16_t src_port;
    ps_addr dst_addr;  uint16_t dst_port;
    uint8_t flags;         /* SEGMENT, DELIVER: TCP flags */
    uint32_t len;          /* SEGMENT, DELIVER: payload bytes */
    uint32_t tcp_seq, tcp_ack; /* SEGMENT: sequence and acknowledgement numbers */
    uint32_t segment;      /* SEGMENT, DELIVER: in-flight segment index */
    ps_deliver_to to;      /* DELIVER */
    ps_errno err;          /* ERROR (and CONNECT refused later shows as ERROR) */
    const char *op;        /* ERROR: "listen", "connect", "send", "close", "kill", "bind" */
    bool ephemeral;        /* CONNECT: the OS picked the source port */
    uint16_t port;         /* LISTEN, RELEASE, ERROR: the port concerned, else 0 */
    ps_tcp_state state;    /* CLOSE: the state the socket moved to */
    bool port_free;        /* RELEASE: no other socket holds the port any more */
    const char *text;      /* SAY caption, SHELL output, DELIVER/SEGMENT payload */
    uint32_t action;       /* scenario action that caused it, or PS_NONE */
    /* NAT: the segment's endpoints once rewritten, and whether this segment
     * made a new translation entry. */
    ps_addr nat_src_addr;  uint16_t nat_src_port;
    ps_addr nat_dst_addr;  uint16_t nat_dst_port;
    bool nat_new;
    uint8_t family;        /* ps_family of the socket: PS_FAM_INET6 shows its
                              addresses in IPv6 form (:: and ::ffff:a.b.c.d).
                              SEGMENT, DELIVER: 0, the addresses on the wire */
    /* HTTP: op is "fetch", "request", "queued", "respond", "response" or
     * "done"; page names the page (its `as` name, or "page"); an HTTP/2
     * stream id (0 for HTTP/1.1); the request's number in the page (0: the
     * page itself, 1..N: its resources). */
    const char *page;
    uint32_t stream;
    uint32_t request;
    /* SEGMENT, DELIVER on a page load's or a server's socket: what the
     * payload belongs to (a ps_http_tag_kind: 1 = `stream`, 2 = `request`;
     * 0 = nothing). */
    uint8_t http_tag;
} ps_event;

typedef void (*ps_event_fn)(void *ctx, const ps_event *ev);

#endif
