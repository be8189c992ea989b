/* test_shell_nat.c — `conntrack -L` and `nft list ruleset` on a router:
 * the exact lines (conntrack-tools' and nftables' formats), newest entry
 * first, [UNREPLIED] before an answer, the seconds left counting down,
 * expired entries gone, the refusal for a user, a host that is no router;
 * UDP entries (no state; [ASSURED] as a stream) and a UDP forward's rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine_ops.h"
#include "load.h"
#include "shell.h"

static const char *const lesson =
    "router home inside 192.168.1.1/24 outside 203.0.113.5 masquerade\n"
    "host laptop 192.168.1.10\n"
    "host server 93.184.216.34\n"
    "link laptop home 1ms\n"
    "link home server 20ms\n"
    "forward home 8080 to laptop:80\n"
    "proc server nginx pid=812 user=root\n"
    "proc laptop firefox pid=4242 user=alice\n"
    "at 0ms server nginx listen 443 as web\n"
    "at 100ms laptop firefox connect 93.184.216.34:443 from 50000 as a\n"
    "at 200ms a close\n";

static ps_scenario *sc;
static ps_engine *e;

static void start_with(const char *text)
{
    ps_diag d;
    sc = ps_scenario_parse(text, strlen(text), "t.scn", &d);
    assert_non_null(sc);
    e = ps_engine_new(sc, 1);
    assert_non_null(e);
    ps_shell_attach(e);
}

static void start(void) { start_with(lesson); }

static void stop(void)
{
    ps_engine_free(e);
    ps_scenario_free(sc);
}

static void expect_out(const char *host, const char *cmd, const char *want)
{
    char *got = ps_shell_exec(e, ps_scenario_host(sc, host), cmd);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

#define ORIG "src=192.168.1.10 dst=93.184.216.34 sport=50000 dport=443"
#define REPLY "src=93.184.216.34 dst=203.0.113.5 sport=443 dport=50000"
#define LAST "conntrack v1.4.7 (conntrack-tools): "

static void conntrack_follows_the_connection(void **state)
{
    (void)state;
    start();
    expect_out("home", "conntrack -L", LAST "0 flow entries have been shown.");
    ps_engine_run_until(e, 110000); /* the SYN crossed, no answer yet */
    expect_out("home", "conntrack -L",
               "tcp      6 119 SYN_SENT " ORIG " [UNREPLIED] " REPLY " mark=0 use=1\n" LAST
               "1 flow entries have been shown.");
    ps_engine_run_until(e, 150000);
    expect_out("home", "conntrack --dump",
               "tcp      6 431999 ESTABLISHED " ORIG " " REPLY " [ASSURED] mark=0 use=1\n" LAST
               "1 flow entries have been shown.");
    ps_engine_run_until(e, 300000);
    expect_out("home", "conntrack -L",
               "tcp      6 119 TIME_WAIT " ORIG " " REPLY " [ASSURED] mark=0 use=1\n" LAST
               "1 flow entries have been shown.");
    ps_engine_run_until(e, 200000000); /* 200 s: TIME_WAIT's 120 s are over */
    expect_out("home", "conntrack -L", LAST "0 flow entries have been shown.");
    /* Not a router: nothing to show; a user: refused, as by the real tool. */
    expect_out("server", "conntrack -L", LAST "0 flow entries have been shown.");
    expect_out("laptop", "conntrack -L",
               LAST "Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this");
    expect_out("home", "conntrack", LAST "no command specified");
    stop();
}

static void nft_lists_the_rules_verify_loads(void **state)
{
    (void)state;
    start();
    expect_out("home", "nft list ruleset",
               "table ip nat {\n"
               "        chain postrouting {\n"
               "                type nat hook postrouting priority srcnat; policy accept;\n"
               "                ip saddr 192.168.1.0/24 ip daddr != 192.168.1.0/24 masquerade\n"
               "        }\n"
               "\n"
               "        chain prerouting {\n"
               "                type nat hook prerouting priority dstnat; policy accept;\n"
               "                ip saddr != 192.168.1.0/24 ip daddr 203.0.113.5 tcp dport 8080 dnat to 192.168.1.10:80\n"
               "        }\n"
               "}");
    expect_out("server", "nft list ruleset", "");
    expect_out("laptop", "nft list ruleset",
               "Operation not permitted (you must be root)\n"
               "netlink: Error: cache initialization failed: Operation not permitted");
    stop();
}

static int drops;
static void count_drops(void *ctx, const ps_event *ev)
{
    (void)ctx;
    if (ev->kind == PS_EV_NAT && !strcmp(ev->op, "drop") && !strcmp(ev->text, "translation table full (conntrack-max)"))
        drops++;
}

/* conntrack-max=1: the second laptop's SYN finds the table full and is
 * dropped; its connection never gets an answer. */
static void a_full_table_drops_new_connections(void **state)
{
    (void)state;
    static const char *const full =
        "router home inside 192.168.1.1/24 outside 203.0.113.5 masquerade conntrack-max=1\n"
        "host l1 192.168.1.10\nhost l2 192.168.1.11\nhost server 93.184.216.34\n"
        "link l1 home 1ms\nlink l2 home 1ms\nlink home server 20ms\n"
        "proc server nginx pid=812 user=root\nproc l1 curl pid=1 user=a\nproc l2 curl pid=1 user=b\n"
        "at 0ms server nginx listen 443\n"
        "at 100ms l1 curl connect 93.184.216.34:443 as a\n"
        "at 200ms l2 curl connect 93.184.216.34:443 as b\n";
    ps_diag d;
    sc = ps_scenario_parse(full, strlen(full), "t.scn", &d);
    assert_non_null(sc);
    e = ps_engine_new(sc, 1);
    assert_non_null(e);
    ps_shell_attach(e);
    drops = 0;
    ps_engine_set_sink(e, count_drops, NULL);
    ps_engine_run_until(e, 1000000);
    assert_int_equal(drops, 1);
    assert_int_equal(ps_engine_socket(e, ps_engine_named_socket(e, ps_scenario_sock(sc, "a")))->state, PS_ESTABLISHED);
    assert_int_equal(ps_engine_socket(e, ps_engine_named_socket(e, ps_scenario_sock(sc, "b")))->state, PS_SYN_SENT);
    char *got = ps_shell_exec(e, ps_scenario_host(sc, "home"), "conntrack -L");
    assert_non_null(strstr(got, "1 flow entries have been shown."));
    free(got);
    stop();
}

/* The lines measured on Linux (docs/reference/nat.md, "UDP"): no state
 * column, [UNREPLIED] until the answer, 30 s; 120 s and [ASSURED] for a
 * packet more than 2 s after the first once answered; `udp dport` in nft. */
static void conntrack_lists_udp_entries(void **state)
{
    (void)state;
    start_with("router home inside 192.168.1.1/24 outside 203.0.113.5 masquerade\n"
               "host laptop 192.168.1.10\nhost server 93.184.216.34\n"
               "link laptop home 1ms\nlink home server 20ms\n"
               "forward home udp 5353 to laptop:53\n"
               "proc server dns pid=53 user=root\nproc laptop dig pid=4242 user=alice\n"
               "at 0ms server dns udp bind 53 as d reply \"A 1.2.3.4\"\n"
               "at 100ms laptop dig udp connect 93.184.216.34:53 from 50000 as q\n"
               "at 110ms q send \"A example.com\"\n"
               "at 3s q send \"again\"\n");
#define UORIG "src=192.168.1.10 dst=93.184.216.34 sport=50000 dport=53"
#define UREPLY "src=93.184.216.34 dst=203.0.113.5 sport=53 dport=50000"
    ps_engine_run_until(e, 120000); /* the question crossed, no answer yet */
    expect_out("home", "conntrack -L",
               "udp      17 29 " UORIG " [UNREPLIED] " UREPLY " mark=0 use=1\n" LAST
               "1 flow entries have been shown.");
    ps_engine_run_until(e, 160000); /* answered at once: still 30 s, not assured */
    expect_out("home", "conntrack -L",
               "udp      17 29 " UORIG " " UREPLY " mark=0 use=1\n" LAST "1 flow entries have been shown.");
    ps_engine_run_until(e, 3100000); /* a second exchange, 2.9 s after the first: a stream */
    expect_out("home", "conntrack -L",
               "udp      17 119 " UORIG " " UREPLY " [ASSURED] mark=0 use=1\n" LAST
               "1 flow entries have been shown.");
    ps_engine_run_until(e, 200000000);
    expect_out("home", "conntrack -L", LAST "0 flow entries have been shown.");
    char *nft = ps_shell_exec(e, ps_scenario_host(sc, "home"), "nft list ruleset");
    assert_non_null(nft);
    assert_non_null(strstr(nft, "ip saddr != 192.168.1.0/24 ip daddr 203.0.113.5 udp dport 5353 dnat to 192.168.1.10:53\n"));
    free(nft);
#undef UORIG
#undef UREPLY
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conntrack_follows_the_connection),
        cmocka_unit_test(nft_lists_the_rules_verify_loads),
        cmocka_unit_test(a_full_table_drops_new_connections),
        cmocka_unit_test(conntrack_lists_udp_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
