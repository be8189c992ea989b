/* base.h — the small vocabulary every sim/ module shares: IPv4 addresses,
 * simulated time, source positions, error numbers and TCP states.
 *
 * Nothing here allocates or does I/O. Names carry the prefix ps_ / PS_. */
#ifndef PS_BASE_H
#define PS_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Invariants. PS_ASSERT(c) checks c in test and sanitizer builds (PS_CHECKS
 * defined: `make`, `make check`, SANITIZE=1) and costs nothing in release
 * builds (`make bench`, `make install`). A failed check aborts with the
 * expression and its place: a broken invariant is a bug, never an input
 * error. */
#ifdef PS_CHECKS
#include <assert.h>
#define PS_ASSERT(c) assert(c)
#else
#define PS_ASSERT(c) ((void)0)
#endif

/* Leading and trailing zero bits of a non-zero 64-bit word: the compiler's
 * instruction where it has one, a portable loop elsewhere. */
#ifdef __GNUC__
static inline unsigned ps_clz64(uint64_t x) { return (unsigned)__builtin_clzll(x); }
static inline unsigned ps_ctz64(uint64_t x) { return (unsigned)__builtin_ctzll(x); }
#else
static inline unsigned ps_clz64(uint64_t x)
{
    unsigned n = 0;
    for (; !(x >> 63); x <<= 1) n++;
    return n;
}
static inline unsigned ps_ctz64(uint64_t x)
{
    unsigned n = 0;
    for (; !(x & 1u); x >>= 1) n++;
    return n;
}
#endif

/* A hint to start loading *p into the cache (no effect on results). */
#ifdef __GNUC__
#define PS_PREFETCH(p) __builtin_prefetch(p)
#else
#define PS_PREFETCH(p) ((void)(p))
#endif

/* printf-style argument checks where the compiler offers them. */
#ifdef __GNUC__
#define PS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PS_PRINTF(fmt, args)
#endif

/* Simulated time: integer microseconds since the start of the run. Nothing in
 * sim/ reads a wall clock, so a run is a pure function of scenario and seed. */
typedef uint64_t ps_time;
#define PS_TIME_NEVER UINT64_MAX

/* a + b for times that the parser has proven fit (PS_TIME_END): checked in
 * test builds, and saturating rather than wrapping if that proof were
 * wrong, so an event is never scheduled into the past. */
static inline ps_time ps_time_add(ps_time a, ps_time b)
{
    PS_ASSERT(b <= UINT64_MAX - 1 - a);
    return b < UINT64_MAX - 1 - a ? a + b : UINT64_MAX - 1;
}

/* An address. IPv4 addresses are themselves, in host byte order; 0 is the
 * wildcard (0.0.0.0, or :: for an AF_INET6 socket). IPv6 addresses are
 * indexes into the scenario's table of them (ps_scenario.addrs6), and take
 * the values 1..PS_ADDR6_MAX, that is 0.0.0.1 to 0.255.255.255, a block no
 * host may have as an IPv4 address (RFC 1122: 0/8 means "this network").
 * So a concrete address says its own family and a 4-tuple of either family
 * fits the same 32-bit fields; only the wildcard needs the socket's family.
 * An AF_INET6 socket talking to an IPv4 peer (a mapped address,
 * ::ffff:a.b.c.d) holds the IPv4 values (docs/reference/ipv6.md). */
typedef uint32_t ps_addr;
#define PS_ADDR_ANY 0u
#define PS_ADDR_LOOPBACK 0x7f000001u /* 127.0.0.1, present on every host */
#define PS_ADDR6_LOOPBACK 1u         /* ::1, present on every host (table index 1) */
#define PS_ADDR6_MAX 0x00ffffffu     /* the last value an IPv6 table index may take */

/* A concrete IPv6 address (a table index), not an IPv4 one nor the wildcard. */
static inline bool ps_addr_is_v6(ps_addr a) { return a != 0 && a <= PS_ADDR6_MAX; }
/* 127.0.0.0/8 or ::1: every host's own loopback. */
static inline bool ps_addr_is_loopback(ps_addr a) { return (a >> 24) == 127 || a == PS_ADDR6_LOOPBACK; }

/* "No such index": used wherever an index into an engine table may be absent. */
#define PS_NONE UINT32_MAX

/* A place in a scenario file, 1-based; line 0 means "not from a file". */
typedef struct ps_pos {
    uint32_t line; /* 1-based line number */
    uint32_t col;  /* 1-based column, in bytes */
} ps_pos;

/* The errors the engine can report, named and numbered as on Linux
 * (docs/reference/linux-ports.md). */
typedef enum ps_errno {
    PS_OK = 0,
    PS_EADDRINUSE,    /* another socket already holds the address:port */
    PS_EACCES,        /* a non-root process asked for a privileged port */
    PS_ECONNREFUSED,  /* nothing listens there: the peer answered with RST */
    PS_ECONNRESET,    /* an established connection was reset by the peer */
    PS_EADDRNOTAVAIL, /* no free ephemeral port, duplicate 4-tuple, or not our address */
    PS_EHOSTUNREACH,  /* no host has that address, or no link leads there */
    PS_ENOTCONN,      /* send on a socket that is not connected */
    PS_EBADF,         /* the socket was already closed */
    PS_EISCONN,       /* connect on a socket that is already connected */
    PS_ESRCH,         /* kill: no process with that pid */
    PS_EAGAIN,        /* UDP: no free ephemeral port on the host (udp_lib_get_port) */
    PS_EDESTADDRREQ,  /* send on a UDP socket that is not connected */
    PS_ERRNO_COUNT
} ps_errno;

const char *ps_errno_name(ps_errno e);     /* "EADDRINUSE" */
const char *ps_errno_message(ps_errno e);  /* "Address already in use" (strerror's words) */
const char *ps_errno_explain(ps_errno e);  /* one plain sentence for learners */
int ps_errno_number(ps_errno e);           /* Linux value: 98 for EADDRINUSE */
bool ps_errno_parse(const char *name, size_t len, ps_errno *out);

/* TCP states (RFC 793 names). CLOSED also marks a socket that never got going. */
typedef enum ps_tcp_state {
    PS_CLOSED = 0,
    PS_LISTEN,
    PS_SYN_SENT,
    PS_SYN_RECV,
    PS_ESTABLISHED,
    PS_FIN_WAIT_1,
    PS_FIN_WAIT_2,
    PS_CLOSE_WAIT,
    PS_LAST_ACK,
    PS_TIME_WAIT,
    PS_STATE_COUNT
} ps_tcp_state;

const char *ps_state_name(ps_tcp_state s);    /* scenario spelling: "established" */
const char *ps_state_ss(ps_tcp_state s);      /* as ss prints it: "ESTAB" */
const char *ps_state_netstat(ps_tcp_state s); /* as netstat prints it: "ESTABLISHED" */
bool ps_state_parse(const char *name, size_t len, ps_tcp_state *out);

/* TCP header flags, with the wire bit values so pcap export can copy them. */
enum {
    PS_FIN = 0x01,
    PS_SYN = 0x02,
    PS_RST = 0x04,
    PS_PSH = 0x08,
    PS_ACK = 0x10,
};
/* Writes flags as "SYN|ACK" into buf (at least 24 bytes); returns buf. */
char *ps_flags_str(uint8_t flags, char *buf);

#endif
