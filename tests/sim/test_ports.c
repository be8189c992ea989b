/* test_ports.c — port buckets, the bind-conflict rule and the ephemeral
 * allocator (ports.h), on a hand-built socket array. Expected results are
 * the kernel's, from docs/reference/linux-ports.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ports.h"

#define ANY PS_ADDR_ANY
#define LO PS_ADDR_LOOPBACK          /* 127.0.0.1 */
#define LO2 (PS_ADDR_LOOPBACK + 1)   /* 127.0.0.2 */
#define WEB 0x5db8d822u              /* 93.184.216.34 */
#define LAN 0x0a000009u              /* 10.0.0.9 */
#define REUSE true
#define NO_REUSE false

/* The reference's small range: 40000-40009. */
#define LO_PORT 40000
#define HI_PORT 40009
#define RANGE (HI_PORT - LO_PORT + 1)

/* ---- fixture ---- */

enum { MAX_SOCKS = 512 };

typedef struct fx {
    ps_socket socks[MAX_SOCKS];
    uint32_t n;
    ps_ports ports;
    ps_demux dm;
    ps_rng rng;
} fx;

static fx *fx_new(uint64_t seed)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    ps_ports_init(&f->ports, seed);
    ps_demux_init(&f->dm);
    ps_rng_seed(&f->rng, seed);
    return f;
}

static void fx_free(fx *f)
{
    ps_demux_free(&f->dm);
    ps_ports_free(&f->ports);
    free(f);
}

static int setup(void **state)
{
    *state = fx_new(1);
    return 0;
}

static int teardown(void **state)
{
    fx_free(*state);
    return 0;
}

static void sock_init(fx *f, uint32_t s, uint32_t host, ps_addr laddr, uint16_t lport,
                      ps_tcp_state st, uint8_t flags)
{
    f->socks[s] = (ps_socket){ .laddr = laddr, .lport = lport, .state = (uint8_t)st,
                               .flags = flags, .live = 1, .host = host, .proc = PS_NONE,
                               .name = PS_NONE, .link = PS_NONE };
}

static uint32_t sock_new(fx *f, uint32_t host, ps_addr laddr, uint16_t lport, ps_tcp_state st,
                         uint8_t flags)
{
    assert_true(f->n < MAX_SOCKS);
    sock_init(f, f->n, host, laddr, lport, st, flags);
    return f->n++;
}

static uint8_t reuse_flag(bool reuse) { return reuse ? PS_SOCK_REUSEADDR : 0; }

/* A socket bound on purpose (an owner): a listener, or a client with a
 * pinned port in any other state. */
static uint32_t bind_owner(fx *f, uint32_t host, ps_addr addr, uint16_t port, ps_tcp_state st,
                           bool reuse)
{
    uint8_t flags = PS_SOCK_BOUND | reuse_flag(reuse) | (st == PS_LISTEN ? PS_SOCK_LISTENER : 0);
    uint32_t s = sock_new(f, host, addr, port, st, flags);
    assert_true(ps_ports_add_owner(&f->ports, f->socks, s));
    return s;
}

static uint32_t listen_on(fx *f, uint32_t host, ps_addr addr, uint16_t port, bool reuse)
{
    return bind_owner(f, host, addr, port, PS_LISTEN, reuse);
}

static void unbind(fx *f, uint32_t s) { ps_ports_remove_owner(&f->ports, f->socks, s); }

/* A connection accepted on laddr:lport from raddr:rport: an implicit,
 * bound holder of the port. */
static uint32_t accepted(fx *f, uint32_t host, ps_addr laddr, uint16_t lport, ps_addr raddr,
                         uint16_t rport, ps_tcp_state st, bool reuse)
{
    uint32_t s = sock_new(f, host, laddr, lport, st, PS_SOCK_ACCEPTED | reuse_flag(reuse));
    f->socks[s].raddr = raddr;
    f->socks[s].rport = rport;
    assert_true(ps_ports_add_user(&f->ports, &f->socks[s], true));
    assert_true(ps_demux_add(&f->dm, f->socks, s));
    return s;
}

static void drop_accepted(fx *f, uint32_t s)
{
    ps_demux_remove(&f->dm, f->socks, s);
    ps_ports_remove_user(&f->ports, &f->socks[s], true);
}

static ps_errno bind_check(fx *f, uint32_t host, ps_addr addr, uint16_t port, bool reuse)
{
    ps_bind_req r = { .host = host, .addr = addr, .port = port, .reuseaddr = reuse };
    return ps_ports_bind_check(&f->ports, f->socks, &r);
}

/* The same with SO_REUSEPORT (and no SO_REUSEADDR) for user uid. */
static ps_errno bind_check_reuseport(fx *f, uint32_t host, ps_addr addr, uint16_t port,
                                     bool reuseport, uint32_t uid)
{
    ps_bind_req r = { .host = host, .addr = addr, .port = port, .reuseport = reuseport, .uid = uid };
    return ps_ports_bind_check(&f->ports, f->socks, &r);
}

static uint32_t listen_reuseport(fx *f, uint32_t host, ps_addr addr, uint16_t port, uint32_t uid)
{
    uint32_t s = listen_on(f, host, addr, port, NO_REUSE);
    f->socks[s].flags |= PS_SOCK_REUSEPORT;
    f->socks[s].uid = uid;
    return s;
}

/* connect() without a port: picks one in [lo, hi] and, on success, records
 * the connection as the engine does (a connect() user, in the demux table)
 * so the next pick sees it. *sock gets its index. */
static ps_errno connect_in(fx *f, uint32_t host, uint16_t lo, uint16_t hi, ps_addr saddr,
                           ps_addr daddr, uint16_t dport, uint16_t *port, uint32_t *sock)
{
    ps_errno e = ps_ports_pick(&f->ports, f->socks, &f->dm, &f->rng, host, lo, hi, saddr, daddr,
                               dport, port);
    if (e != PS_OK) return e;
    assert_in_range(*port, lo, hi);
    uint32_t s = sock_new(f, host, saddr, *port, PS_SYN_SENT, PS_SOCK_EPHEMERAL);
    f->socks[s].raddr = daddr;
    f->socks[s].rport = dport;
    assert_true(ps_ports_add_user(&f->ports, &f->socks[s], false));
    assert_true(ps_demux_add(&f->dm, f->socks, s));
    if (sock) *sock = s;
    return PS_OK;
}

static uint16_t connect_ok(fx *f, uint32_t host, ps_addr saddr, ps_addr daddr, uint16_t dport)
{
    uint16_t port = 0;
    assert_int_equal(connect_in(f, host, LO_PORT, HI_PORT, saddr, daddr, dport, &port, NULL), PS_OK);
    return port;
}

static void assert_range_full(fx *f, uint32_t host, ps_addr saddr, ps_addr daddr, uint16_t dport)
{
    uint16_t port = 0;
    assert_int_equal(connect_in(f, host, LO_PORT, HI_PORT, saddr, daddr, dport, &port, NULL),
                     PS_EADDRNOTAVAIL);
}

/* Connects to daddr:dport until the range is exhausted; returns how many
 * connections succeeded and stores their ports in order. */
static int connect_until_full(fx *f, ps_addr daddr, uint16_t dport, uint16_t *ports, int max)
{
    int n = 0;
    uint16_t port;
    while (connect_in(f, 0, LO_PORT, HI_PORT, LO, daddr, dport, &port, NULL) == PS_OK) {
        assert_true(n < max);
        ports[n++] = port;
    }
    return n;
}

static void assert_distinct(const uint16_t *ports, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (ports[i] == ports[j]) fail_msg("port %u picked twice (picks %d and %d)", ports[i], j, i);
}

/* ---- bind conflicts (docs/reference/linux-ports.md, "Bind conflicts") ---- */

static void bind_wildcard_on_wildcard_listener_is_in_use(void **state)
{
    fx *f = *state;
    listen_on(f, 0, ANY, 3000, NO_REUSE);
    assert_int_equal(bind_check(f, 0, ANY, 3000, NO_REUSE), PS_EADDRINUSE);
}

static void bind_reuseaddr_on_both_does_not_pass_a_listener(void **state)
{
    fx *f = *state;
    listen_on(f, 0, ANY, 3000, REUSE);
    assert_int_equal(bind_check(f, 0, ANY, 3000, REUSE), PS_EADDRINUSE);
    assert_int_equal(bind_check(f, 0, LO, 3000, REUSE), PS_EADDRINUSE);
}

static void bind_exact_and_wildcard_conflict_in_either_order(void **state)
{
    fx *f = *state;
    listen_on(f, 0, LO, 3000, NO_REUSE); /* host 0: exact first */
    assert_int_equal(bind_check(f, 0, ANY, 3000, NO_REUSE), PS_EADDRINUSE);
    listen_on(f, 1, ANY, 3000, NO_REUSE); /* host 1: wildcard first */
    assert_int_equal(bind_check(f, 1, LO, 3000, NO_REUSE), PS_EADDRINUSE);
}

static void bind_two_exact_addresses_coexist(void **state)
{
    fx *f = *state;
    listen_on(f, 0, LO, 3000, NO_REUSE);
    assert_int_equal(bind_check(f, 0, LO2, 3000, NO_REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, LO, 3000, NO_REUSE), PS_EADDRINUSE);
    listen_on(f, 0, LO2, 3000, NO_REUSE);
    assert_int_equal(bind_check(f, 0, LAN, 3000, NO_REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, LO2, 3000, NO_REUSE), PS_EADDRINUSE);
}

static void bind_on_another_host_or_port_is_free(void **state)
{
    fx *f = *state;
    listen_on(f, 0, ANY, 3000, NO_REUSE);
    assert_int_equal(bind_check(f, 1, ANY, 3000, NO_REUSE), PS_OK);
    assert_int_equal(bind_check(f, 7, LO, 3000, NO_REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, ANY, 3001, NO_REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, ANY, 2999, NO_REUSE), PS_OK);
}

/* "both SO_REUSEADDR, neither listening, second bind -> OK" */
static void bind_reuseaddr_on_both_passes_a_non_listening_owner(void **state)
{
    fx *f = *state;
    bind_owner(f, 0, ANY, 3000, PS_CLOSED, REUSE);
    assert_int_equal(bind_check(f, 0, ANY, 3000, REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, ANY, 3000, NO_REUSE), PS_EADDRINUSE);
    bind_owner(f, 0, LO, 4000, PS_CLOSED, NO_REUSE); /* only the newcomer has it */
    assert_int_equal(bind_check(f, 0, LO, 4000, REUSE), PS_EADDRINUSE);
}

/* "server closed first, old and new socket both SO_REUSEADDR -> rebind OK;
 * only one of them, or neither -> EADDRINUSE". The server's side of the
 * connection is an accepted socket in TIME-WAIT; the listener is gone. */
static void bind_over_time_wait_connection_needs_reuseaddr_on_both(void **state)
{
    fx *f = *state;
    uint32_t l = listen_on(f, 0, ANY, 3000, REUSE);
    accepted(f, 0, LO, 3000, LO, 51110, PS_TIME_WAIT, REUSE);
    unbind(f, l);
    assert_int_equal(bind_check(f, 0, ANY, 3000, REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, ANY, 3000, NO_REUSE), PS_EADDRINUSE);

    l = listen_on(f, 0, ANY, 3001, NO_REUSE);
    accepted(f, 0, LO, 3001, LO, 51111, PS_TIME_WAIT, NO_REUSE);
    unbind(f, l);
    assert_int_equal(bind_check(f, 0, ANY, 3001, REUSE), PS_EADDRINUSE);
    assert_int_equal(bind_check(f, 0, ANY, 3001, NO_REUSE), PS_EADDRINUSE);
}

/* The same rule when the TIME-WAIT socket is an owner (a client that had
 * pinned its port). */
static void bind_over_time_wait_owner_needs_reuseaddr_on_both(void **state)
{
    fx *f = *state;
    bind_owner(f, 0, LO, 5555, PS_TIME_WAIT, REUSE);
    assert_int_equal(bind_check(f, 0, LO, 5555, REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, ANY, 5555, REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, LO, 5555, NO_REUSE), PS_EADDRINUSE);
    bind_owner(f, 0, LO, 5556, PS_TIME_WAIT, NO_REUSE);
    assert_int_equal(bind_check(f, 0, LO, 5556, REUSE), PS_EADDRINUSE);
}

/* A live accepted connection keeps the port busy after its listener
 * closed: a new listener needs SO_REUSEADDR on both, or a non-overlapping
 * address. */
static void accepted_connection_blocks_new_listener_unless_both_reuse(void **state)
{
    fx *f = *state;
    uint32_t l = listen_on(f, 0, ANY, 3000, NO_REUSE);
    accepted(f, 0, LO, 3000, LO, 40000, PS_ESTABLISHED, NO_REUSE);
    unbind(f, l);
    assert_true(ps_ports_in_use(&f->ports, 0, 3000));
    assert_int_equal(ps_ports_owners(&f->ports, 0, 3000), PS_NONE);
    assert_int_equal(bind_check(f, 0, ANY, 3000, NO_REUSE), PS_EADDRINUSE);
    assert_int_equal(bind_check(f, 0, LO, 3000, NO_REUSE), PS_EADDRINUSE);
    assert_int_equal(bind_check(f, 0, ANY, 3000, REUSE), PS_EADDRINUSE);
    assert_int_equal(bind_check(f, 0, LO2, 3000, NO_REUSE), PS_OK); /* no overlap */

    l = listen_on(f, 0, ANY, 3002, REUSE);
    accepted(f, 0, LO, 3002, LO, 40001, PS_ESTABLISHED, REUSE);
    unbind(f, l);
    assert_int_equal(bind_check(f, 0, ANY, 3002, REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, ANY, 3002, NO_REUSE), PS_EADDRINUSE);
}

/* A port connect() handed out is held: bind() on it overlaps. */
static void connect_user_holds_its_port_against_bind(void **state)
{
    fx *f = *state;
    uint16_t port = connect_ok(f, 0, LO, LO, 5001);
    assert_true(ps_ports_in_use(&f->ports, 0, port));
    assert_int_equal(bind_check(f, 0, LO, port, NO_REUSE), PS_EADDRINUSE);
    assert_int_equal(bind_check(f, 0, ANY, port, NO_REUSE), PS_EADDRINUSE);
    assert_int_equal(bind_check(f, 0, LO2, port, NO_REUSE), PS_OK);
    assert_int_equal(bind_check(f, 1, LO, port, NO_REUSE), PS_OK);
}

/* "both SO_REUSEPORT -> OK (kernel load-balances); only the 2nd
 * SO_REUSEPORT -> EADDRINUSE"; and only sockets of one user may share. */
static void bind_reuseport_on_both_listeners_of_one_user_is_ok(void **state)
{
    fx *f = *state;
    listen_reuseport(f, 0, ANY, 3000, 1000);
    assert_int_equal(bind_check_reuseport(f, 0, ANY, 3000, true, 1000), PS_OK);
    assert_int_equal(bind_check_reuseport(f, 0, LO, 3000, true, 1000), PS_OK);
    assert_int_equal(bind_check_reuseport(f, 0, ANY, 3000, true, 1001), PS_EADDRINUSE);
    assert_int_equal(bind_check_reuseport(f, 0, ANY, 3000, false, 1000), PS_EADDRINUSE);
    listen_reuseport(f, 0, ANY, 3000, 1000); /* the second member of the group */
    assert_int_equal(bind_check_reuseport(f, 0, ANY, 3000, true, 1000), PS_OK);
}

static void bind_reuseport_only_on_newcomer_is_in_use(void **state)
{
    fx *f = *state;
    listen_on(f, 0, ANY, 3000, NO_REUSE);
    assert_int_equal(bind_check_reuseport(f, 0, ANY, 3000, true, 0), PS_EADDRINUSE);
    assert_int_equal(bind_check_reuseport(f, 0, LO, 3000, true, 0), PS_EADDRINUSE);
}

/* ---- owners, users and buckets ---- */

static void remove_owner_frees_the_port(void **state)
{
    fx *f = *state;
    uint32_t l = listen_on(f, 0, ANY, 3000, NO_REUSE);
    assert_true(ps_ports_in_use(&f->ports, 0, 3000));
    assert_int_equal(ps_ports_owners(&f->ports, 0, 3000), l);
    unbind(f, l);
    assert_false(ps_ports_in_use(&f->ports, 0, 3000));
    assert_int_equal(ps_ports_owners(&f->ports, 0, 3000), PS_NONE);
    assert_int_equal(bind_check(f, 0, ANY, 3000, NO_REUSE), PS_OK);
    uint32_t again = listen_on(f, 0, ANY, 3000, NO_REUSE); /* the port can be bound again */
    assert_int_equal(ps_ports_owners(&f->ports, 0, 3000), again);
    assert_int_equal(bind_check(f, 0, ANY, 3000, NO_REUSE), PS_EADDRINUSE);
}

static void owners_chain_in_bind_order_and_relink_on_removal(void **state)
{
    fx *f = *state;
    uint32_t a = bind_owner(f, 0, LO, 3000, PS_LISTEN, NO_REUSE);
    uint32_t b = bind_owner(f, 0, LO2, 3000, PS_LISTEN, NO_REUSE);
    uint32_t c = bind_owner(f, 0, LAN, 3000, PS_CLOSED, REUSE);
    assert_int_equal(ps_ports_owners(&f->ports, 0, 3000), a);
    assert_int_equal(f->socks[a].link, b);
    assert_int_equal(f->socks[b].link, c);
    assert_int_equal(f->socks[c].link, PS_NONE);
    unbind(f, b);
    assert_int_equal(f->socks[a].link, c);
    unbind(f, a);
    assert_int_equal(ps_ports_owners(&f->ports, 0, 3000), c);
    assert_true(ps_ports_in_use(&f->ports, 0, 3000));
    unbind(f, c);
    assert_false(ps_ports_in_use(&f->ports, 0, 3000));
}

static void users_are_counted_until_the_last_leaves(void **state)
{
    fx *f = *state;
    uint32_t l = listen_on(f, 0, ANY, 3000, NO_REUSE);
    uint32_t c1 = accepted(f, 0, LO, 3000, LO, 40000, PS_ESTABLISHED, NO_REUSE);
    uint32_t c2 = accepted(f, 0, LO, 3000, LO, 40002, PS_ESTABLISHED, NO_REUSE);
    uint32_t c3 = accepted(f, 0, LO2, 3000, LO, 40004, PS_ESTABLISHED, REUSE);
    unbind(f, l);
    drop_accepted(f, c1);
    assert_true(ps_ports_in_use(&f->ports, 0, 3000));
    assert_int_equal(bind_check(f, 0, LO, 3000, NO_REUSE), PS_EADDRINUSE); /* c2 remains */
    drop_accepted(f, c2);
    assert_int_equal(bind_check(f, 0, LO, 3000, NO_REUSE), PS_OK);
    assert_int_equal(bind_check(f, 0, LO2, 3000, NO_REUSE), PS_EADDRINUSE); /* c3 remains */
    drop_accepted(f, c3);
    assert_false(ps_ports_in_use(&f->ports, 0, 3000));
}

/* Binding and unbinding on many (host, port) pairs, with buckets freed and
 * reused, against a reference of who holds what. Pair (h, p) always uses
 * socket record h * PORTS + p. */
static void bucket_churn_matches_reference(void **state)
{
    fx *f = *state;
    enum { HOSTS = 3, PORTS = 40, OPS = 3000 };
    bool held[HOSTS][PORTS] = { { false } };
    f->n = HOSTS * PORTS;
    uint64_t x = 7;
    for (int op = 0; op < OPS; op++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t h = (uint32_t)(x >> 40) % HOSTS, p = (uint32_t)(x >> 20) % PORTS;
        uint32_t s = h * PORTS + p;
        uint16_t port = (uint16_t)(8000 + p);
        if (!held[h][p]) {
            assert_int_equal(bind_check(f, h, ANY, port, NO_REUSE), PS_OK);
            sock_init(f, s, h, ANY, port, PS_LISTEN, PS_SOCK_LISTENER | PS_SOCK_BOUND);
            assert_true(ps_ports_add_owner(&f->ports, f->socks, s));
        } else {
            assert_int_equal(bind_check(f, h, ANY, port, NO_REUSE), PS_EADDRINUSE);
            unbind(f, s);
        }
        held[h][p] = !held[h][p];
        for (uint32_t hh = 0; hh < HOSTS; hh++)
            for (uint32_t pp = 0; pp < PORTS; pp++) {
                uint16_t pt = (uint16_t)(8000 + pp);
                assert_int_equal(ps_ports_in_use(&f->ports, hh, pt), held[hh][pp]);
                assert_int_equal(ps_ports_owners(&f->ports, hh, pt), held[hh][pp] ? hh * PORTS + pp : PS_NONE);
            }
    }
}

/* ---- ephemeral ports (docs/reference/linux-ports.md, "How connect() chooses
 * the source port") ---- */

/* Range 40000-40009 to one destination: ten distinct ports, the five even
 * ones first, then EADDRNOTAVAIL. */
static void pick_even_ports_first_then_eaddrnotavail_after_ten(void **state)
{
    fx *f = *state;
    uint16_t ports[RANGE];
    assert_int_equal(connect_until_full(f, LO, 5001, ports, RANGE), RANGE);
    assert_distinct(ports, RANGE);
    for (int i = 0; i < RANGE; i++) {
        assert_in_range(ports[i], LO_PORT, HI_PORT);
        if (ports[i] % 2 != (i < RANGE / 2 ? 0 : 1))
            fail_msg("pick %d is %u: the even half must come first", i, ports[i]);
    }
    assert_range_full(f, 0, LO, LO, 5001);
    assert_range_full(f, 0, LO, LO, 5001);
}

/* With an odd lower bound the first half is odd: the range's low parity. */
static void pick_starts_on_the_low_bound_parity(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 5; i++) {
        uint16_t port;
        assert_int_equal(connect_in(f, 0, 40001, 40010, LO, LO, 5001, &port, NULL), PS_OK);
        assert_int_equal(port % 2, 1);
    }
}

/* Uniqueness is per 4-tuple: a second destination gets the same ten ports. */
static void pick_shares_source_ports_across_destinations(void **state)
{
    fx *f = *state;
    uint16_t a[RANGE], b[RANGE], c[RANGE];
    assert_int_equal(connect_until_full(f, LO, 5001, a, RANGE), RANGE);
    assert_int_equal(connect_until_full(f, LO, 5002, b, RANGE), RANGE);
    assert_int_equal(connect_until_full(f, LO2, 5001, c, RANGE), RANGE); /* other address, same port */
    assert_distinct(b, RANGE);
    assert_distinct(c, RANGE);
    assert_range_full(f, 0, LO, LO, 5001);
    assert_range_full(f, 0, LO, LO, 5002);
    /* Every port now serves three connections. */
    for (uint16_t p = LO_PORT; p <= HI_PORT; p++) {
        assert_int_not_equal(ps_demux_connection(&f->dm, f->socks, 0, LO, p, LO, 5001), PS_NONE);
        assert_int_not_equal(ps_demux_connection(&f->dm, f->socks, 0, LO, p, LO, 5002), PS_NONE);
        assert_int_not_equal(ps_demux_connection(&f->dm, f->socks, 0, LO, p, LO2, 5001), PS_NONE);
    }
}

/* Ports held by bound sockets (listeners, pinned clients on any address,
 * accepted connections) are skipped; connect() users are not in the way. */
static void pick_never_takes_a_bound_port(void **state)
{
    fx *f = *state;
    listen_on(f, 0, ANY, 40004, NO_REUSE);
    bind_owner(f, 0, LAN, 40007, PS_ESTABLISHED, NO_REUSE); /* a pinned client elsewhere */
    uint32_t l = listen_on(f, 0, ANY, 40001, NO_REUSE);
    accepted(f, 0, LO, 40001, LO, 6000, PS_ESTABLISHED, NO_REUSE);
    unbind(f, l); /* only the accepted connection holds 40001 now */
    uint16_t ports[RANGE];
    int n = connect_until_full(f, LO, 5001, ports, RANGE);
    assert_int_equal(n, RANGE - 3);
    for (int i = 0; i < n; i++) {
        assert_int_not_equal(ports[i], 40001);
        assert_int_not_equal(ports[i], 40004);
        assert_int_not_equal(ports[i], 40007);
    }
    assert_distinct(ports, n);
}

static void pick_ignores_ports_held_on_other_hosts(void **state)
{
    fx *f = *state;
    for (uint16_t p = LO_PORT; p <= HI_PORT; p++) listen_on(f, 1, ANY, p, NO_REUSE);
    uint16_t ports[RANGE];
    assert_int_equal(connect_until_full(f, LO, 5001, ports, RANGE), RANGE);
}

/* When a connection goes away its port is free again for that destination. */
static void pick_reuses_the_port_a_closed_connection_left(void **state)
{
    fx *f = *state;
    uint32_t socks[RANGE];
    uint16_t ports[RANGE];
    for (int i = 0; i < RANGE; i++)
        assert_int_equal(connect_in(f, 0, LO_PORT, HI_PORT, LO, LO, 5001, &ports[i], &socks[i]), PS_OK);
    assert_range_full(f, 0, LO, LO, 5001);
    ps_socket *gone = &f->socks[socks[6]];
    ps_demux_remove(&f->dm, f->socks, socks[6]);
    ps_ports_remove_user(&f->ports, gone, false);
    gone->live = 0;
    assert_int_equal(connect_ok(f, 0, LO, LO, 5001), ports[6]);
    assert_range_full(f, 0, LO, LO, 5001);
}

/* Twenty picks, alternating between two destinations, for one seed. */
static void pick_sequence(uint64_t seed, uint16_t *out)
{
    fx *f = fx_new(seed);
    for (int i = 0; i < 2 * RANGE; i++) out[i] = connect_ok(f, 0, LO, LO, (uint16_t)(5001 + i % 2));
    fx_free(f);
}

static void pick_is_deterministic_for_a_seed(void **state)
{
    (void)state;
    uint16_t a[2 * RANGE], b[2 * RANGE], other[2 * RANGE];
    pick_sequence(42, a);
    pick_sequence(42, b);
    assert_memory_equal(a, b, sizeof a);
    bool some_seed_differs = false;
    for (uint64_t seed = 43; seed < 48; seed++) {
        pick_sequence(seed, other);
        some_seed_differs |= memcmp(a, other, sizeof a) != 0;
    }
    assert_true(some_seed_differs);
}

/* In the default range, consecutive connections to one destination walk
 * forward through the even ports: +2 plus the kernel's small random drift
 * (max(i, random(8) * 2) + 2, so +2 .. +16), never backwards. */
static void pick_walks_forward_on_even_ports_in_default_range(void **state)
{
    fx *f = *state;
    enum { N = 200 };
    const uint16_t lo = 32768, hi = 60999;
    uint16_t prev = 0, port;
    int steps_of_two = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(connect_in(f, 0, lo, hi, LO, WEB, 443, &port, NULL), PS_OK);
        assert_int_equal(port % 2, 0);
        if (i) {
            uint32_t step = ((uint32_t)port + (hi - lo + 1) - prev) % (hi - lo + 1);
            if (step < 2 || step > 16 || step % 2)
                fail_msg("pick %d: %u after %u (step %u)", i, port, prev, step);
            steps_of_two += step == 2;
        }
        prev = port;
        /* Another destination in between does not disturb this one's walk. */
        connect_in(f, 0, lo, hi, LO, LAN, 80, &port, NULL);
    }
    assert_true(steps_of_two > 0);
}

/* A full range's summary bits are exact; flipping one (the "word is full"
 * mark the pick trusts to skip 64 ports at a time) is caught. */
static void validator_catches_a_wrong_full_mark(void **state)
{
    fx *f = *state;
    uint16_t ports[RANGE];
    assert_int_equal(connect_until_full(f, LO, 5001, ports, RANGE), RANGE);
    assert_true(ps_ports_valid(&f->ports));
    assert_true(f->ports.ndests > 0);
    ps_portmap *m = &f->ports.dests[0].cls[0];
    m->full[0] ^= 1u;
    assert_false(ps_ports_valid(&f->ports));
    m->full[0] ^= 1u;
    assert_true(ps_ports_valid(&f->ports));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(bind_wildcard_on_wildcard_listener_is_in_use),
        T(bind_reuseaddr_on_both_does_not_pass_a_listener),
        T(bind_exact_and_wildcard_conflict_in_either_order),
        T(bind_two_exact_addresses_coexist),
        T(bind_on_another_host_or_port_is_free),
        T(bind_reuseaddr_on_both_passes_a_non_listening_owner),
        T(bind_over_time_wait_connection_needs_reuseaddr_on_both),
        T(bind_over_time_wait_owner_needs_reuseaddr_on_both),
        T(accepted_connection_blocks_new_listener_unless_both_reuse),
        T(connect_user_holds_its_port_against_bind),
        T(bind_reuseport_on_both_listeners_of_one_user_is_ok),
        T(bind_reuseport_only_on_newcomer_is_in_use),
        T(remove_owner_frees_the_port),
        T(owners_chain_in_bind_order_and_relink_on_removal),
        T(users_are_counted_until_the_last_leaves),
        T(bucket_churn_matches_reference),
        T(pick_even_ports_first_then_eaddrnotavail_after_ten),
        T(pick_starts_on_the_low_bound_parity),
        T(pick_shares_source_ports_across_destinations),
        T(pick_never_takes_a_bound_port),
        T(pick_ignores_ports_held_on_other_hosts),
        T(pick_reuses_the_port_a_closed_connection_left),
        cmocka_unit_test(pick_is_deterministic_for_a_seed),
        T(pick_walks_forward_on_even_ports_in_default_range),
        T(validator_catches_a_wrong_full_mark),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
