/* test_nat.c — a router's translation table (nat.h): masquerade keeps a
 * free port and picks another, seeded, in the right class when it is
 * taken; replies translate back; conntrack's TCP states and timeouts; the
 * bound on entries; expiry; UDP's timeouts (30 s, 120 s for a stream). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nat.h"
#include "socket.h"

#define LAN1 0xC0A8010Au  /* 192.168.1.10 */
#define LAN2 0xC0A8010Bu  /* 192.168.1.11 */
#define OUT 0xCB007105u   /* 203.0.113.5 */
#define SRV 0x5DB8D822u   /* 93.184.216.34 */
#define PS_SEG_UDP_FLAG 0x40u /* engine_view.h's PS_SEG_UDP: the nat table ignores flags for UDP */

static uint32_t connect_through(ps_nat *t, ps_rng *rng, ps_addr lan, uint16_t sport, ps_time now,
                                ps_tuple *reply)
{
    ps_tuple orig = { lan, SRV, sport, 443 };
    assert_int_equal(ps_nat_masquerade(t, PS_PROTO_TCP, &orig, OUT, rng, now, reply), PS_NAT_OK);
    uint32_t id = PS_NONE;
    assert_int_equal(ps_nat_add(t, PS_PROTO_TCP, PS_NAT_SNAT, &orig, reply, PS_SYN, now, &id), PS_NAT_OK);
    return id;
}

static void masquerade_keeps_a_free_port_and_changes_a_taken_one(void **state)
{
    (void)state;
    ps_nat t;
    ps_rng rng;
    ps_nat_init(&t, 100);
    ps_rng_seed(&rng, 14);
    ps_tuple r1, r2;
    connect_through(&t, &rng, LAN1, 50000, 0, &r1);
    connect_through(&t, &rng, LAN2, 50000, 0, &r2);
    assert_int_equal(r1.dport, 50000);              /* free: kept */
    assert_int_equal(r1.dst, OUT);
    assert_int_not_equal(r2.dport, 50000);          /* taken: another */
    assert_true(r2.dport >= 1024);
    /* The same seed picks the same port. */
    ps_nat t2;
    ps_rng rng2;
    ps_nat_init(&t2, 100);
    ps_rng_seed(&rng2, 14);
    ps_tuple q1, q2;
    connect_through(&t2, &rng2, LAN1, 50000, 0, &q1);
    connect_through(&t2, &rng2, LAN2, 50000, 0, &q2);
    assert_int_equal(q2.dport, r2.dport);
    ps_nat_free(&t);
    ps_nat_free(&t2);
}

static void low_ports_stay_in_their_class(void **state)
{
    (void)state;
    ps_nat t;
    ps_rng rng;
    ps_nat_init(&t, 1000);
    ps_rng_seed(&rng, 3);
    for (int i = 0; i < 20; i++) {
        ps_tuple r;
        connect_through(&t, &rng, LAN1 + (ps_addr)i, 700, 0, &r);
        assert_true(i == 0 ? r.dport == 700 : (r.dport >= 600 && r.dport <= 1023));
        connect_through(&t, &rng, LAN1 + (ps_addr)i, 100, 0, &r);
        assert_true(i == 0 ? r.dport == 100 : (r.dport >= 1 && r.dport <= 511));
    }
    assert_int_equal(t.n, 40);
    ps_nat_free(&t);
}

static void replies_translate_back_to_the_inside_host(void **state)
{
    (void)state;
    ps_nat t;
    ps_rng rng;
    ps_nat_init(&t, 100);
    ps_rng_seed(&rng, 1);
    ps_tuple r1, r2;
    connect_through(&t, &rng, LAN1, 50000, 0, &r1);
    connect_through(&t, &rng, LAN2, 50000, 0, &r2);
    int dir = -1;
    /* The server answers the second laptop's public port. */
    ps_tuple back = { SRV, OUT, 443, r2.dport };
    uint32_t i = ps_nat_find(&t, PS_PROTO_TCP, &back, 1000, &dir);
    assert_int_not_equal(i, PS_NONE);
    assert_int_equal(dir, 1);
    ps_tuple to = ps_nat_translate(&t.v[i], dir);
    assert_int_equal(to.dst, LAN2);
    assert_int_equal(to.dport, 50000);
    assert_int_equal(to.src, SRV);
    /* Outgoing: the first laptop's packets leave as OUT:50000. */
    ps_tuple out = { LAN1, SRV, 50000, 443 };
    i = ps_nat_find(&t, PS_PROTO_TCP, &out, 1000, &dir);
    assert_int_equal(dir, 0);
    to = ps_nat_translate(&t.v[i], dir);
    assert_int_equal(to.src, OUT);
    assert_int_equal(to.sport, 50000);
    /* Another protocol is another table key. */
    assert_int_equal(ps_nat_find(&t, PS_PROTO_UDP, &out, 1000, &dir), PS_NONE);
    ps_nat_free(&t);
}

static void states_follow_conntrack_and_set_timeouts(void **state)
{
    (void)state;
    ps_nat t;
    ps_rng rng;
    ps_nat_init(&t, 10);
    ps_rng_seed(&rng, 1);
    ps_tuple r;
    uint32_t i = connect_through(&t, &rng, LAN1, 50000, 0, &r);
    assert_int_equal(t.v[i].state, PS_CT_SYN_SENT);
    assert_int_equal(t.v[i].expires, 120000000u);
    ps_nat_track(&t, i, 1, PS_SYN | PS_ACK, 10);
    assert_int_equal(t.v[i].state, PS_CT_SYN_RECV);
    assert_false(t.v[i].assured);
    ps_nat_track(&t, i, 0, PS_ACK, 20);
    assert_int_equal(t.v[i].state, PS_CT_ESTABLISHED);
    assert_true(t.v[i].assured);
    assert_int_equal(t.v[i].expires, 20 + 432000ull * 1000000u);
    ps_nat_track(&t, i, 0, PS_FIN | PS_ACK, 30);
    assert_int_equal(t.v[i].state, PS_CT_FIN_WAIT);
    ps_nat_track(&t, i, 1, PS_FIN | PS_ACK, 40);
    assert_int_equal(t.v[i].state, PS_CT_LAST_ACK);
    ps_nat_track(&t, i, 0, PS_ACK, 50);
    assert_int_equal(t.v[i].state, PS_CT_TIME_WAIT);
    assert_int_equal(t.v[i].expires, 50 + 120000000ull);
    assert_string_equal(ps_ct_state_name(PS_CT_TIME_WAIT), "TIME_WAIT");
    /* A server that only ACKs the FIN: CLOSE_WAIT, as measured. */
    ps_tuple r2;
    uint32_t j = connect_through(&t, &rng, LAN2, 50001, 0, &r2);
    ps_nat_track(&t, j, 1, PS_SYN | PS_ACK, 1);
    ps_nat_track(&t, j, 0, PS_ACK, 2);
    ps_nat_track(&t, j, 0, PS_FIN | PS_ACK, 3);
    ps_nat_track(&t, j, 1, PS_ACK, 4);
    assert_int_equal(t.v[j].state, PS_CT_CLOSE_WAIT);
    assert_true(ps_nat_track(&t, j, 1, PS_RST, 5));
    assert_int_equal(t.v[j].state, PS_CT_CLOSE);
    assert_int_equal(t.v[j].expires, 5 + 10000000ull);
    /* A SYN whose only answer is an RST: the entry is forgotten at once. */
    ps_tuple r3;
    uint32_t m = connect_through(&t, &rng, LAN2, 50002, 6, &r3);
    assert_int_equal(t.n, 3);
    assert_false(ps_nat_track(&t, m, 1, PS_RST | PS_ACK, 7));
    assert_int_equal(t.n, 2);
    int dir;
    ps_tuple gone = { LAN2, SRV, 50002, 443 };
    assert_int_equal(ps_nat_find(&t, PS_PROTO_TCP, &gone, 8, &dir), PS_NONE);
    ps_nat_free(&t);
}

static void entries_expire_and_the_table_is_bounded(void **state)
{
    (void)state;
    ps_nat t;
    ps_rng rng;
    ps_nat_init(&t, 2);
    ps_rng_seed(&rng, 1);
    ps_tuple r;
    connect_through(&t, &rng, LAN1, 50000, 0, &r);
    connect_through(&t, &rng, LAN1, 50001, 0, &r);
    ps_tuple orig = { LAN1, SRV, 50002, 443 };
    uint32_t id;
    assert_int_equal(ps_nat_masquerade(&t, PS_PROTO_TCP, &orig, OUT, &rng, 1, &r), PS_NAT_OK);
    assert_false(ps_nat_sweep_due(&t, 1)); /* full, but nothing can have expired yet */
    assert_int_equal(ps_nat_add(&t, PS_PROTO_TCP, PS_NAT_SNAT, &orig, &r, PS_SYN, 1, &id), PS_NAT_FULL);
    assert_int_equal(t.n, 2);
    /* After SYN_SENT's 120 s both have expired: room again, and the old
     * tuples are no longer found. */
    ps_time later = 120000000u;
    int dir;
    ps_tuple old = { LAN1, SRV, 50000, 443 };
    assert_false(ps_nat_live(&t, 0, later));
    assert_true(ps_nat_sweep_due(&t, later));
    assert_int_equal(ps_nat_peek(&t, PS_PROTO_TCP, &old, later, &dir), PS_NONE);
    assert_int_equal(ps_nat_add(&t, PS_PROTO_TCP, PS_NAT_SNAT, &orig, &r, PS_SYN, later, &id), PS_NAT_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(ps_nat_find(&t, PS_PROTO_TCP, &old, later, &dir), PS_NONE);
    assert_int_not_equal(ps_nat_find(&t, PS_PROTO_TCP, &orig, later, &dir), PS_NONE);
    ps_nat_free(&t);
}

static void masquerade_gives_up_when_every_port_is_taken(void **state)
{
    (void)state;
    /* Ports 1-511 towards one server, all taken: the 512th has none. */
    ps_nat t;
    ps_rng rng;
    ps_nat_init(&t, 1000);
    ps_rng_seed(&rng, 5);
    ps_tuple r;
    for (uint32_t p = 1; p <= 511; p++) {
        ps_tuple orig = { LAN1, SRV, (uint16_t)p, 443 };
        uint32_t id;
        assert_int_equal(ps_nat_masquerade(&t, PS_PROTO_TCP, &orig, OUT, &rng, 0, &r), PS_NAT_OK);
        assert_int_equal(ps_nat_add(&t, PS_PROTO_TCP, PS_NAT_SNAT, &orig, &r, PS_SYN, 0, &id), PS_NAT_OK);
    }
    ps_tuple orig = { LAN2, SRV, 80, 443 };
    assert_int_equal(ps_nat_masquerade(&t, PS_PROTO_TCP, &orig, OUT, &rng, 0, &r), PS_NAT_NOPORT);
    ps_nat_free(&t);
}

/* Measured (docs/reference/nat.md, "UDP"): 30 s unreplied and after a quick
 * answer; a packet more than 2 s after the first, once answered, makes a
 * stream: 120 s and [ASSURED]. UDP and TCP entries with the same ports are
 * apart. */
static void udp_entries_time_out_as_conntrack_measured(void **state)
{
    (void)state;
    ps_nat t;
    ps_rng rng;
    ps_nat_init(&t, 100);
    ps_rng_seed(&rng, 3);
    const ps_time s = 1000000u;
    ps_tuple orig = { LAN1, SRV, 50000, 53 }, reply;
    assert_int_equal(ps_nat_masquerade(&t, PS_PROTO_UDP, &orig, OUT, &rng, 0, &reply), PS_NAT_OK);
    assert_int_equal(reply.dport, 50000);
    uint32_t i = PS_NONE;
    assert_int_equal(ps_nat_add(&t, PS_PROTO_UDP, PS_NAT_SNAT, &orig, &reply, PS_SEG_UDP_FLAG, 0, &i), PS_NAT_OK);
    assert_true(ps_nat_track(&t, i, 0, PS_SEG_UDP_FLAG, 0));
    assert_int_equal(t.v[i].expires, 30 * s);
    assert_false(t.v[i].replied);
    /* a TCP connection from the same port is another entry, and keeps it too */
    ps_tuple tcp_orig = { LAN1, SRV, 50000, 53 }, tcp_reply;
    assert_int_equal(ps_nat_masquerade(&t, PS_PROTO_TCP, &tcp_orig, OUT, &rng, 0, &tcp_reply), PS_NAT_OK);
    assert_int_equal(tcp_reply.dport, 50000);
    int dir = -1;
    ps_tuple back = { SRV, OUT, 53, 50000 };
    assert_int_equal(ps_nat_find(&t, PS_PROTO_UDP, &back, s / 10, &dir), i);
    assert_int_equal(dir, 1);
    assert_true(ps_nat_track(&t, i, 1, PS_SEG_UDP_FLAG, s / 10)); /* the answer: still 30 s */
    assert_true(t.v[i].replied);
    assert_false(t.v[i].assured);
    assert_int_equal(t.v[i].expires, s / 10 + 30 * s);
    assert_true(ps_nat_track(&t, i, 0, PS_SEG_UDP_FLAG, 2 * s)); /* not past 2 s yet */
    assert_false(t.v[i].assured);
    assert_true(ps_nat_track(&t, i, 0, PS_SEG_UDP_FLAG, 2 * s + 1)); /* a stream */
    assert_true(t.v[i].assured);
    assert_int_equal(t.v[i].expires, 2 * s + 1 + 120 * s);
    /* unanswered entries never become streams */
    ps_tuple o2 = { LAN2, SRV, 40000, 9 }, r2;
    assert_int_equal(ps_nat_masquerade(&t, PS_PROTO_UDP, &o2, OUT, &rng, 0, &r2), PS_NAT_OK);
    uint32_t j = PS_NONE;
    assert_int_equal(ps_nat_add(&t, PS_PROTO_UDP, PS_NAT_SNAT, &o2, &r2, PS_SEG_UDP_FLAG, 0, &j), PS_NAT_OK);
    assert_true(ps_nat_track(&t, j, 0, PS_SEG_UDP_FLAG, 10 * s));
    assert_false(t.v[j].assured);
    assert_int_equal(t.v[j].expires, 40 * s);
    assert_int_equal(ps_nat_find(&t, PS_PROTO_UDP, &o2, 40 * s, &dir), PS_NONE); /* expired */
    ps_nat_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masquerade_keeps_a_free_port_and_changes_a_taken_one),
        cmocka_unit_test(low_ports_stay_in_their_class),
        cmocka_unit_test(replies_translate_back_to_the_inside_host),
        cmocka_unit_test(states_follow_conntrack_and_set_timeouts),
        cmocka_unit_test(entries_expire_and_the_table_is_bounded),
        cmocka_unit_test(masquerade_gives_up_when_every_port_is_taken),
        cmocka_unit_test(udp_entries_time_out_as_conntrack_measured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
