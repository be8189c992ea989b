/* test_close.c — the end of a connection: a kill or a `close` arriving
 * while the FIN exchange is under way. Each of these once released a socket
 * twice and aborted a checked build (tests/fuzz/regressions/
 * kill-server-in-last-ack.scn). */
#include "engine_fixture.h"

#define MS(n) ((ps_time)(n) * 1000u) /* ps_time counts microseconds */

/* The reported crash: the client closes at 200 ms, the server's end answers
 * with its own FIN at 220 ms (LAST-ACK), and the server is killed at 230 ms,
 * before the client's last ACK is back. */
#define LAST_ACK_KILL                                   \
    "host laptop 192.0.2.10\n"                          \
    "host server 93.184.216.34\n"                       \
    "link laptop server 20ms\n"                         \
    "proc server nginx pid=812 user=root\n"             \
    "proc laptop firefox pid=4242 user=alice\n"         \
    "at 0ms server nginx listen 80 as web\n"            \
    "at 10ms laptop firefox connect http://server as a\n"

static size_t count_kind_sock(const fixture_log *log, ps_event_kind kind, const char *sock)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++)
        n += log->ev[i].kind == kind && (!sock || strcmp(log->ev[i].sock, sock) == 0);
    return n;
}

static size_t count_rst(const fixture_log *log)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++)
        n += log->ev[i].kind == PS_EV_SEGMENT && (log->ev[i].flags & PS_RST);
    return n;
}

/* The server's program closed its end when it read the client's FIN, so
 * the kill finds only the listener: the LAST-ACK end finishes alone (no
 * RST), and the client's TIME-WAIT lasts its minute. Before the fix the
 * kill closed the LAST-ACK end a second time, the client's last ACK drew
 * an RST, and the TIME-WAIT was released twice (an abort). */
static void test_kill_in_last_ack_leaves_the_fin_exchange_alone(void **state)
{
    (void)state;
    fixture f = fixture_start(LAST_ACK_KILL
                              "at 200ms a close\n"
                              "at 230ms server kill 812\n");
    ps_engine_run(f.e);
    assert_int_equal(ps_engine_status(f.e), PS_RUN_OK);
    assert_int_equal(count_rst(f.log), 0);
    assert_int_equal(fixture_count(f.log, PS_EV_ERROR), 0);
    /* Closes: the client's, the server's end at the FIN, the listener at the kill. */
    assert_int_equal(fixture_count(f.log, PS_EV_CLOSE), 3);
    assert_int_equal(count_kind_sock(f.log, PS_EV_RELEASE, "a"), 1);
    const fixture_event *rel = fixture_find(f.log, PS_EV_RELEASE, "a");
    assert_int_equal(rel->t, MS(240) + PS_TIME_WAIT_US); /* TIME-WAIT ran its course */
    assert_int_equal(ps_engine_socket_live(f.e), 0);
    fixture_end(&f);
}

/* The same with the server's end named by `accept as` and closed by the
 * scenario at 230 ms: the program already closed it at 220 ms, so this
 * close fails with EBADF and changes nothing. */
static void test_close_after_passive_close_is_ebadf(void **state)
{
    (void)state;
    fixture f = fixture_start(LAST_ACK_KILL
                              "at 10ms web accept as s\n"
                              "at 200ms a close\n"
                              "at 230ms s close\n");
    ps_engine_run(f.e);
    assert_int_equal(ps_engine_status(f.e), PS_RUN_OK);
    assert_int_equal(count_rst(f.log), 0);
    const fixture_event *err = fixture_find(f.log, PS_EV_ERROR, "s");
    assert_non_null(err);
    assert_string_equal(err->op, "close");
    assert_int_equal(err->err, PS_EBADF);
    assert_int_equal(count_kind_sock(f.log, PS_EV_RELEASE, "s"), 1);
    assert_int_equal(count_kind_sock(f.log, PS_EV_RELEASE, "a"), 1);
    assert_int_equal(fixture_find(f.log, PS_EV_RELEASE, "a")->t, MS(240) + PS_TIME_WAIT_US);
    fixture_end(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_in_last_ack_leaves_the_fin_exchange_alone),
        cmocka_unit_test(test_close_after_passive_close_is_ebadf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
