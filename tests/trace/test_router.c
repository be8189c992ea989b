/* test_router.c — a router in the engine: inside hosts send through their
 * gateway to the hosts it is linked to and nowhere further (EHOSTUNREACH
 * at once); without masquerade the router forwards unchanged and outside
 * hosts cannot answer; masquerade's changed port depends on the seed only
 * and stays distinct; a forwarded port reaches the inside server, other
 * ports of the router refuse, and an outside host cannot reach a private
 * address; UDP is translated both ways (a taken port changed), an ICMP port
 * unreachable comes back to the inside sender, and a `forward ... udp`
 * rule reaches an inside UDP server. */
#include "engine_fixture.h"

#define HOME "router home inside 192.168.1.1/24 outside 203.0.113.5 %s\n" \
             "host laptop 192.168.1.10\nhost laptop2 192.168.1.11\nhost server 93.184.216.34\n" \
             "host far 198.51.100.9\n" \
             "link laptop home 1ms\nlink laptop2 home 1ms\nlink home server 20ms\nlink server far 5ms\n" \
             "proc laptop curl pid=1 user=alice\nproc laptop2 curl pid=1 user=bob\n" \
             "proc server nginx pid=2 user=root\nproc far nginx pid=2 user=root\n" \
             "at 0ms server nginx listen 443\nat 0ms far nginx listen 80\n"

static fixture start(const char *opts, const char *rest, uint64_t seed)
{
    char text[2048];
    snprintf(text, sizeof text, HOME "%s", opts, rest);
    fixture f;
    f.sc = fixture_parse(text);
    if (seed) f.sc->seed = seed;
    f.e = ps_engine_new(f.sc, f.sc->seed);
    assert_non_null(f.e);
    f.log = calloc(1, sizeof *f.log);
    assert_non_null(f.log);
    ps_engine_set_sink(f.e, fixture_record, f.log);
    return f;
}

static void gateway_reaches_one_hop_only(void **state)
{
    (void)state;
    fixture f = start("masquerade", "at 10ms laptop curl connect 93.184.216.34:443 as near\n"
                                    "at 10ms laptop curl connect 198.51.100.9:80 as beyond\n", 0);
    ps_engine_run(f.e);
    assert_int_equal(ps_engine_named_error(f.e, ps_scenario_sock(f.sc, "near")), PS_OK);
    assert_int_equal(ps_engine_named_error(f.e, ps_scenario_sock(f.sc, "beyond")), PS_EHOSTUNREACH);
    /* the server saw the router's address, never the private one */
    const fixture_event *acc = fixture_find(f.log, PS_EV_ACCEPT, NULL);
    assert_non_null(acc);
    assert_int_equal(acc->dst_addr, 0xCB007105u);
    fixture_end(&f);
}

static void without_masquerade_nobody_answers(void **state)
{
    (void)state;
    fixture f = start("", "at 10ms laptop curl connect 93.184.216.34:443 as c\n", 0);
    ps_engine_run_until(f.e, 2000000);
    assert_int_equal(fixture_count(f.log, PS_EV_NAT), 0);
    assert_int_equal(fixture_sock(&f, "c")->state, PS_SYN_SENT); /* the SYN-ACK has no route back */
    const fixture_event *acc = fixture_find(f.log, PS_EV_DELIVER, NULL);
    assert_non_null(acc);
    assert_int_equal(acc->src_addr, 0xC0A8010Au); /* it left with its private source */
    fixture_end(&f);
}

static uint16_t second_port(uint64_t seed)
{
    fixture f = start("masquerade", "at 10ms laptop curl connect 93.184.216.34:443 from 50000 as a\n"
                                    "at 20ms laptop2 curl connect 93.184.216.34:443 from 50000 as b\n", seed);
    ps_engine_run_until(f.e, 500000);
    uint16_t ports[2] = { 0, 0 };
    int n = 0;
    for (size_t i = 0; i < f.log->n && n < 2; i++)
        if (f.log->ev[i].kind == PS_EV_ACCEPT) ports[n++] = f.log->ev[i].dst_port;
    assert_int_equal(n, 2);
    assert_int_equal(ports[0], 50000);
    assert_int_not_equal(ports[1], 50000);
    assert_true(ports[1] >= 1024);
    fixture_end(&f);
    return ports[1];
}

static void changed_port_is_seeded(void **state)
{
    (void)state;
    assert_int_equal(second_port(7), second_port(7));
    uint16_t seen[4] = { second_port(1), second_port(2), second_port(3), second_port(4) };
    assert_true(seen[0] != seen[1] || seen[1] != seen[2] || seen[2] != seen[3]);
}

static void forwarding_and_private_addresses(void **state)
{
    (void)state;
    fixture f = start("masquerade",
                      "forward home 8080 to laptop:80\n"
                      "proc laptop web pid=3 user=root\n"
                      "at 0ms laptop web listen 80 as site\n"
                      "at 10ms far nginx connect 203.0.113.5:8080 as in\n"
                      "at 10ms far nginx connect 203.0.113.5:9090 as closed\n"
                      "at 10ms far nginx connect 192.168.1.10:80 as private\n", 0);
    ps_engine_run_until(f.e, 500000);
    /* far is not linked to home: none of these can work ... */
    assert_int_equal(ps_engine_named_error(f.e, ps_scenario_sock(f.sc, "in")), PS_EHOSTUNREACH);
    fixture_end(&f);
    /* ... so from the server, which is */
    f = start("masquerade",
              "forward home 8080 to laptop:80\n"
              "proc laptop web pid=3 user=root\nproc server curl pid=3 user=carol\n"
              "at 0ms laptop web listen 80 as site\n"
              "at 10ms server curl connect 203.0.113.5:8080 as in\n"
              "at 10ms server curl connect 203.0.113.5:9090 as closed\n"
              "at 10ms server curl connect 192.168.1.10:80 as private\n", 0);
    ps_engine_run_until(f.e, 500000);
    assert_int_equal(fixture_sock(&f, "in")->state, PS_ESTABLISHED);
    assert_int_equal(fixture_sock(&f, "in")->raddr, 0xCB007105u);
    assert_int_equal(ps_engine_named_error(f.e, ps_scenario_sock(f.sc, "closed")), PS_ECONNREFUSED);
    assert_int_equal(ps_engine_named_error(f.e, ps_scenario_sock(f.sc, "private")), PS_EHOSTUNREACH);
    assert_int_equal(ps_engine_state_count(f.e, ps_scenario_host(f.sc, "laptop"), PS_ESTABLISHED), 1);
    fixture_end(&f);
}

static void udp_through_the_router(void **state)
{
    (void)state;
    fixture f = start("masquerade",
                      "forward home udp 5353 to laptop:53\n"
                      "proc server dns pid=53 user=root\nproc laptop named pid=9 user=root\n"
                      "at 0ms server dns udp bind 53 as d reply \"A 1.2.3.4\"\n"
                      "at 0ms laptop named udp bind 53 as n reply \"A 5.6.7.8\"\n"
                      "at 10ms laptop curl udp connect 93.184.216.34:53 from 50000 as q\n"
                      "at 10ms laptop2 curl udp connect 93.184.216.34:53 from 50000 as q2\n"
                      "at 20ms q send \"A example.com\"\n"
                      "at 30ms q2 send \"A example.com\"\n"
                      "at 40ms laptop curl udp connect 93.184.216.34:54 as c\n"
                      "at 50ms c send \"x\"\n"
                      "at 200ms c send \"y\"\n"
                      "at 300ms server dns udp connect 203.0.113.5:5353 as in\n"
                      "at 310ms in send \"A example.com\"\n", 0);
    ps_engine_run(f.e);
    /* both answers came back to the inside senders, none to the router */
    assert_int_equal(fixture_sock(&f, "q")->rcv_nxt, 1);
    assert_int_equal(fixture_sock(&f, "q2")->rcv_nxt, 1);
    uint16_t seen[2] = { 0, 0 };
    int n = 0;
    for (size_t i = 0; i < f.log->n; i++) {
        const fixture_event *ev = &f.log->ev[i];
        assert_false(ev->kind == PS_EV_ICMP && ev->src_addr == 0xCB007105u); /* the router never refuses */
        if (ev->kind == PS_EV_UDP_DELIVER && ev->dst_addr == 0x5DB8D822u && ev->dst_port == 53 && n < 2)
            seen[n++] = ev->src_port;
    }
    assert_int_equal(n, 2);
    assert_int_equal(seen[0], 50000);     /* kept */
    assert_int_not_equal(seen[1], 50000); /* taken: changed */
    /* the ICMP port unreachable was translated back: c's next send is refused */
    assert_int_equal(ps_engine_named_error(f.e, ps_scenario_sock(f.sc, "c")), PS_ECONNREFUSED);
    const fixture_event *icmp = fixture_find(f.log, PS_EV_ICMP_DELIVER, "c");
    assert_non_null(icmp);
    assert_int_equal(icmp->dst_addr, 0xC0A8010Au);
    /* the forwarded port reached the inside server, and its answer came back */
    assert_int_equal(fixture_sock(&f, "n")->rcv_nxt, 1);
    assert_int_equal(fixture_sock(&f, "in")->rcv_nxt, 1);
    /* four UDP entries, the refused one unanswered */
    const ps_nat *t = ps_engine_nat(f.e, ps_scenario_host(f.sc, "home"));
    uint32_t udp = 0, unreplied = 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->v[i].proto == PS_PROTO_UDP) udp++, unreplied += !t->v[i].replied;
    assert_int_equal(udp, 4);
    assert_int_equal(unreplied, 1);
    fixture_end(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gateway_reaches_one_hop_only),
        cmocka_unit_test(without_masquerade_nobody_answers),
        cmocka_unit_test(changed_port_is_seeded),
        cmocka_unit_test(forwarding_and_private_addresses),
        cmocka_unit_test(udp_through_the_router),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
