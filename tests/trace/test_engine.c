/* test_engine.c — the engine end to end: port rules, demultiplexing, the
 * TCP life cycle, ephemeral ports, time control and determinism. Each test
 * runs a small scenario and checks engine state and the events it emitted. */
#include "engine_fixture.h"

#include "trace.h"

#define TWO_HOSTS                                  \
    "host a 10.0.0.1\n"                            \
    "host b 10.0.0.2\n"                            \
    "link a b 5ms\n"                               \
    "proc a client pid=100 user=alice\n"           \
    "proc b server pid=200 user=root\n"            \
    "proc b other pid=201 user=bob\n"

static void test_second_listener_gets_eaddrinuse(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 3000 as one\n"
                              "at 1ms b other listen 3000 as two\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "one"), PS_OK);
    assert_int_equal(fixture_err(&f, "two"), PS_EADDRINUSE);
    const fixture_event *ev = fixture_find(f.log, PS_EV_ERROR, "two");
    assert_non_null(ev);
    assert_string_equal(ev->op, "listen");
    assert_int_equal(ps_engine_port_state(f.e, 1, 3000), PS_PORT_LISTENING);
    fixture_end(&f);
}

static void test_wildcard_conflicts_with_specific_address(void **state)
{
    (void)state;
    /* 127.0.0.1:3000 + 0.0.0.0:3000 conflict in either order; 127.0.0.1 and
     * the host's own address do not (docs/reference/linux-ports.md). */
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 127.0.0.1:3000 as lo\n"
                              "at 0ms b server listen 3000 as any\n"
                              "at 0ms b server listen 10.0.0.2:3000 as own\n"
                              "at 0ms b server listen 4000 as any2\n"
                              "at 0ms b server listen 127.0.0.1:4000 as lo2\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "lo"), PS_OK);
    assert_int_equal(fixture_err(&f, "any"), PS_EADDRINUSE);
    assert_int_equal(fixture_err(&f, "own"), PS_OK);
    assert_int_equal(fixture_err(&f, "any2"), PS_OK);
    assert_int_equal(fixture_err(&f, "lo2"), PS_EADDRINUSE);
    fixture_end(&f);
}

static void test_privileged_ports_need_root(void **state)
{
    (void)state;
    fixture f = fixture_start("host h 10.0.0.9\n"
                              "host u 10.0.0.8 unpriv=80\n"
                              "proc h nginx pid=1 user=root\n"
                              "proc h app pid=2 user=alice\n"
                              "proc u app pid=3 user=alice\n"
                              "at 0ms h nginx listen 80 as root80\n"
                              "at 0ms h app listen 1023 as alice1023\n"
                              "at 0ms h app listen 1024 as alice1024\n"
                              "at 0ms u app listen 80 as lowered\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "root80"), PS_OK);
    assert_int_equal(fixture_err(&f, "alice1023"), PS_EACCES);
    assert_int_equal(fixture_err(&f, "alice1024"), PS_OK);
    assert_int_equal(fixture_err(&f, "lowered"), PS_OK); /* unpriv=80 lowers the floor */
    fixture_end(&f);
}

static void test_eacces_comes_before_eaddrinuse(void **state)
{
    (void)state;
    /* The kernel checks privilege before looking for conflicts. */
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 80 as root80\n"
                              "at 1ms b other listen 80 as bob80\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "bob80"), PS_EACCES);
    fixture_end(&f);
}

static void test_reuseport_rules(void **state)
{
    (void)state;
    /* Both SO_REUSEPORT and the same user: shared. Only the second: conflict.
     * Another user: conflict (docs/reference/linux-ports.md). */
    fixture f = fixture_start(TWO_HOSTS
                              "proc b server2 pid=202 user=root\n"
                              "at 0ms b server listen 3000 as a1 reuseport\n"
                              "at 0ms b server2 listen 3000 as a2 reuseport\n"
                              "at 0ms b other listen 3000 as bob reuseport\n"
                              "at 0ms b server listen 4000 as plain\n"
                              "at 0ms b server2 listen 4000 as late reuseport\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "a1"), PS_OK);
    assert_int_equal(fixture_err(&f, "a2"), PS_OK);
    assert_int_equal(fixture_err(&f, "bob"), PS_EADDRINUSE);
    assert_int_equal(fixture_err(&f, "late"), PS_EADDRINUSE);
    fixture_end(&f);
}

static void test_listen_on_foreign_address_is_eaddrnotavail(void **state)
{
    (void)state;
    /* lo owns all of 127.0.0.0/8 (found by portsim verify against the kernel). */
    fixture f = fixture_start(TWO_HOSTS "at 0ms b server listen 10.0.0.1:8080 as x\n"
                                        "at 0ms b server listen 127.0.0.2:8001 as lo2\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "x"), PS_EADDRNOTAVAIL);
    assert_int_equal(fixture_err(&f, "lo2"), PS_OK);
    fixture_end(&f);
}

static void test_handshake_data_and_close(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 80 as web reply \"OK\"\n"
                              "at 10ms a client connect 10.0.0.2:80 as c\n"
                              "at 30ms c send \"GET\"\n"
                              "at 50ms c close\n");
    ps_engine_run_until(f.e, 14999);
    assert_int_equal(fixture_sock(&f, "c")->state, PS_SYN_SENT);
    ps_engine_run_until(f.e, 20000);
    assert_int_equal(fixture_sock(&f, "c")->state, PS_ESTABLISHED);
    /* SYN, SYN|ACK, ACK in that order, 5 ms apart. */
    const fixture_event *syn = fixture_find(f.log, PS_EV_SEGMENT, "c");
    assert_non_null(syn);
    assert_int_equal(syn->flags, PS_SYN);
    assert_int_equal(syn->t, 10000);
    const fixture_event *est = fixture_find(f.log, PS_EV_ESTABLISHED, "c");
    assert_int_equal(est->t, 20000);
    assert_int_equal(est->dst_port, 80);
    ps_engine_run_until(f.e, 55000);
    assert_int_equal(fixture_sock(&f, "c")->state, PS_FIN_WAIT_1);
    ps_engine_run_until(f.e, 61000);
    assert_int_equal(fixture_sock(&f, "c")->state, PS_TIME_WAIT);
    ps_engine_run(f.e);
    /* TIME-WAIT ends 60 s after it began and the port is free again. */
    const ps_socket *last = fixture_sock(&f, "c");
    assert_int_equal(ps_engine_named_socket(f.e, ps_scenario_sock(f.sc, "c")), PS_NONE);
    assert_int_equal(ps_engine_port_state(f.e, 0, last->lport), PS_PORT_FREE);
    assert_int_equal(ps_engine_now(f.e), 60000000 + 60000);
    assert_int_equal(ps_engine_socket_live(f.e), 1); /* only the listener */
    /* The auto-reply went back to the client. */
    bool replied = false;
    for (size_t i = 0; i < f.log->n; i++) {
        const fixture_event *ev = &f.log->ev[i];
        if (ev->kind == PS_EV_DELIVER && strcmp(ev->sock, "c") == 0 && (ev->flags & PS_PSH))
            replied = true;
    }
    assert_true(replied);
    fixture_end(&f);
}

static void test_nobody_listening_gives_rst_and_econnrefused(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS "at 0ms a client connect 10.0.0.2:9 as c\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "c"), PS_ECONNREFUSED);
    const fixture_event *d = fixture_find(f.log, PS_EV_DELIVER, NULL);
    assert_non_null(d);
    assert_int_equal(d->to, PS_TO_NONE);
    bool rst = false;
    for (size_t i = 0; i < f.log->n; i++)
        rst |= f.log->ev[i].kind == PS_EV_SEGMENT && f.log->ev[i].flags == (PS_RST | PS_ACK);
    assert_true(rst);
    assert_int_equal(ps_engine_socket_live(f.e), 0);
    fixture_end(&f);
}

static void test_exact_address_listener_beats_wildcard(void **state)
{
    (void)state;
    fixture f = fixture_start("host h 10.0.0.9\n"
                              "proc h lo_srv pid=1 user=root\n"
                              "proc h any_srv pid=2 user=root\n"
                              "proc h cli pid=3 user=root\n"
                              "at 0ms h any_srv listen 3030 as any reuseport\n"
                              "at 0ms h lo_srv listen 127.0.0.1:3030 as lo reuseport\n"
                              "at 1ms h cli connect 127.0.0.1:3030 as to_lo\n"
                              "at 2ms h cli connect 10.0.0.9:3030 as to_own\n");
    ps_engine_run(f.e);
    /* Each SYN was delivered to the listener named in the deliver event. */
    const char *took[2] = { NULL, NULL };
    int k = 0;
    for (size_t i = 0; i < f.log->n && k < 2; i++) {
        const fixture_event *ev = &f.log->ev[i];
        if (ev->kind == PS_EV_DELIVER && ev->to == PS_TO_LISTENER) took[k++] = ev->sock;
    }
    assert_int_equal(k, 2);
    assert_string_equal(took[0], "lo");
    assert_string_equal(took[1], "any");
    assert_int_equal(fixture_sock(&f, "to_lo")->laddr, PS_ADDR_LOOPBACK);
    fixture_end(&f);
}

static void test_ephemeral_ports_unique_until_exhaustion(void **state)
{
    (void)state;
    fixture f = fixture_start("host a 10.0.0.1 ports=40000-40004\n"
                              "host b 10.0.0.2\n"
                              "host c 10.0.0.3\n"
                              "link a b 1ms\n"
                              "link a c 1ms\n"
                              "proc a cli pid=1 user=u\n"
                              "proc b srv pid=2 user=root\n"
                              "proc c srv pid=3 user=root\n"
                              "at 0ms b srv listen 443\n"
                              "at 0ms c srv listen 443\n"
                              "at 1ms a cli connect 10.0.0.2:443 repeat 6 every 1ms\n"
                              "at 10ms a cli connect 10.0.0.3:443 as other\n");
    ps_engine_run_until(f.e, 20000);
    /* Five ports for five connections, then EADDRNOTAVAIL. */
    assert_int_equal(fixture_count(f.log, PS_EV_CONNECT), 6);
    const fixture_event *err = fixture_find(f.log, PS_EV_ERROR, NULL);
    assert_non_null(err);
    assert_int_equal(err->err, PS_EADDRNOTAVAIL);
    assert_int_equal(err->t, 6000);
    bool seen[5] = { false };
    for (size_t i = 0; i < f.log->n; i++) {
        const fixture_event *ev = &f.log->ev[i];
        if (ev->kind != PS_EV_CONNECT || ev->dst_addr != 0x0a000002) continue;
        assert_true(ev->ephemeral);
        assert_in_range(ev->src_port, 40000, 40004);
        assert_false(seen[ev->src_port - 40000]);
        seen[ev->src_port - 40000] = true;
    }
    /* The same ports still serve another destination: per 4-tuple. */
    assert_int_equal(fixture_err(&f, "other"), PS_OK);
    assert_in_range(fixture_sock(&f, "other")->lport, 40000, 40004);
    assert_int_equal(ps_engine_port_state(f.e, 0, fixture_sock(&f, "other")->lport), PS_PORT_USED);
    fixture_end(&f);
}

static void test_pinned_port_rules(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 443\n"
                              "at 1ms a client connect 10.0.0.2:443 from 52114 as one\n"
                              "at 2ms a client connect 10.0.0.2:443 from 52114 as again\n"
                              "at 3ms a client connect 10.0.0.2:443 from 80 as low\n");
    ps_engine_run_until(f.e, 20000);
    assert_int_equal(fixture_sock(&f, "one")->lport, 52114);
    assert_false(fixture_find(f.log, PS_EV_CONNECT, "one")->ephemeral);
    assert_int_equal(fixture_err(&f, "again"), PS_EADDRINUSE);
    assert_int_equal(fixture_err(&f, "low"), PS_EACCES);
    fixture_end(&f);
}

static void test_kill_frees_the_port(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 3000 as first\n"
                              "at 1ms b other listen 3000 as second\n"
                              "at 2ms b kill 200\n"
                              "at 3ms b other listen 3000 as retry\n"
                              "at 4ms b kill 999\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "second"), PS_EADDRINUSE);
    assert_int_equal(fixture_err(&f, "retry"), PS_OK);
    assert_non_null(fixture_find(f.log, PS_EV_KILL, NULL));
    const fixture_event *esrch = fixture_find(f.log, PS_EV_ERROR, NULL);
    assert_int_equal(fixture_find(f.log, PS_EV_ERROR, "second")->err, PS_EADDRINUSE);
    (void)esrch;
    size_t n_esrch = 0;
    for (size_t i = 0; i < f.log->n; i++)
        n_esrch += f.log->ev[i].kind == PS_EV_ERROR && f.log->ev[i].err == PS_ESRCH;
    assert_int_equal(n_esrch, 1);
    fixture_end(&f);
}

static void test_server_time_wait_blocks_restart_without_reuseaddr(void **state)
{
    (void)state;
    /* The server side closes first (its process is killed), so TIME-WAIT
     * sits on the server's port: a new listener fails unless both set
     * SO_REUSEADDR (docs/reference/linux-ports.md, "TIME-WAIT and
     * restarting a server"). */
    const char *base = TWO_HOSTS
        "proc b next pid=202 user=root\n"
        "at 0ms b server listen 8080 %s\n"
        "at 1ms a client connect 10.0.0.2:8080 as c\n"
        "at 50ms b kill 200\n"
        "at 100ms b next listen 8080 %s as restart\n";
    char text[1024];
    snprintf(text, sizeof text, base, "", "");
    fixture f = fixture_start(text);
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "restart"), PS_EADDRINUSE);
    fixture_end(&f);

    snprintf(text, sizeof text, base, "reuseaddr", "reuseaddr");
    f = fixture_start(text);
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "restart"), PS_OK);
    fixture_end(&f);
}

static void test_unreachable_destination(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "host c 10.0.0.3\n"
                              "at 0ms a client connect 192.0.2.99:80 as nowhere\n"
                              "at 0ms a client connect 10.0.0.3:80 as unlinked\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_err(&f, "nowhere"), PS_EHOSTUNREACH);
    assert_int_equal(fixture_err(&f, "unlinked"), PS_EHOSTUNREACH);
    fixture_end(&f);
}

static void test_send_before_established_is_enotconn(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 80\n"
                              "at 1ms a client connect 10.0.0.2:80 as c\n"
                              "at 2ms c send \"too early\"\n");
    ps_engine_run(f.e);
    const fixture_event *ev = fixture_find(f.log, PS_EV_ERROR, "c");
    assert_non_null(ev);
    assert_int_equal(ev->err, PS_ENOTCONN);
    assert_string_equal(ev->op, "send");
    fixture_end(&f);
}

static void test_fds_are_lowest_free(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 80 as l80\n"
                              "at 0ms b server listen 81 as l81\n"
                              "at 1ms l80 close\n"
                              "at 2ms b server listen 82 as l82\n");
    ps_engine_run(f.e);
    assert_int_equal(fixture_sock(&f, "l81")->fd, 4);
    assert_int_equal(fixture_sock(&f, "l82")->fd, 3); /* 3 was freed by the close */
    fixture_end(&f);
}

static void test_equal_times_run_in_file_order(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 5ms b server listen 1100 as x1\n"
                              "say 5ms \"between\"\n"
                              "at 5ms b server listen 1101 as x2\n");
    ps_engine_run(f.e);
    assert_int_equal(f.log->n, 3);
    assert_int_equal(f.log->ev[0].kind, PS_EV_LISTEN);
    assert_int_equal(f.log->ev[1].kind, PS_EV_SAY);
    assert_int_equal(f.log->ev[2].kind, PS_EV_LISTEN);
    assert_string_equal(f.log->ev[2].sock, "x2");
    fixture_end(&f);
}

static void test_run_until_and_step_limit(void **state)
{
    (void)state;
    fixture f = fixture_start(TWO_HOSTS
                              "at 0ms b server listen 80\n"
                              "at 10ms a client connect 10.0.0.2:80 as c\n");
    ps_engine_run_until(f.e, 9999);
    assert_int_equal(ps_engine_now(f.e), 9999);
    assert_int_equal(ps_engine_next_time(f.e), 10000);
    assert_null(fixture_find(f.log, PS_EV_CONNECT, NULL));
    ps_engine_set_max_steps(f.e, ps_engine_steps(f.e) + 2);
    ps_engine_run(f.e);
    assert_int_equal(ps_engine_status(f.e), PS_RUN_LIMIT);
    assert_int_not_equal(ps_engine_next_time(f.e), PS_TIME_NEVER);
    fixture_end(&f);
}

/* Runs a scenario to the end with a JSONL trace into a malloc'd buffer. */
static char *jsonl_of(const char *text, uint64_t seed, size_t *len)
{
    ps_scenario *sc = fixture_parse(text);
    ps_sbuf out = { 0 };
    ps_engine *e = ps_engine_new(sc, seed);
    ps_trace tr;
    ps_trace_init(&tr, PS_TRACE_JSONL, sc, seed, ps_trace_to_sbuf, &out);
    ps_engine_set_sink(e, ps_trace_event, &tr);
    ps_engine_run(e);
    ps_engine_free(e);
    ps_scenario_free(sc);
    assert_false(tr.nomem || out.failed);
    ps_trace_free(&tr);
    *len = out.len;
    return out.s;
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    const char *text = TWO_HOSTS
        "at 0ms b server listen 443 reply \"hi\"\n"
        "at 1ms a client connect https://10.0.0.2 repeat 50 every 100us\n";
    size_t n1, n2, n3;
    char *a = jsonl_of(text, 1, &n1), *b = jsonl_of(text, 1, &n2), *c = jsonl_of(text, 2, &n3);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    assert_true(n1 != n3 || memcmp(a, c, n1) != 0); /* another seed, other ports */
    free(a);
    free(b);
    free(c);
}

static void test_jsonl_contract_fields(void **state)
{
    (void)state;
    size_t n;
    char *j = jsonl_of(TWO_HOSTS
                       "at 0ms b server listen 8443\n"
                       "at 0ms b other listen 8443 as dup\n"
                       "at 1ms a client connect 10.0.0.2:8443 as c\n",
                       1, &n);
    assert_non_null(strstr(j, "{\"t_us\":1000,\"kind\":\"connect\",\"host\":\"a\",\"pid\":100,"
                              "\"proc\":\"client\",\"sock\":\"c\",\"src\":\"10.0.0.1:"));
    assert_non_null(strstr(j, "\"ephemeral\":true"));
    assert_non_null(strstr(j, "\"op\":\"listen\",\"errno\":\"EADDRINUSE\""));
    const char *est = strstr(j, "\"kind\":\"established\",\"host\":\"a\"");
    assert_non_null(est);
    assert_non_null(strstr(est, "\"dst\":\"10.0.0.2:8443\""));
    assert_non_null(strstr(j, "\"to\":\"listener\""));
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_listener_gets_eaddrinuse),
        cmocka_unit_test(test_wildcard_conflicts_with_specific_address),
        cmocka_unit_test(test_privileged_ports_need_root),
        cmocka_unit_test(test_eacces_comes_before_eaddrinuse),
        cmocka_unit_test(test_reuseport_rules),
        cmocka_unit_test(test_listen_on_foreign_address_is_eaddrnotavail),
        cmocka_unit_test(test_handshake_data_and_close),
        cmocka_unit_test(test_nobody_listening_gives_rst_and_econnrefused),
        cmocka_unit_test(test_exact_address_listener_beats_wildcard),
        cmocka_unit_test(test_ephemeral_ports_unique_until_exhaustion),
        cmocka_unit_test(test_pinned_port_rules),
        cmocka_unit_test(test_kill_frees_the_port),
        cmocka_unit_test(test_server_time_wait_blocks_restart_without_reuseaddr),
        cmocka_unit_test(test_unreachable_destination),
        cmocka_unit_test(test_send_before_established_is_enotconn),
        cmocka_unit_test(test_fds_are_lowest_free),
        cmocka_unit_test(test_equal_times_run_in_file_order),
        cmocka_unit_test(test_run_until_and_step_limit),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_jsonl_contract_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
