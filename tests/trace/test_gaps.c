/* test_gaps.c — the language gaps of issue 14, run end to end (parse,
 * engine, checker): bind as its own step and listen later, naming and
 * closing an accepted connection, a client's source address, reuse options
 * on a pinned connect, `accepted-by`, segment counts and `errno A|B`. Each
 * rule is the kernel's as measured in docs/reference/bind.md. */
#include "engine_fixture.h"

#include "check.h"

static const char *STAGE =
    "host a 10.0.0.1 10.0.0.9\n"
    "host b 10.0.0.2 10.0.0.3\n"
    "link a b 5ms\n"
    "proc a cli pid=1 user=u\n"
    "proc b srv pid=2 user=root\n"
    "proc b alt pid=3 user=root\n";

/* Checks STAGE plus `lines`; returns the counts, the report in *report_out
 * (freed by the caller) and the trace in *trace_out, when not NULL. */
static ps_check_counts check_lines(const char *lines, char **report_out, char **trace_out)
{
    char text[8192];
    snprintf(text, sizeof text, "%s%s", STAGE, lines);
    ps_scenario *sc = fixture_parse(text);
    ps_check_counts c = { 0, 0, NULL };
    ps_trace_capture cap;
    ps_sbuf report = { 0 };
    ps_check_run(sc, sc->seed, PS_DEFAULT_MAX_STEPS, &report, &c, &cap);
    assert_non_null(cap.text);
    if (trace_out) *trace_out = strdup(cap.text);
    ps_trace_capture_free(&cap);
    ps_scenario_free(sc);
    if (report_out) *report_out = report.s;
    else free(report.s);
    return c;
}

/* Every expect of `lines` holds (n of them). */
static void all_pass(const char *lines, uint32_t n)
{
    char *rep;
    ps_check_counts c = check_lines(lines, &rep, NULL);
    if (c.failed) fail_msg("%s", rep);
    assert_int_equal(c.passed, n);
    free(rep);
}

static void test_bind_then_listen_conflicts(void **state)
{
    (void)state;
    /* Both SO_REUSEADDR, neither listening: both bind. The first listen
     * wins; the second fails at listen and stays bound; a third bind now
     * fails; once the winner closes, the second may listen. */
    all_pass("at 0ms b srv bind 80 reuseaddr as one\n"
             "at 0ms b alt bind 80 reuseaddr as two\n"
             "at 0ms b alt bind 10.0.0.3:80 reuseaddr as three\n"
             "at 1ms one listen\n"
             "at 2ms two listen\n"
             "at 2ms three listen\n"
             "at 3ms b alt bind 80 reuseaddr as late\n"
             "at 4ms b alt bind 81 as plain\n"
             "at 4ms b srv bind 81 reuseaddr as plain2\n"
             "at 5ms one close\n"
             "at 6ms two listen\n"
             "expect 0ms b port 80 used\n"
             "expect 1ms b listen count 1\n"
             "expect three errno EADDRINUSE\n"
             "expect 3ms two closed\n"
             "expect late errno EADDRINUSE\n"
             "expect plain ok\n"
             "expect plain2 errno EADDRINUSE\n"
             "expect 7ms two listen\n"
             "expect two ok\n",
             9);
}

static void test_bound_socket_answers_no_syn(void **state)
{
    (void)state;
    char *trace;
    ps_check_counts c = check_lines("at 0ms b srv bind 80 as held\n"
                                    "at 1ms a cli connect 10.0.0.2:80 as c\n"
                                    "at 2ms b shell \"ss -tan\"\n"
                                    "expect c errno ECONNREFUSED\n"
                                    "expect segments rst from b:80 to a count 1\n"
                                    "expect b port 80 used\n",
                                    NULL, &trace);
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.passed, 3);
    assert_non_null(strstr(trace, "bind        srv[2] held 0.0.0.0:80\n"));
    /* ss -tan does not list a socket that is only bound (measured). */
    assert_non_null(strstr(trace, "$ ss -tan\n    | State Recv-Q Send-Q Local Address:Port "
                                  "Peer Address:PortProcess\n     6.000 ms"));
    free(trace);
}

static void test_accept_names_connections_in_order(void **state)
{
    (void)state;
    /* Two clients; the first accept line names the first connection the
     * listener accepted (before the line's time), the second one the next
     * (after it). Closing the first is a server-side active close. */
    all_pass("at 0ms b srv listen 80 as web\n"
             "at 1ms a cli connect 10.0.0.2:80 as c1\n"
             "at 12ms web accept as s1\n"
             "at 12ms web accept as s2\n"
             "at 20ms a cli connect 10.0.0.2:80 as c2\n"
             "at 40ms s1 close\n"
             "expect s1.dport == c1.sport\n"
             "expect s2.dport == c2.sport\n"
             "expect 17ms s1 established\n"
             "expect 17ms b established count 1\n"
             "expect 60ms s1 time-wait\n"
             "expect 60ms c1 closed\n"
             "expect 60ms s2 established\n"
             "expect 60ms c2 established\n"
             "expect segments fin from b:80 to a count 1\n"
             "expect segments fin from a to b:80 count 1\n",
             10);
}

static void test_accept_line_without_connection(void **state)
{
    (void)state;
    char *rep;
    ps_check_counts c = check_lines("at 0ms b srv listen 80 as web\n"
                                    "at 1ms web accept as s1\n"
                                    "at 2ms s1 close\n"
                                    "expect s1 ok\n",
                                    &rep, NULL);
    assert_int_equal(c.failed, 1);
    assert_non_null(strstr(rep, "s1 was never created"));
    free(rep);
}

static void test_source_address(void **state)
{
    (void)state;
    all_pass("at 0ms b srv listen 80\n"
             "at 1ms a cli connect b:80 from 10.0.0.9 as c1\n"
             "at 1ms a cli connect b:80 from 10.0.0.9:5000 as c2\n"
             "at 1ms a cli connect b:80 from 5001 as c3\n"
             "at 1ms a cli connect b:80 from 10.0.0.3 as c4\n"
             "at 1ms a cli connect b:80 from 198.51.100.1:5002 as c5\n"
             "expect c1.saddr == 10.0.0.9\n"
             "expect c1.sport >= 32768\n"
             "expect c2.saddr == 10.0.0.9\n"
             "expect c2.sport == 5000\n"
             "expect c3.saddr == 10.0.0.1\n"
             "expect 20ms c2 established\n"
             "expect c4 errno EADDRNOTAVAIL\n"
             "expect c5 errno EADDRNOTAVAIL\n",
             8);
}

static void test_reuse_on_a_pinned_connect(void **state)
{
    (void)state;
    /* c1 and c2 pin ports, close first and sit in TIME-WAIT; a new pinned
     * connect on the same port binds only when old and new both set
     * SO_REUSEADDR. A listener blocks a pinned bind even with it; two
     * SO_REUSEPORT sockets of one user share. */
    all_pass("at 0ms b srv listen 80\n"
             "at 0ms b srv listen 81\n"
             "at 0ms a cli listen 6000 reuseport\n"
             "at 0ms a cli listen 7000 reuseaddr\n"
             "at 1ms a cli connect b:80 from 5000 reuseaddr as c1\n"
             "at 1ms a cli connect b:80 from 5001 as c2\n"
             "at 20ms c1 close\n"
             "at 20ms c2 close\n"
             "at 100ms a cli connect b:81 from 5000 reuseaddr as n1\n"
             "at 100ms a cli connect b:81 from 5001 reuseaddr as n2\n"
             "at 100ms a cli connect b:81 from 7000 reuseaddr as n3\n"
             "at 100ms a cli connect b:81 from 6000 reuseport as n4\n"
             "at 100ms a cli connect b:81 from 6000 as n5\n"
             "at 100ms a cli connect b:81 reuseaddr reuseport as n6\n"
             "expect 99ms c1 time-wait\n"
             "expect 99ms c2 time-wait\n"
             "expect n1 ok\n"
             "expect n2 errno EADDRINUSE\n"
             "expect n3 errno EADDRINUSE\n"
             "expect n4 ok\n"
             "expect n5 errno EADDRINUSE\n"
             "expect n6 ok\n"
             "expect 200ms n1 established\n",
             9);
}

/* A client whose port connect() chose shares it with a later bind only
 * when both set SO_REUSEADDR (one-port range: the port is known). Its end
 * in TIME-WAIT keeps the port from its own destination only; f1 takes it
 * towards another, and f1, without the option, then blocks the bind. */
static void test_reuseaddr_on_an_ephemeral_connect(void **state)
{
    (void)state;
    all_pass("host c 10.0.0.5 ports=40000-40000\n"
             "link c b 5ms\n"
             "proc c k pid=9 user=u\n"
             "at 0ms b srv listen 80\n"
             "at 0ms b srv listen 81\n"
             "at 1ms c k connect b:80 reuseaddr as e1\n"
             "at 20ms c k bind 40000 reuseaddr as e2\n"
             "at 20ms c k bind 40000 as e3\n"
             "at 30ms e1 close\n"
             "at 30ms e2 close\n"
             "at 50ms c k connect b:81 as f1\n"
             "at 60ms c k bind 40000 reuseaddr as f2\n"
             "at 60ms c k connect b:80 as f3\n"
             "expect 45ms e1 time-wait\n"
             "expect e1.sport == 40000\n"
             "expect e2 ok\n"
             "expect e3 errno EADDRINUSE\n"
             "expect f1.sport == 40000\n"
             "expect f2 errno EADDRINUSE\n"
             "expect f3 errno EADDRNOTAVAIL\n",
             7);
}

static void test_accepted_by(void **state)
{
    (void)state;
    const char *lines = "at 0ms b srv listen 10.0.0.2:80 reuseport as exact\n"
                        "at 0ms b alt listen 80 reuseport as wild\n"
                        "at 0ms b srv listen 90\n"
                        "at 1ms a cli connect 10.0.0.2:80 as c1\n"
                        "at 1ms a cli connect 10.0.0.3:80 as c2\n"
                        "at 1ms a cli connect 10.0.0.2:90 as c3\n"
                        "at 1ms a cli connect 10.0.0.2:91 as c4\n";
    char text[2048];
    snprintf(text, sizeof text, "%s%s", lines,
             "expect c1 accepted-by exact\n"
             "expect c2 accepted-by wild\n"
             "expect 20ms c1 accepted-by exact\n");
    all_pass(text, 3);
    char *rep;
    snprintf(text, sizeof text, "%s%s", lines,
             "expect c1 accepted-by wild\n"
             "expect c3 accepted-by wild\n"
             "expect c4 accepted-by wild\n"
             "expect 1ms c2 accepted-by wild\n");
    ps_check_counts c = check_lines(text, &rep, NULL);
    assert_int_equal(c.passed, 0);
    assert_int_equal(c.failed, 4);
    assert_non_null(strstr(rep, "c1 was accepted by exact)"));
    assert_non_null(strstr(rep, "c3 was accepted by a listener without a name, not wild)"));
    assert_non_null(strstr(rep, "c4 was not accepted by any listener)"));
    assert_non_null(strstr(rep, "(at 1ms: c2 was not accepted by any listener)"));
    free(rep);
}

static void test_segment_counts(void **state)
{
    (void)state;
    const char *lines = "at 0ms b srv listen 80 reply \"ok\"\n"
                        "at 1ms a cli connect b:80 as c1\n"
                        "at 1ms a cli connect b:81 as c2\n"
                        "at 20ms c1 send \"hi\"\n"
                        "at 40ms c1 close\n";
    char text[2048];
    /* From a: two SYNs at 1ms, c1's ACK at 11ms, its data, ACK, FIN, ACK;
     * from b: c1's SYN-ACK, the reply, FIN, ACK, and RST|ACK for c2. */
    snprintf(text, sizeof text, "%s%s", lines,
             "expect segments syn from a to b count 2\n"
             "expect segments syn from a to b:80 count 1\n"
             "expect segments syn-ack from b to a count 1\n"
             "expect segments rst from b:81 to a count 1\n"
             "expect segments rst from a to b count 0\n"
             "expect segments data from a to b count 1\n"
             "expect segments data from b:80 to a count 1\n"
             "expect segments fin from a to b count 1\n"
             "expect segments fin from b to a count 1\n"
             "expect 10ms segments any from a to b count 2\n"
             "expect 12ms segments any from a to b count 3\n"
             "expect segments any from a:1 to b count 0\n");
    all_pass(text, 12);
    char *rep;
    snprintf(text, sizeof text, "%s%s", lines, "expect 6ms segments syn-ack from b to a count 0\n");
    ps_check_counts c = check_lines(text, &rep, NULL);
    assert_int_equal(c.failed, 1);
    assert_non_null(strstr(rep, "(at 6ms: 1 such segment)"));
    free(rep);
}

static void test_errno_alternatives(void **state)
{
    (void)state;
    const char *lines = "at 0ms b srv listen 80 as web\n"
                        "at 0ms b alt listen 80 as dup\n"
                        "at 1ms a cli connect b:81 as c\n";
    char text[2048];
    snprintf(text, sizeof text, "%s%s", lines,
             "expect dup errno EACCES|EADDRINUSE\n"
             "expect c errno ECONNREFUSED|EHOSTUNREACH\n"
             "expect dup errno EADDRINUSE|ESRCH|EBADF\n");
    all_pass(text, 3);
    char *rep;
    snprintf(text, sizeof text, "%s%s", lines,
             "expect dup errno EACCES|ESRCH\n"
             "expect web errno EADDRINUSE|EACCES\n");
    ps_check_counts c = check_lines(text, &rep, NULL);
    assert_int_equal(c.failed, 2);
    assert_non_null(strstr(rep, "expect failed: dup errno EACCES|ESRCH (at the end: dup EADDRINUSE)"));
    assert_non_null(strstr(rep, "expect failed: web errno EADDRINUSE|EACCES (at the end: web succeeded)"));
    free(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_then_listen_conflicts),
        cmocka_unit_test(test_bound_socket_answers_no_syn),
        cmocka_unit_test(test_accept_names_connections_in_order),
        cmocka_unit_test(test_accept_line_without_connection),
        cmocka_unit_test(test_source_address),
        cmocka_unit_test(test_reuse_on_a_pinned_connect),
        cmocka_unit_test(test_reuseaddr_on_an_ephemeral_connect),
        cmocka_unit_test(test_accepted_by),
        cmocka_unit_test(test_segment_counts),
        cmocka_unit_test(test_errno_alternatives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
