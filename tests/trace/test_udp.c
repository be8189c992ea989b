/* test_udp.c — UDP in the engine, end to end from scenario text: the bind
 * rules and their separate port space, demultiplexing by destination
 * address and port, the connected socket's preference, ICMP port
 * unreachable and the ECONNREFUSED it leaves, ephemeral ports, and the
 * trace lines. The rules are measured in docs/reference/udp.md. */
#include "engine_fixture.h"

#include "trace.h"

#define HOSTS                                      \
    "host a 10.0.0.1\n"                            \
    "host b 10.0.0.2\n"                            \
    "host c 10.0.0.3\n"                            \
    "link a b 5ms\n"                               \
    "link c b 7ms\n"                               \
    "proc a client pid=100 user=alice\n"           \
    "proc c client pid=300 user=carol\n"           \
    "proc b server pid=200 user=root\n"            \
    "proc b other pid=201 user=bob\n"

/* The n-th (0-based) recorded event of a kind, or NULL. */
static const fixture_event *nth(const fixture_log *log, ps_event_kind kind, size_t n)
{
    for (size_t i = 0; i < log->n; i++)
        if (log->ev[i].kind == kind && n-- == 0) return &log->ev[i];
    return NULL;
}

static void test_bind_rules(void **state)
{
    (void)state;
    fixture f = fixture_start(HOSTS
                              "at 0ms b server udp bind 53 as dns\n"
                              "at 0ms b server listen 53 as tcp\n"       /* its own port space */
                              "at 0ms b server udp bind 10.0.0.2:53 as dup\n" /* overlaps 0.0.0.0 */
                              "at 0ms b other udp bind 5300 reuseaddr as r1\n"
                              "at 0ms b server udp bind 5300 reuseaddr as r2\n"
                              "at 0ms b other udp bind 5301 reuseaddr as n1\n"
                              "at 0ms b server udp bind 5301 as n2\n"
                              "at 0ms b other udp bind 80 as priv\n"
                              "at 0ms b other udp bind 10.0.0.9:6000 as foreign\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "dns"), PS_OK);
    assert_int_equal(fixture_err(&f, "tcp"), PS_OK);
    assert_int_equal(fixture_err(&f, "dup"), PS_EADDRINUSE);
    assert_int_equal(fixture_err(&f, "r2"), PS_OK);
    assert_int_equal(fixture_err(&f, "n2"), PS_EADDRINUSE);
    assert_int_equal(fixture_err(&f, "priv"), PS_EACCES);
    assert_int_equal(fixture_err(&f, "foreign"), PS_EADDRNOTAVAIL);
    assert_int_equal(ps_engine_udp_port_state(f.e, 1, 53), PS_PORT_USED);
    assert_int_equal(ps_engine_port_state(f.e, 1, 53), PS_PORT_LISTENING);
    assert_int_equal(ps_engine_udp_port_state(f.e, 1, 54), PS_PORT_FREE);
    assert_string_equal(fixture_find(f.log, PS_EV_ERROR, "dup")->op, "bind");
    fixture_end(&f);
}

static void test_one_socket_serves_two_clients(void **state)
{
    (void)state;
    fixture f = fixture_start(HOSTS
                              "at 0ms b server udp bind 53 as dns reply \"answer\"\n"
                              "at 1ms a client udp connect 10.0.0.2:53 as q1\n"
                              "at 1ms c client udp bind 0 as q2\n"
                              "at 2ms q1 send \"one\"\n"
                              "at 2ms q2 sendto b:53 \"two\"\n");
    ps_engine_run(f.e);
    /* Both datagrams reach the one socket, whatever their source. */
    const fixture_event *d1 = nth(f.log, PS_EV_UDP_DELIVER, 0), *d2 = nth(f.log, PS_EV_UDP_DELIVER, 1);
    assert_non_null(d1);
    assert_non_null(d2);
    assert_string_equal(d1->sock, "dns");
    assert_string_equal(d2->sock, "dns");
    assert_int_equal(d1->t, 7000);  /* sent at 2 ms, 5 ms link */
    assert_int_equal(d2->t, 9000);  /* 7 ms link */
    assert_int_not_equal(d1->src_addr, d2->src_addr);
    /* Each answer goes back to its own client. */
    const fixture_event *a1 = nth(f.log, PS_EV_UDP_DELIVER, 2), *a2 = nth(f.log, PS_EV_UDP_DELIVER, 3);
    assert_non_null(a2);
    assert_string_equal(a1->sock, "q1");
    assert_string_equal(a2->sock, "q2");
    assert_int_equal(a1->t, 12000);
    /* Ephemeral ports come from the Linux range; the connected one has its
     * source address, the bound one keeps 0.0.0.0. */
    const ps_socket *q1 = fixture_sock(&f, "q1"), *q2 = fixture_sock(&f, "q2");
    assert_true(q1->lport >= 32768 && q1->lport <= 60999);
    assert_true(q2->lport >= 32768 && q2->lport <= 60999);
    assert_int_equal(q1->laddr, 0x0a000001);
    assert_int_equal(q2->laddr, 0);
    assert_int_equal(q1->state, PS_ESTABLISHED);
    assert_int_equal(q2->state, PS_CLOSED);
    assert_true(nth(f.log, PS_EV_UDP_CONNECT, 0)->ephemeral);
    /* No handshake: not one TCP segment. */
    assert_int_equal(fixture_count(f.log, PS_EV_SEGMENT), 0);
    fixture_end(&f);
}

static void test_connected_socket_wins_for_its_peer_only(void **state)
{
    (void)state;
    /* Measured: whatever the bind order, the connected socket takes its
     * peer's datagrams and the unconnected one everybody else's. */
    static const char *const orders[] = {
        "at 0ms b server udp bind 5354 reuseaddr as open\n"
        "at 0ms b other udp connect 10.0.0.1:6000 from 5354 reuseaddr as conn\n",
        "at 0ms b other udp connect 10.0.0.1:6000 from 5354 reuseaddr as conn\n"
        "at 0ms b server udp bind 5354 reuseaddr as open\n",
    };
    for (int i = 0; i < 2; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s%s", HOSTS, orders[i],
                 "at 0ms a client udp bind 6000 as peer\n"
                 "at 0ms c client udp bind 6001 as stranger\n"
                 "at 1ms peer sendto b:5354 \"p\"\n"
                 "at 1ms stranger sendto b:5354 \"s\"\n");
        fixture f = fixture_start(text);
        ps_engine_run(f.e);
        assert_string_equal(nth(f.log, PS_EV_UDP_DELIVER, 0)->sock, "conn");
        assert_string_equal(nth(f.log, PS_EV_UDP_DELIVER, 1)->sock, "open");
        fixture_end(&f);
    }
    /* Two unconnected SO_REUSEADDR sockets: the one bound last takes it. */
    fixture f = fixture_start(HOSTS
                              "at 0ms b server udp bind 5355 reuseaddr as first\n"
                              "at 0ms b other udp bind 5355 reuseaddr as last\n"
                              "at 0ms a client udp bind 0 as cl\n"
                              "at 1ms cl sendto b:5355 \"x\"\n");
    ps_engine_run(f.e);
    assert_string_equal(nth(f.log, PS_EV_UDP_DELIVER, 0)->sock, "last");
    fixture_end(&f);
}

static void test_specific_address_beats_wildcard(void **state)
{
    (void)state;
    fixture f = fixture_start(HOSTS
                              "at 0ms b server udp bind 10.0.0.2:5356 reuseaddr as specific\n"
                              "at 0ms b other udp bind 5356 reuseaddr as wildcard\n"
                              "at 1ms a client udp connect 10.0.0.2:5356 as cl\n"
                              "at 2ms cl send \"x\"\n");
    ps_engine_run(f.e);
    assert_string_equal(nth(f.log, PS_EV_UDP_DELIVER, 0)->sock, "specific");
    fixture_end(&f);
}

static void test_icmp_refuses_the_next_call_once(void **state)
{
    (void)state;
    fixture f = fixture_start(HOSTS
                              "at 0ms a client udp connect 10.0.0.2:9 as k\n"
                              "at 1ms k send \"q1\"\n"
                              "at 20ms k send \"q2\"\n"
                              "at 40ms k send \"q3\"\n");
    ps_engine_run(f.e);
    const fixture_event *icmp = nth(f.log, PS_EV_ICMP, 0);
    assert_non_null(icmp);
    assert_int_equal(icmp->t, 6000);
    assert_int_equal(icmp->src_port, 9);
    assert_int_equal(icmp->dst_port, fixture_sock(&f, "k")->lport);
    const fixture_event *back = nth(f.log, PS_EV_ICMP_DELIVER, 0);
    assert_int_equal(back->t, 11000);
    assert_int_equal(back->to, PS_TO_SOCKET);
    assert_string_equal(back->sock, "k");
    /* The second send fails, without a datagram; the third goes out. */
    const fixture_event *err = fixture_find(f.log, PS_EV_ERROR, "k");
    assert_non_null(err);
    assert_int_equal(err->t, 20000);
    assert_int_equal(err->err, PS_ECONNREFUSED);
    assert_string_equal(err->op, "send");
    assert_int_equal(fixture_count(f.log, PS_EV_DATAGRAM), 2);
    assert_int_equal(nth(f.log, PS_EV_DATAGRAM, 1)->t, 40000);
    assert_int_equal(fixture_count(f.log, PS_EV_ERROR), 1);
    assert_int_equal(fixture_err(&f, "k"), PS_ECONNREFUSED);
    /* The socket lives on: UDP has no connection to lose. */
    assert_int_not_equal(ps_engine_named_socket(f.e, ps_scenario_sock(f.sc, "k")), PS_NONE);
    fixture_end(&f);
}

static void test_unconnected_sender_hears_nothing(void **state)
{
    (void)state;
    fixture f = fixture_start(HOSTS
                              "at 0ms a client udp bind 0 as u\n"
                              "at 1ms u sendto b:9 \"q1\"\n"
                              "at 20ms u sendto b:9 \"q2\"\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_count(f.log, PS_EV_ICMP), 2);
    assert_int_equal(fixture_count(f.log, PS_EV_ERROR), 0);
    assert_int_equal(fixture_count(f.log, PS_EV_DATAGRAM), 2);
    assert_int_equal(fixture_err(&f, "u"), PS_OK);
    fixture_end(&f);
}

static void test_connected_port_refuses_strangers(void **state)
{
    (void)state;
    /* Only a socket connected to someone else holds the port: a stranger's
     * datagram finds nobody and is answered with ICMP. */
    fixture f = fixture_start(HOSTS
                              "at 0ms b server udp connect 10.0.0.1:7000 from 5357 as k\n"
                              "at 0ms c client udp connect 10.0.0.2:5357 as s\n"
                              "at 1ms s send \"x\"\n"
                              "at 30ms s send \"y\"\n");
    ps_engine_run(f.e);
    assert_int_equal(nth(f.log, PS_EV_UDP_DELIVER, 0)->to, PS_TO_NONE);
    assert_int_equal(fixture_err(&f, "s"), PS_ECONNREFUSED);
    fixture_end(&f);
}

static void test_ephemeral_exhaustion_is_eagain(void **state)
{
    (void)state;
    fixture f = fixture_start("host a 10.0.0.1 ports=40000-40001\n"
                              "host b 10.0.0.2\n"
                              "link a b 1ms\n"
                              "proc a app pid=1 user=alice\n"
                              "at 0ms a app udp bind 0 as x\n"
                              "at 0ms a app udp connect 10.0.0.2:53 as y\n"
                              "at 0ms a app udp connect 10.0.0.2:54 as z\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "x"), PS_OK);
    assert_int_equal(fixture_err(&f, "y"), PS_OK);
    assert_int_equal(fixture_err(&f, "z"), PS_EAGAIN);
    assert_int_not_equal(fixture_sock(&f, "x")->lport, fixture_sock(&f, "y")->lport);
    fixture_end(&f);
}

static void test_close_and_kill_free_the_port(void **state)
{
    (void)state;
    fixture f = fixture_start(HOSTS
                              "at 0ms b server udp bind 53 as dns\n"
                              "at 0ms b other udp bind 5000 as o\n"
                              "at 1ms dns close\n"
                              "at 1ms b kill 201\n"
                              "at 2ms b server udp bind 53 as again\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "again"), PS_OK);
    assert_int_equal(ps_engine_udp_port_state(f.e, 1, 5000), PS_PORT_FREE);
    assert_int_equal(fixture_count(f.log, PS_EV_RELEASE), 2);
    fixture_end(&f);
}

/* Two reply sockets answer each other forever, as real UDP echo services
 * do: the step limit ends the run, which says so. */
static void test_echo_loop_meets_the_step_limit(void **state)
{
    (void)state;
    fixture f = fixture_start(HOSTS
                              "at 0ms a client udp bind 7007 as x reply \"ping\"\n"
                              "at 0ms b server udp bind 7007 as y reply \"pong\"\n"
                              "at 1ms x sendto b:7007 \"start\"\n");
    ps_engine_set_max_steps(f.e, 5000);
    ps_engine_run(f.e);
    assert_int_equal(ps_engine_status(f.e), PS_RUN_LIMIT);
    assert_int_equal(ps_engine_steps(f.e), 5000);
    assert_true(fixture_sock(&f, "x")->rcv_nxt > 2000);
    fixture_end(&f);
}

static void test_trace_lines(void **state)
{
    (void)state;
    ps_scenario *sc = fixture_parse(HOSTS
                                    "at 0ms b server udp bind 53 as dns reply \"A\"\n"
                                    "at 1ms a client udp connect 10.0.0.2:53 from 40000 as q\n"
                                    "at 2ms q send \"Q\"\n"
                                    "at 3ms q sendto b:99 \"Z\"\n");
    for (int fmt = PS_TRACE_TEXT; fmt <= PS_TRACE_JSONL; fmt++) {
        ps_sbuf out = { 0 };
        ps_engine *e = ps_engine_new(sc, 1);
        ps_trace tr;
        ps_trace_init(&tr, (ps_trace_format)fmt, sc, 1, ps_trace_to_sbuf, &out);
        ps_engine_set_sink(e, ps_trace_event, &tr);
        ps_engine_run(e);
        ps_sbuf_putc(&out, '\0');
        if (fmt == PS_TRACE_TEXT) {
            assert_non_null(strstr(out.s, "udp-bind    server[200] dns 0.0.0.0:53 (port chosen)"));
            assert_non_null(strstr(out.s, "udp-connect client[100] q 10.0.0.1:40000 -> 10.0.0.2:53 (port chosen)"));
            assert_non_null(strstr(out.s, "datagram    client[100] q 10.0.0.1:40000 -> 10.0.0.2:53 len=1 \"Q\""));
            assert_non_null(strstr(out.s, "udp-deliver 10.0.0.1:40000 -> 10.0.0.2:53 len=1 to socket server[200] dns \"Q\""));
            assert_non_null(strstr(out.s, "udp-deliver 10.0.0.1:40000 -> 10.0.0.2:99 len=1 to none (no UDP socket on that port: ICMP) \"Z\""));
            assert_non_null(strstr(out.s, "icmp        10.0.0.2:99 -> 10.0.0.1:40000 port unreachable"));
            assert_non_null(strstr(out.s, "icmp-deliver 10.0.0.2:99 -> 10.0.0.1:40000 port unreachable to none (no socket: ignored)"));
        } else {
            assert_non_null(strstr(out.s, "\"kind\":\"udp-deliver\",\"host\":\"b\",\"pid\":200,\"proc\":\"server\",\"sock\":\"dns\",\"src\":\"10.0.0.1:40000\",\"dst\":\"10.0.0.2:53\",\"len\":1,\"to\":\"socket\",\"text\":\"Q\"}"));
            assert_non_null(strstr(out.s, "\"kind\":\"icmp\",\"host\":\"b\",\"src\":\"10.0.0.2:99\",\"dst\":\"10.0.0.1:40000\",\"len\":1"));
            assert_non_null(strstr(out.s, "\"kind\":\"icmp-deliver\",\"host\":\"a\",\"src\":\"10.0.0.2:99\",\"dst\":\"10.0.0.1:40000\",\"len\":1,\"to\":\"none\",\"refused\":false"));
            assert_non_null(strstr(out.s, "\"kind\":\"udp-bind\",\"host\":\"b\",\"pid\":200,\"proc\":\"server\",\"sock\":\"dns\",\"src\":\"0.0.0.0:53\",\"ephemeral\":false}"));
        }
        ps_engine_free(e);
        assert_false(tr.nomem || out.failed);
        ps_trace_free(&tr);
        ps_sbuf_free(&out);
    }
    ps_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_rules),
        cmocka_unit_test(test_one_socket_serves_two_clients),
        cmocka_unit_test(test_connected_socket_wins_for_its_peer_only),
        cmocka_unit_test(test_specific_address_beats_wildcard),
        cmocka_unit_test(test_icmp_refuses_the_next_call_once),
        cmocka_unit_test(test_unconnected_sender_hears_nothing),
        cmocka_unit_test(test_connected_port_refuses_strangers),
        cmocka_unit_test(test_ephemeral_exhaustion_is_eagain),
        cmocka_unit_test(test_close_and_kill_free_the_port),
        cmocka_unit_test(test_echo_loop_meets_the_step_limit),
        cmocka_unit_test(test_trace_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
