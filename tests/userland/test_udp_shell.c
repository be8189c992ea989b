/* test_udp_shell.c — ss, netstat and lsof on UDP sockets: the exact outputs
 * of the situation docs/reference/udp.md measured (udp_probe.py tools): a
 * UDP socket on 0.0.0.0:53, one on 127.0.0.2:5353, one connected from
 * 127.0.0.1:40100 to 127.0.0.2:53, and a TCP listener on 0.0.0.0:53. The
 * kernel lists UDP sockets in a salted hash order; portsim by local port
 * (the rows below are the real ones in that order). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_ops.h"
#include "load.h"
#include "shell.h"

#define PROBE                                                      \
    "host box 192.0.2.7\n"                                         \
    "proc box python3 pid=29861 user=root\n"                       \
    "at 0ms box python3 udp bind 53\n"                             \
    "at 0ms box python3 udp connect 127.0.0.2:53 from 40100\n"     \
    "at 0ms box python3 udp bind 127.0.0.2:5353\n"                 \
    "at 0ms box python3 listen 53\n"

static ps_scenario *sc;
static ps_engine *e;

static int setup(void **state)
{
    (void)state;
    ps_diag d;
    sc = ps_scenario_parse(PROBE, strlen(PROBE), "test.scn", &d);
    if (!sc) {
        char buf[1024];
        fail_msg("%s", ps_diag_format(&d, buf, sizeof buf));
    }
    e = ps_engine_new(sc, 1);
    ps_shell_attach(e);
    ps_engine_run_until(e, 1000);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ps_engine_free(e);
    ps_scenario_free(sc);
    return 0;
}

static void expect_out(const char *cmd, const char *want)
{
    char *got = ps_shell_exec(e, 0, cmd);
    assert_non_null(got);
    if (strcmp(got, want) != 0) print_error("command: %s\n--- want ---\n%s\n--- got ---\n%s\n", cmd, want, got);
    assert_string_equal(got, want);
    free(got);
}

static void test_ss(void **state)
{
    (void)state;
    /* -u alone: connected sockets only, and no State column */
    expect_out("ss -u", "Recv-Q Send-Q Local Address:Port  Peer Address:Port  Process\n"
                        "0      0          127.0.0.1:40100    127.0.0.2:domain");
    expect_out("ss -uan", "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n"
                          "UNCONN 0      0            0.0.0.0:53         0.0.0.0:*\n"
                          "UNCONN 0      0          127.0.0.2:5353       0.0.0.0:*\n"
                          "ESTAB  0      0          127.0.0.1:40100    127.0.0.2:53");
    expect_out("ss -ul", "State  Recv-Q Send-Q Local Address:Port   Peer Address:PortProcess\n"
                         "UNCONN 0      0            0.0.0.0:domain      0.0.0.0:*\n"
                         "UNCONN 0      0          127.0.0.2:mdns        0.0.0.0:*");
    expect_out("ss -tu", "Netid State Recv-Q Send-Q Local Address:Port  Peer Address:Port  Process\n"
                         "udp   ESTAB 0      0          127.0.0.1:40100    127.0.0.2:domain");
    /* UDP before TCP; python3's listen backlog is portsim's 5 */
    expect_out("ss -tuan", "Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n"
                           "udp   UNCONN 0      0            0.0.0.0:53         0.0.0.0:*\n"
                           "udp   UNCONN 0      0          127.0.0.2:5353       0.0.0.0:*\n"
                           "udp   ESTAB  0      0          127.0.0.1:40100    127.0.0.2:53\n"
                           "tcp   LISTEN 0      5            0.0.0.0:53         0.0.0.0:*");
    expect_out("ss -ulnp",
               "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
               "UNCONN 0      0            0.0.0.0:53        0.0.0.0:*    users:((\"python3\",pid=29861,fd=3))\n"
               "UNCONN 0      0          127.0.0.2:5353      0.0.0.0:*    users:((\"python3\",pid=29861,fd=5))");
    expect_out("ss -tln", "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
                          "LISTEN 0      5            0.0.0.0:53        0.0.0.0:*");
}

static void test_netstat(void **state)
{
    (void)state;
    expect_out("netstat -u", "Active Internet connections (w/o servers)\n"
                             "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
                             "udp        0      0 localhost:40100         127.0.0.2:domain        ESTABLISHED");
    expect_out("netstat -ul", "Active Internet connections (only servers)\n"
                              "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
                              "udp        0      0 0.0.0.0:domain          0.0.0.0:*\n"
                              "udp        0      0 127.0.0.2:mdns          0.0.0.0:*");
    expect_out("netstat -uanp",
               "Active Internet connections (servers and established)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n"
               "udp        0      0 0.0.0.0:53              0.0.0.0:*                           29861/python3\n"
               "udp        0      0 127.0.0.2:5353          0.0.0.0:*                           29861/python3\n"
               "udp        0      0 127.0.0.1:40100         127.0.0.2:53            ESTABLISHED 29861/python3");
    /* TCP before UDP, unlike ss */
    expect_out("netstat -tuan", "Active Internet connections (servers and established)\n"
                                "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
                                "tcp        0      0 0.0.0.0:53              0.0.0.0:*               LISTEN\n"
                                "udp        0      0 0.0.0.0:53              0.0.0.0:*\n"
                                "udp        0      0 127.0.0.2:5353          0.0.0.0:*\n"
                                "udp        0      0 127.0.0.1:40100         127.0.0.2:53            ESTABLISHED");
}

static void test_lsof(void **state)
{
    (void)state;
    expect_out("lsof -i UDP", "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
                              "python3 29861 root    3u  IPv4  20000      0t0  UDP *:domain\n"
                              "python3 29861 root    4u  IPv4  20001      0t0  UDP localhost:40100->127.0.0.2:domain\n"
                              "python3 29861 root    5u  IPv4  20002      0t0  UDP 127.0.0.2:mdns");
    expect_out("lsof -nP -i UDP:53", "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
                                     "python3 29861 root    3u  IPv4  20000      0t0  UDP *:53\n"
                                     "python3 29861 root    4u  IPv4  20001      0t0  UDP 127.0.0.1:40100->127.0.0.2:53");
    expect_out("lsof -i :53", "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
                              "python3 29861 root    3u  IPv4  20000      0t0  UDP *:domain\n"
                              "python3 29861 root    4u  IPv4  20001      0t0  UDP localhost:40100->127.0.0.2:domain\n"
                              "python3 29861 root    6u  IPv4  20003      0t0  TCP *:domain (LISTEN)");
    expect_out("lsof -i TCP", "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
                              "python3 29861 root    6u  IPv4  20003      0t0  TCP *:domain (LISTEN)");
    expect_out("lsof -i -sTCP:LISTEN", "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
                                       "python3 29861 root    6u  IPv4  20003      0t0  TCP *:domain (LISTEN)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ss),
        cmocka_unit_test(test_netstat),
        cmocka_unit_test(test_lsof),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
