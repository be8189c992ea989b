/* engine_internal.h — the engine's private state, shared by its modules:
 * engine.c (life cycle, the loop), engine_sock.c (socket plumbing),
 * engine_ops.c (operations), engine_view.c (views), tcp.c (segments and
 * the TCP state machine) and udp.c (UDP sockets, datagrams, ICMP). Nothing
 * outside sim/engine*.c, sim/tcp.c and sim/udp.c includes this. */
#ifndef PS_ENGINE_INTERNAL_H
#define PS_ENGINE_INTERNAL_H

#include "demux.h"
#include "engine_ops.h"
#include "evq.h"
#include "nat.h"
#include "ports.h"
#include "rng.h"
#include "table.h"


/* What a queue entry's data means: kind in the top byte, then a 24-bit
 * repetition counter, then a 32-bit index. */
enum {
    EVT_ACTION = 1,   /* index: scenario action; rep: which repetition */
    EVT_ARRIVE = 2,   /* index: segment slot */
    EVT_TIMEWAIT = 3, /* the oldest TIME-WAIT in the queue below is due */
    EVT_HTTP = 4,     /* serving hosts send their next response segments (http.c) */
};
#define EVT_PACK(kind, rep, idx) (((uint64_t)(kind) << 56) | ((uint64_t)(rep) << 32) | (idx))
#define EVT_KIND(d) ((unsigned)((d) >> 56))
#define EVT_REP(d) ((uint32_t)(((d) >> 32) & 0xffffffu))
#define EVT_INDEX(d) ((uint32_t)(d))
_Static_assert(sizeof(((ps_evq_item *)0)->data) == 8 && EVT_HTTP <= 0xff,
               "EVT_PACK needs a 64-bit queue payload: an 8-bit kind, a 24-bit repetition, a 32-bit index");

/* A process's file descriptors: a bitmap, so the lowest free fd (POSIX's
 * rule) is found by scanning words from a hint. */
typedef struct ps_fdset {
    uint64_t *bits;  /* bit n set: fd n in use */
    uint32_t words;  /* length of bits */
    uint32_t hint;   /* no free fd lies in words below this */
} ps_fdset;

struct ps_engine {
    const ps_scenario *sc;  /* what we run; owned by the caller */
    ps_rng rng;             /* every random choice (ISNs, port drift) */
    ps_evq q;               /* pending events */
    ps_time now;            /* the clock */
    uint64_t steps;         /* queue events run */
    uint64_t max_steps;     /* stop after this many */
    uint64_t work;          /* work units charged (shell scans and output) */
    uint64_t max_work;      /* stop when work would pass this */
    uint64_t nevents;       /* ps_events emitted (next event's seq) */
    ps_run_status status;
    uint32_t cur_action;    /* action being run, for event attribution */
    ps_event_fn sink;
    void *sink_ctx;
    ps_command_fn command_fn; /* runs `shell` actions (the userland), or NULL */
    void *command_ctx;

    ps_socket *socks;       /* socket slots */
    uint32_t nsocks, sockcap; /* slots used, allocated */
    uint32_t sock_free;     /* first free slot (chained by link), PS_NONE */
    uint32_t sock_live;     /* live sockets */
    uint32_t *state_count;  /* [host * PS_STATE_COUNT + state]: live sockets, so a
                               checker's "count N" costs O(1), not a scan */

    ps_segment *segs;       /* segments in flight */
    uint32_t nsegs, segcap; /* slots used, allocated */
    uint32_t *seg_free;     /* stack of free slots */
    uint32_t nseg_free;
    uint32_t next_seg_id;

    ps_proc *procs;         /* scenario processes first, then spawned ones */
    ps_fdset *fds;          /* parallel to procs */
    uint32_t nprocs, proccap;

    ps_ports ports;         /* port buckets and the ephemeral allocator */
    ps_demux demux;         /* the 4-tuple table */
    ps_table addr_index;    /* address -> host */
    ps_table link_index;    /* host pair -> link */

    /* Sockets in TIME-WAIT, oldest first. Every TIME-WAIT lasts the same
     * 60 s, so entering order is expiry order: one timer for the oldest
     * replaces a queue event per socket (a busy client has a million). */
    uint32_t *tw;           /* socket indices, tw[tw_head..tw_tail) */
    ps_time *tw_due;        /* when each one's TIME-WAIT ends */
    uint32_t tw_head, tw_tail, tw_cap;

    /* Texts sockets send on their own (replies, requests), interned so a
     * socket holds a 32-bit index instead of a pointer. */
    const char **texts;
    uint32_t ntexts, textcap;
    ps_table text_index;    /* pointer -> index into texts */

    uint32_t *named;        /* per sock-spec: live socket, or PS_NONE */
    uint8_t *named_err;     /* per sock-spec: ps_errno of its creating operation */
    uint8_t *named_seen;    /* per sock-spec: 1 once it has existed or failed */
    ps_socket *named_last;  /* per sock-spec: its last state once released */

    /* `at T LISTENER accept as NAME`: the k-th accept line of a listener
     * names the k-th connection it accepts, whenever that happens. */
    uint32_t *accept_head;  /* per sock-spec of a listener: the next name to give */
    uint32_t *accept_next;  /* per accept name: the listener's name after it */
    /* `expect SOCK accepted-by LISTENER`: per sock-spec of a client, the
     * listener's sock-spec that accepted it, PS_ACCEPTOR_UNNAMED, or PS_NONE.
     * Kept only when some expect asks (a look-up per accepted connection). */
    uint32_t *acceptor;
    bool track_acceptor;
    /* `expect segments`: the expects that count segments and their counts. */
    uint32_t *seg_expects;
    uint64_t *seg_counts;
    uint32_t nseg_expects;
    ps_ports udp;           /* UDP's own port space: every UDP socket is an owner */
    ps_nat *nat;            /* per host: a router's translation table (empty otherwise) */
    uint32_t *gateway;      /* per host: the router it sends through (ps_scenario_gateway) */
    struct ps_http *http;   /* page loads and servers (http.c) */
};

/* ---- operations only scenario actions use ---- */
ps_errno ps_engine_send(ps_engine *e, uint32_t sock, const char *text);
ps_errno ps_engine_close(ps_engine *e, uint32_t sock);
/* A named listener's next accepted connection gets the next `accept as`
 * name (if any); and when asked, the client learns who accepted it. */
void ps__accepted(ps_engine *e, uint32_t s);
/* engine_track.c's tables: made by ps_engine_new (false: out of memory),
 * freed by ps_engine_free. */
bool ps__track_init(ps_engine *e);
void ps__track_free(ps_engine *e);
/* Counts segment sg for every `expect segments` it matches. */
void ps__count_segment(ps_engine *e, const ps_segment *sg);

/* Sets both ends of a packet event (segment, datagram, rewrite): the
 * tuple as it is on the wire. */
static inline void ps__ev_ends(ps_event *ev, ps_addr src, uint16_t sport, ps_addr dst, uint16_t dport)
{
    ev->has_src = ev->has_dst = true;
    ev->src_addr = src;
    ev->src_port = sport;
    ev->dst_addr = dst;
    ev->dst_port = dport;
}

/* ---- engine.c services used by tcp.c ---- */
void ps__emit(ps_engine *e, ps_event *ev);
/* True when no sink listens: the caller skips building the event, which is
 * only counted. Hot paths use it, so a run with the trace off does not pay
 * for events nobody reads. */
static inline bool ps__quiet(ps_engine *e)
{
    if (e->sink) return false;
    e->nevents++;
    return true;
}
/* An event about socket s with host, process, name and endpoints filled in. */
ps_event ps__sock_event(const ps_engine *e, ps_event_kind kind, uint32_t s);
ps_event ps__host_event(const ps_engine *e, ps_event_kind kind, uint32_t host);
uint32_t ps__sock_new(ps_engine *e, uint32_t host);
void ps__sock_release(ps_engine *e, uint32_t s);
void ps__set_state(ps_engine *e, uint32_t s, ps_tcp_state st);
bool ps__fd_alloc(ps_engine *e, uint32_t proc, uint32_t *fd);
void ps__nomem(ps_engine *e);
/* Sets socket s's auto text (NULL: none). False, with the run stopped for
 * lack of memory, if the text table could not grow. */
bool ps__set_text(ps_engine *e, uint32_t s, const char *text);
/* Socket s's auto text, or NULL. */
const char *ps__text(const ps_engine *e, uint32_t s);
/* A `shell` action with no command hook: emits "$ CMDLINE" alone. */
void ps__command_echo(ps_engine *e, uint32_t host, const char *cmdline);
/* Socket s failed with err (a refused connect, a reset): reports it, records
 * the error under its name, and releases the socket. */
void ps__sock_error(ps_engine *e, uint32_t s, const char *op, ps_errno err);
/* Reports a failed operation on socket s (which it then frees, if any). */
ps_errno ps__fail(ps_engine *e, uint32_t s, ps_event *ev, const char *op, ps_errno err);

/* ---- engine_sock.c helpers used by the operations and the loop ---- */
/* The key of the link between hosts a and b, the same in either order. */
uint64_t ps__pair_key(uint32_t a, uint32_t b);
/* An event for an operation by `proc` before any socket exists. */
ps_event ps__proc_event(const ps_engine *e, ps_event_kind kind, uint32_t proc, uint32_t name);
/* Marks a failure of an operation that never got a socket. */
ps_errno ps__fail_early(ps_engine *e, ps_event *ev, uint32_t name, const char *op, ps_errno err);
bool ps__is_loopback(ps_addr a);              /* 127/8 */
/* The source address of a packet from `host` to dst, which routes to host
 * `to`: loopback for 127.x (::1), the address itself when a host sends to its
 * own address, else the host's primary address of dst's family (the caller
 * checks the host has one). */
ps_addr ps__source_addr(const ps_engine *e, uint32_t host, uint32_t to, ps_addr dst);
bool ps__host_owns(const ps_host_spec *h, ps_addr a); /* one of its addresses */
/* Returns a slot to the free list without any event (nothing was held). */
void ps__sock_discard(ps_engine *e, uint32_t s);
/* Records a new socket under its scenario name. */
void ps__name_socket(ps_engine *e, uint32_t s, uint32_t name);
void ps__fd_free(ps_engine *e, uint32_t proc, uint32_t fd);
/* Fills an event's process fields (name, pid) from proc. */
void ps__fill_proc(const ps_engine *e, ps_event *ev, uint32_t proc);

/* ---- tcp.c ---- */
/* Puts a segment on the wire from socket s (or from nobody, s = PS_NONE,
 * on host `host`) and schedules its arrival. */
bool ps__tcp_send(ps_engine *e, uint32_t host, uint32_t s, ps_addr src, uint16_t sport,
                  ps_addr dst, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
                  const char *payload);
/* Sends from a connected socket with its own sequence numbers. */
bool ps__tcp_output(ps_engine *e, uint32_t s, uint8_t flags, const char *payload);
void ps__tcp_arrive(ps_engine *e, uint32_t seg);
/* Releases every socket whose TIME-WAIT is over and arms the next timer. */
void ps__tcp_timewait_due(ps_engine *e);
/* Puts a packet on the wire from `host`: *pkt with every field but the
 * times, ids and hosts set. Returns its slot, or PS_NONE when no route
 * leads there (the packet is lost) or memory ran out (the run stops). */
uint32_t ps__wire_put(ps_engine *e, uint32_t host, const ps_segment *pkt);
/* Frees the slot of a packet that has arrived. */
void ps__seg_free(ps_engine *e, uint32_t g);

/* ---- router.c ---- */
/* A segment, datagram or ICMP port unreachable reached a router: rewrites
 * and forwards it (or drops it) and returns true; false when it is for the
 * router itself. */
bool ps__router_input(ps_engine *e, const ps_segment *sg);
/* A segment or datagram (proto) router r sends itself (its sockets', its
 * RSTs): conntrack follows it too when the router tracks (ps_nat.tracking). */
void ps__router_output(ps_engine *e, uint32_t r, uint8_t proto, ps_addr src, uint16_t sport, ps_addr dst,
                       uint16_t dport, uint8_t flags);

/* The next host on the way to an address from `from` (itself for 127.x and
 * its own addresses; the gateway router for a host it has no link to), or
 * PS_NONE. */
uint32_t ps__route(const ps_engine *e, uint32_t from, ps_addr dst, ps_time *latency);

/* ---- udp.c ---- */
/* A datagram or an ICMP message (PS_SEG_UDP, PS_SEG_ICMP) reached its host. */
void ps__udp_arrive(ps_engine *e, uint32_t g);
/* send() on connected UDP socket s; close() of UDP socket s. */
ps_errno ps__udp_send(ps_engine *e, uint32_t s, const char *text);
void ps__udp_close(ps_engine *e, uint32_t s);
/* Takes UDP socket s out of UDP's port space (its release). */
void ps__udp_unhash(ps_engine *e, uint32_t s);
/* Router r sends on a datagram or ICMP port unreachable (kind) it
 * translated or routed; false only when memory ran out. */
bool ps__udp_forward(ps_engine *e, uint32_t r, ps_addr src, uint16_t sport, ps_addr dst, uint16_t dport,
                     uint8_t kind, uint16_t len, const char *payload);
/* ---- http.c (page loads, http.h) ---- */
bool ps__http_init(ps_engine *e);  /* false: out of memory */
void ps__http_free(ps_engine *e);
void ps__http_fetch(ps_engine *e, uint32_t action);           /* a `fetch` action runs */
void ps__http_serve(ps_engine *e, uint32_t listener, uint32_t parts); /* `listen ... serve` */
/* A page's connection s completed its handshake: it sends (at least) the
 * handshake's last ACK. */
void ps__http_established(ps_engine *e, uint32_t s);
/* Data on an established HTTP socket (PS_SOCKX_HTTP_*); rcv_nxt already
 * counts it. Answers with at least an ACK, now or on the next tick. */
void ps__http_input(ps_engine *e, uint32_t s, const ps_segment *sg);
void ps__http_tick(ps_engine *e);                              /* EVT_HTTP */
void ps__http_released(ps_engine *e, uint32_t s);             /* an HTTP socket is gone */
/* Marks a segment event of HTTP socket s with its stream or request. */
void ps__http_tag_event(const ps_engine *e, uint32_t s, ps_event *ev);

#endif
