/* test_demux.c — which socket an arriving segment belongs to (demux.h):
 * the 4-tuple connection table, then the listener lookup where the exact
 * address beats the wildcard (docs/reference/linux-ports.md,
 * "Demultiplexing"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ports.h"

#define ANY PS_ADDR_ANY
#define LO PS_ADDR_LOOPBACK          /* 127.0.0.1 */
#define LO2 (PS_ADDR_LOOPBACK + 1)   /* 127.0.0.2 */
#define WEB 0x5db8d822u              /* 93.184.216.34 */
#define LAN 0x0a000009u              /* 10.0.0.9 */

/* ---- fixture ---- */

enum { MAX_SOCKS = 2048 };

typedef struct fx {
    ps_socket socks[MAX_SOCKS];
    uint32_t n;
    ps_ports ports;
    ps_demux dm;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    ps_ports_init(&f->ports, 1);
    ps_demux_init(&f->dm);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ps_demux_free(&f->dm);
    ps_ports_free(&f->ports);
    free(f);
    return 0;
}

static uint32_t sock_new(fx *f, uint32_t host, ps_addr laddr, uint16_t lport, ps_tcp_state st,
                         uint8_t flags)
{
    assert_true(f->n < MAX_SOCKS);
    uint32_t s = f->n++;
    f->socks[s] = (ps_socket){ .laddr = laddr, .lport = lport, .state = (uint8_t)st,
                               .flags = flags, .live = 1, .host = host, .proc = PS_NONE,
                               .name = PS_NONE, .link = PS_NONE };
    return s;
}

/* A connection socket on host, local end la:lp, remote end ra:rp. */
static uint32_t conn(fx *f, uint32_t host, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp,
                     ps_tcp_state st)
{
    uint32_t s = sock_new(f, host, la, lp, st, PS_SOCK_EPHEMERAL);
    f->socks[s].raddr = ra;
    f->socks[s].rport = rp;
    assert_true(ps_demux_add(&f->dm, f->socks, s));
    return s;
}

static uint32_t find_conn(fx *f, uint32_t host, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    return ps_demux_connection(&f->dm, f->socks, host, la, lp, ra, rp);
}

/* A socket bound on purpose to addr:port, in any state. */
static uint32_t owner(fx *f, uint32_t host, ps_addr addr, uint16_t port, ps_tcp_state st)
{
    uint8_t flags = PS_SOCK_BOUND | (st == PS_LISTEN ? PS_SOCK_LISTENER : 0);
    uint32_t s = sock_new(f, host, addr, port, st, flags);
    assert_true(ps_ports_add_owner(&f->ports, f->socks, s));
    return s;
}

static uint32_t listener(fx *f, uint32_t host, ps_addr addr, uint16_t port)
{
    return owner(f, host, addr, port, PS_LISTEN);
}

/* Who takes a SYN for la:lp from ra:rp on host. */
static uint32_t syn_from(fx *f, uint32_t host, ps_addr la, uint16_t lp, ps_addr ra, uint16_t rp)
{
    return ps_demux_listener(f->socks, ps_ports_owners(&f->ports, host, lp), host, la, lp, ra, rp);
}

static uint32_t syn(fx *f, uint32_t host, ps_addr la, uint16_t lp)
{
    return syn_from(f, host, la, lp, LAN, 50000);
}

/* ---- the connection table ---- */

static void connection_found_by_exact_four_tuple(void **state)
{
    fx *f = *state;
    uint32_t c = conn(f, 0, LO, 40000, WEB, 443, PS_ESTABLISHED);
    uint32_t tw = conn(f, 0, LO, 40002, WEB, 443, PS_TIME_WAIT); /* TIME-WAIT stays findable */
    uint32_t sr = conn(f, 0, LO, 3000, LAN, 51000, PS_SYN_RECV);
    assert_int_equal(find_conn(f, 0, LO, 40000, WEB, 443), c);
    assert_int_equal(find_conn(f, 0, LO, 40002, WEB, 443), tw);
    assert_int_equal(find_conn(f, 0, LO, 3000, LAN, 51000), sr);
    /* Any one field different: no match. */
    assert_int_equal(find_conn(f, 0, LO2, 40000, WEB, 443), PS_NONE);
    assert_int_equal(find_conn(f, 0, LO, 40001, WEB, 443), PS_NONE);
    assert_int_equal(find_conn(f, 0, LO, 40000, LAN, 443), PS_NONE);
    assert_int_equal(find_conn(f, 0, LO, 40000, WEB, 80), PS_NONE);
    assert_int_equal(find_conn(f, 0, ANY, 40000, WEB, 443), PS_NONE);
}

/* Every host has its own 127.0.0.1: one 4-tuple, two connections. */
static void same_four_tuple_on_another_host_is_another_connection(void **state)
{
    fx *f = *state;
    uint32_t a = conn(f, 0, LO, 40000, LO, 3000, PS_ESTABLISHED);
    assert_int_equal(find_conn(f, 1, LO, 40000, LO, 3000), PS_NONE);
    uint32_t b = conn(f, 1, LO, 40000, LO, 3000, PS_ESTABLISHED);
    assert_int_equal(find_conn(f, 0, LO, 40000, LO, 3000), a);
    assert_int_equal(find_conn(f, 1, LO, 40000, LO, 3000), b);
    ps_demux_remove(&f->dm, f->socks, a);
    assert_int_equal(find_conn(f, 0, LO, 40000, LO, 3000), PS_NONE);
    assert_int_equal(find_conn(f, 1, LO, 40000, LO, 3000), b);
}

/* Over loopback both ends live on one host; the local end tells them apart. */
static void both_ends_of_a_loopback_connection_are_told_apart(void **state)
{
    fx *f = *state;
    uint32_t client = conn(f, 0, LO, 40000, LO, 3000, PS_ESTABLISHED);
    uint32_t server = conn(f, 0, LO, 3000, LO, 40000, PS_ESTABLISHED);
    assert_int_equal(find_conn(f, 0, LO, 40000, LO, 3000), client);
    assert_int_equal(find_conn(f, 0, LO, 3000, LO, 40000), server);
}

static void remove_forgets_only_that_connection(void **state)
{
    fx *f = *state;
    enum { N = 1000 };
    uint32_t s[N];
    for (int i = 0; i < N; i++) s[i] = conn(f, (uint32_t)i % 3, LO, (uint16_t)(40000 + i), WEB, 443, PS_ESTABLISHED);
    for (int i = 1; i < N; i += 2) ps_demux_remove(&f->dm, f->socks, s[i]);
    for (int i = 0; i < N; i++)
        assert_int_equal(find_conn(f, (uint32_t)i % 3, LO, (uint16_t)(40000 + i), WEB, 443), i % 2 ? PS_NONE : s[i]);
    for (int i = 1; i < N; i += 2) assert_true(ps_demux_add(&f->dm, f->socks, s[i])); /* and back */
    for (int i = 0; i < N; i++) assert_int_equal(find_conn(f, (uint32_t)i % 3, LO, (uint16_t)(40000 + i), WEB, 443), s[i]);
}

/* ---- the listener lookup ---- */

/* Measured: with listeners on 127.0.0.1:3030 and 0.0.0.0:3030, a SYN to
 * 127.0.0.1 goes to the first, one to 127.0.0.2 to the second. Bind order
 * must not matter: host 0 binds the wildcard first, host 1 the exact one. */
static void listener_exact_address_beats_wildcard_in_either_bind_order(void **state)
{
    fx *f = *state;
    uint32_t wild0 = listener(f, 0, ANY, 3030);
    uint32_t exact0 = listener(f, 0, LO, 3030);
    uint32_t exact1 = listener(f, 1, LO, 3030);
    uint32_t wild1 = listener(f, 1, ANY, 3030);
    assert_int_equal(syn(f, 0, LO, 3030), exact0);
    assert_int_equal(syn(f, 0, LO2, 3030), wild0);
    assert_int_equal(syn(f, 1, LO, 3030), exact1);
    assert_int_equal(syn(f, 1, LO2, 3030), wild1);
}

static void wildcard_listener_takes_every_local_address(void **state)
{
    fx *f = *state;
    uint32_t l = listener(f, 0, ANY, 3000);
    assert_int_equal(syn(f, 0, LO, 3000), l);
    assert_int_equal(syn(f, 0, WEB, 3000), l);
    assert_int_equal(syn(f, 0, LAN, 3000), l);
    assert_int_equal(syn(f, 0, LO, 3001), PS_NONE);
    assert_int_equal(syn(f, 1, LO, 3000), PS_NONE); /* another host's port */
}

/* A listener on 127.0.0.1 does not take a SYN for 93.184.216.34. */
static void exact_listener_ignores_other_addresses(void **state)
{
    fx *f = *state;
    uint32_t l = listener(f, 0, LO, 3000);
    assert_int_equal(syn(f, 0, LO, 3000), l);
    assert_int_equal(syn(f, 0, WEB, 3000), PS_NONE);
    assert_int_equal(syn(f, 0, LO2, 3000), PS_NONE);
    assert_int_equal(syn(f, 0, ANY, 3001), PS_NONE);
}

/* Owners that are not listening (a client with a pinned port, a closed
 * listener still in the list) never take a SYN, even on the exact address. */
static void listener_lookup_skips_non_listening_owners(void **state)
{
    fx *f = *state;
    owner(f, 0, LO, 3000, PS_SYN_SENT);
    owner(f, 0, ANY, 3000, PS_CLOSED);
    owner(f, 0, LO, 3000, PS_TIME_WAIT);
    assert_int_equal(syn(f, 0, LO, 3000), PS_NONE);
    uint32_t wild = listener(f, 0, ANY, 3000);
    assert_int_equal(syn(f, 0, LO, 3000), wild); /* the exact owner is not listening */
    f->socks[wild].state = PS_CLOSED;
    assert_int_equal(syn(f, 0, LO, 3000), PS_NONE);
}

/* SO_REUSEPORT groups: several listeners on one address share the SYNs; a
 * hash of the 4-tuple picks, so one 4-tuple always gets the same one. */
static void reuseport_group_spreads_syns_by_four_tuple(void **state)
{
    fx *f = *state;
    enum { GROUP = 3, SYNS = 300 };
    uint32_t l[GROUP];
    int hits[GROUP] = { 0 };
    for (int i = 0; i < GROUP; i++) {
        l[i] = listener(f, 0, ANY, 3000);
        f->socks[l[i]].flags |= PS_SOCK_REUSEPORT;
    }
    for (uint16_t rp = 40000; rp < 40000 + SYNS; rp++) {
        uint32_t got = syn_from(f, 0, LO, 3000, LO, rp);
        assert_int_equal(syn_from(f, 0, LO, 3000, LO, rp), got); /* stable */
        int which = -1;
        for (int i = 0; i < GROUP; i++)
            if (got == l[i]) which = i;
        if (which < 0) fail_msg("SYN from port %u went to socket %u, outside the group", rp, got);
        hits[which]++;
    }
    for (int i = 0; i < GROUP; i++) assert_true(hits[i] > SYNS / GROUP / 2);
    /* An exact-address listener still beats the whole wildcard group. */
    uint32_t exact = listener(f, 0, LO2, 3000);
    for (uint16_t rp = 40000; rp < 40050; rp++) assert_int_equal(syn_from(f, 0, LO2, 3000, LO, rp), exact);
}

/* A slot whose copy of the tuple went stale (the socket's ports changed
 * while it sat in the table) is caught, and so is a wrong count. */
static void validator_catches_broken_invariants(void **state)
{
    fx *f = *state;
    for (uint16_t p = 0; p < 100; p++) conn(f, 0, LAN, (uint16_t)(40000 + p), WEB, 443, PS_ESTABLISHED);
    assert_true(ps_demux_valid(&f->dm, f->socks));
    f->socks[5].lport = 1;
    assert_false(ps_demux_valid(&f->dm, f->socks));
    f->socks[5].lport = 40005;
    assert_true(ps_demux_valid(&f->dm, f->socks));
    f->dm.n--;
    assert_false(ps_demux_valid(&f->dm, f->socks));
    f->dm.n++;
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(connection_found_by_exact_four_tuple),
        T(same_four_tuple_on_another_host_is_another_connection),
        T(both_ends_of_a_loopback_connection_are_told_apart),
        T(remove_forgets_only_that_connection),
        T(listener_exact_address_beats_wildcard_in_either_bind_order),
        T(wildcard_listener_takes_every_local_address),
        T(exact_listener_ignores_other_addresses),
        T(listener_lookup_skips_non_listening_owners),
        T(reuseport_group_spreads_syns_by_four_tuple),
        T(validator_catches_broken_invariants),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
