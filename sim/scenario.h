/* scenario.h — a scenario as plain data: hosts, links, processes, timed
 * actions and expectations, exactly as a file spelled them, with every name
 * already resolved to an index and every item keeping its source position.
 * This is the engine's input; it knows nothing of text.
 *
 * ps_scenario_parse() (lang/parse.h) turns text into this; ps_engine_new()
 * (engine.h) runs it. The parser checks everything that can be known without running: names
 * exist, pids are unique, ports are in range, times do not go backwards, a
 * socket name is defined once. What only a run can tell (EADDRINUSE, ...) is
 * the engine's job. The scenario owns all its strings; free it with
 * ps_scenario_free(). */
#ifndef PS_SCENARIO_H
#define PS_SCENARIO_H

#include "base.h"
#include "socket.h"
#include "units.h"

#define PS_MAX_HOST_ADDRS 8       /* addresses a host may list (127.0.0.1 comes free) */
#define PS_MAX_REPEAT 2000000u    /* upper bound of `repeat N` on one line */
/* How many of each a scenario may declare. Lessons use a handful; the caps
 * keep the parser's name checks (linear scans) well under a second and the
 * memory of a hostile file bounded. Large crowds come from `repeat`. */
#define PS_MAX_HOSTS 4096u
#define PS_MAX_LINKS 8192u
#define PS_MAX_PROCS 8192u
#define PS_MAX_SOCK_NAMES 8192u
#define PS_MAX_ACTIONS 262144u
#define PS_MAX_EXPECTS 65536u
#define PS_MAX_QUESTIONS 65536u
#define PS_MAX_FORWARDS 1024u     /* `forward` rules in all */
#define PS_MAX_CHOICES 9u         /* a question's choices: keys 1 to 9 in the window */
#define PS_MAX_ADDRS6 4096u       /* distinct IPv6 addresses in one scenario (found by a linear scan) */

/* How long TIME-WAIT lasts: TCP_TIMEWAIT_LEN (docs/reference/linux-ports.md,
 * "TIME-WAIT and restarting a server"). */
#define PS_TIME_WAIT_US 60000000ull
/* One-way delay of a host talking to itself: the order of magnitude measured
 * on loopback, 9 to 13 us from SYN to RST (docs/reference/linux-ports.md,
 * "Loopback delay"). */
#define PS_LOOPBACK_US 10ull
/* Simulated time ends here: every event of a scenario must come before it,
 * so no time sum can wrap (the parser checks, the engine asserts). */
#define PS_TIME_END (UINT64_MAX / 4)
/* What one action can still cause after it runs: a connection's segments
 * (at most this many one-way trips) and then a TIME-WAIT. */
#define PS_ACTION_TRIPS 16u

typedef enum ps_os {
    PS_OS_LINUX,   /* ephemeral 32768-60999 */
    PS_OS_WINDOWS, /* 49152-65535 */
    PS_OS_MACOS,   /* 49152-65535 */
    PS_OS_FREEBSD, /* 10000-65535 */
    PS_OS_COUNT
} ps_os;

const char *ps_os_name(ps_os os);
/* The defaults an OS profile brings (docs/reference/linux-ports.md,
 * "Ephemeral port ranges"). */
void ps_os_defaults(ps_os os, uint16_t *eph_lo, uint16_t *eph_hi, uint16_t *unpriv_start);

typedef struct ps_host_spec {
    char *name;                        /* "laptop" */
    ps_addr addrs[PS_MAX_HOST_ADDRS];  /* the first one is the primary (source) address */
    uint32_t naddrs;                   /* 1..PS_MAX_HOST_ADDRS */
    ps_os os;                          /* profile named by os=, default linux */
    uint16_t eph_lo, eph_hi;           /* ephemeral range (ports=LO-HI overrides the profile) */
    uint16_t unpriv_start;             /* first port a non-root user may bind (unpriv=N) */
    ps_pos pos;
    /* A `router` line: a host that forwards between its inside network
     * (addrs[1], the prefix below) and the outside (addrs[0]). */
    bool router;
    bool masquerade;                   /* rewrites inside sources to addrs[0] (`masquerade`) */
    uint8_t inside_prefix;             /* the inside network is addrs[1]/inside_prefix */
    uint32_t conntrack_max;            /* translation entries at most (`conntrack-max=N`) */
    ps_addr addrs6[PS_MAX_HOST_ADDRS]; /* IPv6 addresses (table indexes); the first is
                                          the source of its IPv6 connections; ::1 comes free */
    uint32_t naddrs6;                  /* 0..PS_MAX_HOST_ADDRS */
} ps_host_spec;

/* `forward ROUTER [tcp] PORT to HOST:PORT`: connections to the router's
 * outside address and port go to an inside host (DNAT). */
typedef struct ps_forward_spec {
    uint32_t router;    /* host index of the router */
    uint8_t proto;      /* ps_proto */
    uint16_t port;      /* on the router's outside address */
    ps_addr to;         /* the inside host's address */
    uint16_t to_port;
    ps_pos pos;
} ps_forward_spec;

typedef struct ps_link_spec {
    uint32_t a, b;      /* host indices, a != b; links are symmetric */
    ps_time latency;    /* one-way delay */
    ps_pos pos;
} ps_link_spec;

typedef struct ps_proc_spec {
    uint32_t host;      /* host index */
    char *name;         /* program name as ps/ss show it: "nginx" */
    uint32_t pid;       /* unique within its host, >= 1 */
    char *user;         /* "root" is privileged; any other name is not */
    ps_pos pos;
} ps_proc_spec;

/* A name given with `as NAME`: one socket the scenario can talk about later. */
typedef struct ps_sock_spec {
    char *name;          /* "tab1" */
    uint32_t action;     /* index of the action that creates it */
    ps_pos pos;          /* where the name was defined */
} ps_sock_spec;

typedef enum ps_action_kind {
    PS_ACT_LISTEN,   /* proc listens on [addr:]port */
    PS_ACT_CONNECT,  /* proc connects to addr:port, maybe from a pinned port */
    PS_ACT_SEND,     /* a named socket sends text */
    PS_ACT_CLOSE,    /* a named socket closes */
    PS_ACT_KILL,     /* a host kills a pid */
    PS_ACT_SAY,      /* a caption for the lecture */
    PS_ACT_SHELL,    /* a command typed on a host (see shell.h) */
    PS_ACT_BIND,     /* proc binds a socket to [addr:]port without listening */
    PS_ACT_LISTEN_SOCK, /* a named socket made by BIND starts listening */
    PS_ACT_ACCEPT,   /* names the next connection a named listener accepts */
    PS_ACT_UDP_BIND,    /* proc binds a UDP socket on [addr:]port (0: the OS picks) */
    PS_ACT_UDP_CONNECT, /* proc connects a UDP socket to addr:port, maybe from a pinned port */
    PS_ACT_SENDTO,      /* a named UDP socket sends text to addr:port */
    /* UDP_BIND fills addr, port, sock, text (its reply) and the reuse words as
     * LISTEN does; UDP_CONNECT fills them as CONNECT does; SENDTO: sock,
     * addr, port, text. */
    PS_ACT_FETCH,    /* a browser loads a page and its resources (sim/http.h) */
    PS_ACT_COUNT
} ps_action_kind;

typedef struct ps_action {
    ps_action_kind kind;
    ps_time t;           /* when it happens (the first time, with repeat) */
    uint32_t host;       /* LISTEN, CONNECT, KILL, SHELL, BIND: host index; else PS_NONE */
    uint32_t proc;       /* LISTEN, CONNECT, BIND: proc index; else PS_NONE */
    uint32_t sock;       /* LISTEN, CONNECT, BIND, ACCEPT: the `as` name it defines
                            (or PS_NONE); SEND, CLOSE, LISTEN_SOCK: the named socket
                            acted on */
    ps_addr addr;        /* LISTEN, BIND: local address (0 = all); CONNECT: destination */
    uint16_t port;       /* LISTEN, BIND: local port; CONNECT: destination port */
    uint16_t from_port;  /* CONNECT: pinned source port, 0 = the OS picks */
    bool reuseaddr;      /* LISTEN, BIND, CONNECT: SO_REUSEADDR was asked for */
    bool reuseport;      /* LISTEN, BIND, CONNECT: SO_REUSEPORT was asked for */
    uint32_t pid;        /* KILL: the pid to kill */
    char *text;          /* SEND payload, LISTEN auto-reply (or NULL), CONNECT request
                            (or NULL), SAY caption, SHELL command line; else NULL */
    char *target;        /* CONNECT: the target as written ("https://93.184.216.34") */
    uint32_t repeat;     /* how many times (>= 1); only LISTEN-free kinds may repeat */
    ps_time every;       /* spacing between repeats */
    ps_pos pos;          /* the line's first column */
    ps_addr from_addr;   /* CONNECT: source address asked for (`from ADDR`), 0 = the OS's */
    uint32_t listener;   /* ACCEPT: sock-spec of the listener; else PS_NONE */
    uint8_t family;      /* LISTEN: PS_FAM_INET6 when the address was written
                            [ADDR] (an AF_INET6 socket), else PS_FAM_INET */
    bool v6only;         /* LISTEN: IPV6_V6ONLY was asked for */
    /* FETCH: a page load (sim/http.h); addr/port: the server, sock: `as PAGE` */
    uint16_t resources;  /* FETCH: resources after the page, 0..PS_HTTP_MAX_RESOURCES */
    uint8_t http;        /* FETCH: 1 (HTTP/1.1 keep-alive) or 2 (HTTP/2) */
    uint8_t pool;        /* FETCH: connections per origin, 1..PS_HTTP_MAX_POOL */
    uint8_t serve_parts; /* LISTEN: 0, or `serve`: segments per response body */
} ps_action;

typedef enum ps_expect_kind {
    PS_EXP_STATE,    /* [at T] SOCK STATE            e.g. expect 200ms tab2 established */
    PS_EXP_ERRNO,    /* SOCK errno NAME | SOCK ok    e.g. expect second errno EADDRINUSE */
    PS_EXP_COMPARE,  /* [at T] SOCK.FIELD OP (SOCK.FIELD | NUMBER) */
    PS_EXP_PORT,     /* [at T] HOST port N free|listening|used */
    PS_EXP_COUNT,    /* [at T] HOST STATE count N    e.g. expect 2s server established count 10000 */
    PS_EXP_DISTINCT, /* [at T] tuples distinct       every live 4-tuple is unique */
    PS_EXP_ACCEPTED_BY, /* SOCK accepted-by LISTENER  which listener took the connection */
    PS_EXP_SEGMENTS, /* [at T] segments FLAGS from H[:P] to H[:P] count N */
    PS_EXP_RECEIVED, /* [at T] SOCK received N       datagrams a UDP socket has received */
    PS_EXP_NAT,      /* [at T] ROUTER nat count N    live translation entries */
    PS_EXP_PAGE,     /* PAGE connections|handshakes|ports|streams|queued N, PAGE done [before T] */
    PS_EXP_KIND_COUNT
} ps_expect_kind;

typedef enum ps_field {
    PS_FIELD_SPORT,  /* the socket's local port */
    PS_FIELD_DPORT,  /* the socket's remote port */
    PS_FIELD_TUPLE,  /* the whole 4-tuple (only == and != make sense) */
    PS_FIELD_SADDR,  /* the socket's local address (only == and !=) */
    PS_FIELD_DADDR,  /* the socket's remote address (only == and !=) */
} ps_field;

/* What an `expect PAGE ...` line counts (sim/http.h, ps_http_stats). */
typedef enum ps_page_field {
    PS_PAGE_CONNECTIONS, /* connections that reached ESTABLISHED */
    PS_PAGE_HANDSHAKES,  /* SYNs the page's connects sent */
    PS_PAGE_PORTS,       /* distinct source ports its connections used */
    PS_PAGE_STREAMS,     /* HTTP/2 streams opened */
    PS_PAGE_QUEUED,      /* HTTP/1.1 requests that waited for a busy connection */
    PS_PAGE_DONE,        /* every response in (value: a deadline, or PS_TIME_NEVER) */
    PS_PAGE_FIELD_COUNT
} ps_page_field;

typedef enum ps_cmp { PS_CMP_EQ, PS_CMP_NE, PS_CMP_LT, PS_CMP_LE, PS_CMP_GT, PS_CMP_GE } ps_cmp;

typedef struct ps_expect {
    ps_expect_kind kind;
    bool has_time;       /* false: checked when the run has ended */
    ps_time t;           /* checked after every event at or before t */
    uint32_t sock;       /* STATE, ERRNO, COMPARE (left side): sock-spec index */
    ps_tcp_state state;  /* STATE, COUNT */
    ps_errno err;        /* ERRNO: expected error, PS_OK for `ok` */
    ps_field field;      /* COMPARE: left field */
    ps_cmp cmp;          /* COMPARE */
    uint32_t rsock;      /* COMPARE: right socket, or PS_NONE when comparing to `value`;
                            ACCEPTED_BY: the listener's sock-spec */
    ps_field rfield;     /* COMPARE: right field */
    uint64_t value;      /* COMPARE: literal (a port, or an address); COUNT, NAT: expected count */
    uint32_t host;       /* PORT, COUNT, NAT: host index */
    uint16_t port;       /* PORT */
    ps_port_state port_state; /* PORT */
    char *text;          /* the line as written, after `expect `, for reports */
    ps_pos pos;
    uint32_t errs;       /* ERRNO: more accepted errors (`errno A|B`), bit 1<<ps_errno */
    uint8_t seg_class;   /* SEGMENTS: ps_segment_class */
    uint32_t seg_from, seg_to;     /* SEGMENTS: sending and receiving host indices */
    uint16_t seg_sport, seg_dport; /* SEGMENTS: their ports, 0 = any */
    bool udp;            /* PORT: the UDP port space (`HOST udp port N`) */
    ps_page_field page_field; /* PAGE: what is counted (sock: the page's name) */
} ps_expect;

/* Which segments an `expect segments` line counts. */
typedef enum ps_segment_class {
    PS_SEGC_SYN,     /* a bare SYN (no ACK) */
    PS_SEGC_SYN_ACK, /* SYN with ACK */
    PS_SEGC_RST,     /* any segment with RST */
    PS_SEGC_FIN,     /* any segment with FIN */
    PS_SEGC_DATA,    /* any segment with payload */
    PS_SEGC_ANY,     /* every segment */
    PS_SEGC_COUNT
} ps_segment_class;

/* `ask` lines: a question that pauses the lesson at a time, before what
 * happens at that time. Except for PS_Q_CHOICE the answer is not written by
 * the author: the run computes it (trace/quiz.h). */
typedef enum ps_question_kind {
    PS_Q_SOCKET,  /* which socket the next matching segment to addr:port lands in */
    PS_Q_RESULT,  /* what an operation returns: sock's creating operation, or
                     (sock == PS_NONE) the next listen on host */
    PS_Q_PORT,    /* a named socket's sport or dport */
    PS_Q_CHOICE,  /* free multiple choice: the author's answer */
    PS_Q_KIND_COUNT
} ps_question_kind;

/* Which arriving segments a PS_Q_SOCKET question is about. */
typedef enum ps_segment_match {
    PS_MATCH_SYN,  /* a bare SYN: a new connection knocking */
    PS_MATCH_ACK,  /* a bare ACK, no data */
    PS_MATCH_DATA, /* any segment with payload */
    PS_MATCH_FIN,  /* any segment with FIN */
    PS_MATCH_ANY,  /* any segment */
    PS_MATCH_COUNT
} ps_segment_match;

typedef struct ps_question {
    char *id;            /* stable, unique: the key of an answers file */
    ps_question_kind kind;
    ps_time t;           /* asked before the events at t run */
    uint32_t host;       /* SOCKET: the host owning addr; RESULT: host of `listen` */
    ps_addr addr;        /* SOCKET: destination address */
    uint16_t port;       /* SOCKET: destination port */
    ps_segment_match match; /* SOCKET */
    uint32_t sock;       /* RESULT, PORT: sock-spec index; else PS_NONE */
    ps_field field;      /* PORT: sport or dport */
    char *text;          /* the question as the student reads it */
    char *choices[PS_MAX_CHOICES];
    uint32_t nchoices;   /* 0: an open answer */
    char *answer;        /* CHOICE: the author's answer, one of choices; else NULL */
    char *hint;          /* shown on request, or NULL */
    char *explain;       /* shown after answering, or NULL */
    ps_pos pos;
} ps_question;

typedef struct ps_scenario {
    char *file;          /* path it was read from (for messages) */
    char *title;         /* `title "..."`, or NULL */
    uint64_t seed;       /* `seed N`, default 1 */
    ps_host_spec *hosts;   uint32_t nhosts;
    ps_link_spec *links;   uint32_t nlinks;
    ps_proc_spec *procs;   uint32_t nprocs;
    ps_sock_spec *socks;   uint32_t nsocks;
    ps_action *actions;    uint32_t nactions;   /* in file order */
    ps_expect *expects;    uint32_t nexpects;   /* in file order */
    ps_question *questions; uint32_t nquestions; /* in file order, which is time order */
    char *expect_file;   /* where the expects were written: NULL for `file`, or the
                            task file of `check --against` */
    ps_forward_spec *forwards; uint32_t nforwards; /* in file order */
    ps_in6 *addrs6;      /* the IPv6 addresses the file writes: ps_addr i is addrs6[i]
                            (base.h); [0] is ::, [1] is ::1. NULL until the first one */
    uint32_t naddrs6, addrs6cap;
} ps_scenario;

void ps_scenario_free(ps_scenario *sc);

/* Lookups by name; PS_NONE when absent. The _n forms take a name that is
 * not NUL-terminated (len bytes of s). */
uint32_t ps_scenario_host(const ps_scenario *sc, const char *name);
uint32_t ps_scenario_sock(const ps_scenario *sc, const char *name);
uint32_t ps_scenario_host_n(const ps_scenario *sc, const char *s, size_t len);
uint32_t ps_scenario_sock_n(const ps_scenario *sc, const char *s, size_t len);
/* True if the NUL-terminated name (may be NULL) equals s[0..len). */
bool ps_name_equals(const char *name, const char *s, size_t len);
/* The host that owns addr (loopback excluded), or PS_NONE. */
uint32_t ps_scenario_host_by_addr(const ps_scenario *sc, ps_addr addr);
/* Whether host h sits on router r's inside network (its first address is
 * in addrs[1]/inside_prefix of r). False when r is not a router. */
bool ps_scenario_inside(const ps_scenario *sc, uint32_t r, uint32_t h);
/* The router host h sends through to reach hosts it has no link to: the
 * first router, in link order, that h is linked to and inside of; PS_NONE. */
uint32_t ps_scenario_gateway(const ps_scenario *sc, uint32_t h);

/* The ps_addr of IPv6 address a: a mapped one (::ffff:a.b.c.d) is its IPv4
 * value, any other its index in sc->addrs6, added if new. PS_NONE when the
 * table is full (PS_MAX_ADDRS6) or memory ran out. */
ps_addr ps_scenario_intern6(ps_scenario *sc, const ps_in6 *a);
/* The same without adding: PS_NONE for an IPv6 address the scenario never
 * wrote (::1 and :: are always known). */
ps_addr ps_scenario_find6(const ps_scenario *sc, const ps_in6 *a);
/* Address a as a socket of its family shows it: v6 (an AF_INET6 socket)
 * writes 0 as "::" and an IPv4 value as "::ffff:a.b.c.d"; an IPv6 index is
 * always its IPv6 text. buf >= PS_IN6_STRLEN. */
char *ps_sc_addr_str(const ps_scenario *sc, ps_addr a, bool v6, char *buf);
/* "a.b.c.d:port", or "[IPv6]:port" when shown as IPv6. buf >= PS_ENDPOINT_STRLEN. */
char *ps_sc_endpoint_str(const ps_scenario *sc, ps_addr a, bool v6, uint16_t port, char *buf);
/* The 16 bytes of a as an AF_INET6 socket sees it (mapped for IPv4). */
ps_in6 ps_sc_in6(const ps_scenario *sc, ps_addr a);

#endif
