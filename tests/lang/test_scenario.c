/* test_scenario.c — the scenario parser: the values every construct parses
 * to, the lexical rules (comments, strings, CRLF, BOM), lookups, OS
 * profiles, diagnostics, and the errors only a test can build (a huge line,
 * a huge file, a missing file). The one-error-per-file corpus is in
 * test_badinputs.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "load.h"

/* ---- helpers ---- */

static ps_scenario *parse_ok(const char *text)
{
    ps_diag d;
    char buf[1024];
    ps_scenario *sc = ps_scenario_parse(text, strlen(text), "t.scn", &d);
    if (sc == NULL) print_error("unexpected error: %s\n", ps_diag_format(&d, buf, sizeof buf));
    assert_non_null(sc);
    return sc;
}

/* Parses len bytes that must fail with exactly `want` (formatted). */
static void parse_fails_n(const char *text, size_t len, const char *want)
{
    ps_diag d;
    char got[1024];
    ps_scenario *sc = ps_scenario_parse(text, len, "t.scn", &d);
    if (sc != NULL) ps_scenario_free(sc);
    assert_null(sc);
    assert_string_equal(ps_diag_format(&d, got, sizeof got), want);
}

static void parse_fails(const char *text, const char *want)
{
    parse_fails_n(text, strlen(text), want);
}

#define HOSTS                                                                                      \
    "host laptop 192.0.2.10\n"                                                                     \
    "host server 93.184.216.34 10.0.0.1\n"                                                         \
    "link laptop server 20ms\n"                                                                    \
    "proc server nginx pid=812 user=root\n"                                                        \
    "proc laptop firefox pid=4242 user=alice\n"

/* ---- OS profiles and diagnostics ---- */

static void test_os_profiles(void **state)
{
    (void)state;
    static const struct {
        ps_os os;
        const char *name;
        uint16_t lo, hi;
    } want[] = {
        { PS_OS_LINUX, "linux", 32768, 60999 },
        { PS_OS_WINDOWS, "windows", 49152, 65535 },
        { PS_OS_MACOS, "macos", 49152, 65535 },
        { PS_OS_FREEBSD, "freebsd", 10000, 65535 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint16_t lo, hi, unpriv;
        ps_os_defaults(want[i].os, &lo, &hi, &unpriv);
        assert_string_equal(ps_os_name(want[i].os), want[i].name);
        assert_int_equal(lo, want[i].lo);
        assert_int_equal(hi, want[i].hi);
        assert_int_equal(unpriv, 1024);
    }
}

static void test_diag_format(void **state)
{
    (void)state;
    ps_diag d = { "a.scn", { 3, 7 }, "unknown host 'x'" };
    char buf[128];
    assert_string_equal(ps_diag_format(&d, buf, sizeof buf), "a.scn:3:7: error: unknown host 'x'");
    d.pos = (ps_pos){ 0, 0 };
    assert_string_equal(ps_diag_format(&d, buf, sizeof buf), "a.scn: error: unknown host 'x'");
    ps_diag_format(&d, buf, 8); /* truncates, stays terminated */
    assert_string_equal(buf, "a.scn: ");
}

/* ---- statements ---- */

static void test_minimal_scenario_defaults(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok("host a 10.0.0.1\n");
    assert_string_equal(sc->file, "t.scn");
    assert_null(sc->title);
    assert_int_equal(sc->seed, 1);
    assert_int_equal(sc->nhosts, 1);
    assert_int_equal(sc->nlinks + sc->nprocs + sc->nsocks + sc->nactions + sc->nexpects, 0);
    ps_scenario_free(sc);
}

static void test_title_and_seed(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok("title \"Two tabs, \\\"one\\\" server\\\\\\n\"\n"
                               "seed 18446744073709551615\nhost a 10.0.0.1\n");
    assert_string_equal(sc->title, "Two tabs, \"one\" server\\\n");
    assert_int_equal(sc->seed, UINT64_MAX);
    ps_scenario_free(sc);
}

static void test_host_fields(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok("host a 10.0.0.1\n"
                               "  host b 10.0.0.2 10.0.0.3 os=windows\n"
                               "host c 10.0.0.4 unpriv=80 ports=2000-2999 os=freebsd\n"
                               "host d 10.0.0.5 os=macos unpriv=0\n");
    assert_int_equal(sc->nhosts, 4);
    const ps_host_spec *a = &sc->hosts[0], *b = &sc->hosts[1], *c = &sc->hosts[2],
                       *d = &sc->hosts[3];
    assert_string_equal(a->name, "a");
    assert_int_equal(a->naddrs, 1);
    assert_int_equal(a->addrs[0], 0x0a000001);
    assert_int_equal(a->os, PS_OS_LINUX);
    assert_int_equal(a->eph_lo, 32768);
    assert_int_equal(a->eph_hi, 60999);
    assert_int_equal(a->unpriv_start, 1024);
    assert_int_equal(a->pos.line, 1);
    assert_int_equal(a->pos.col, 1);
    assert_int_equal(b->naddrs, 2);
    assert_int_equal(b->addrs[1], 0x0a000003);
    assert_int_equal(b->os, PS_OS_WINDOWS);
    assert_int_equal(b->eph_lo, 49152);
    assert_int_equal(b->pos.col, 3);
    assert_int_equal(c->os, PS_OS_FREEBSD);
    assert_int_equal(c->eph_lo, 2000);
    assert_int_equal(c->eph_hi, 2999);
    assert_int_equal(c->unpriv_start, 80);
    assert_int_equal(d->os, PS_OS_MACOS);
    assert_int_equal(d->eph_hi, 65535);
    assert_int_equal(d->unpriv_start, 0);
    ps_scenario_free(sc);
}

static void test_host_eight_addresses(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok("host big 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 "
                               "10.0.0.7 10.0.0.8\n");
    assert_int_equal(sc->hosts[0].naddrs, PS_MAX_HOST_ADDRS);
    assert_int_equal(sc->hosts[0].addrs[7], 0x0a000008);
    ps_scenario_free(sc);
}

static void test_link_and_proc(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(HOSTS "proc laptop python3.11 user=bob pid=4294967295\n");
    assert_int_equal(sc->nlinks, 1);
    assert_int_equal(sc->links[0].a, 0);
    assert_int_equal(sc->links[0].b, 1);
    assert_int_equal(sc->links[0].latency, 20000);
    assert_int_equal(sc->links[0].pos.line, 3);
    assert_int_equal(sc->nprocs, 3);
    assert_int_equal(sc->procs[0].host, 1);
    assert_string_equal(sc->procs[0].name, "nginx");
    assert_int_equal(sc->procs[0].pid, 812);
    assert_string_equal(sc->procs[0].user, "root");
    assert_string_equal(sc->procs[2].name, "python3.11");
    assert_string_equal(sc->procs[2].user, "bob");
    assert_int_equal(sc->procs[2].pid, UINT32_MAX);
    assert_int_equal(sc->procs[2].pos.line, 6);
    ps_scenario_free(sc);
}

static void test_same_pid_on_two_hosts(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(HOSTS "proc laptop sshd pid=812 user=root\n");
    assert_int_equal(sc->procs[2].pid, 812);
    ps_scenario_free(sc);
}

static void test_listen(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(
        HOSTS "at 0ms server nginx listen 443\n"
              "at 1.5s server 812 listen 10.0.0.1:8080 reuseaddr reply \"hi #1\" as web\n"
              "at 2s server nginx listen 443 reuseport\n");
    assert_int_equal(sc->nactions, 3);
    assert_true(sc->actions[2].reuseport);
    assert_false(sc->actions[2].reuseaddr);
    const ps_action *a = &sc->actions[0], *b = &sc->actions[1];
    assert_int_equal(a->kind, PS_ACT_LISTEN);
    assert_int_equal(a->t, 0);
    assert_int_equal(a->host, 1);
    assert_int_equal(a->proc, 0);
    assert_int_equal(a->sock, PS_NONE);
    assert_int_equal(a->addr, PS_ADDR_ANY);
    assert_int_equal(a->port, 443);
    assert_false(a->reuseaddr);
    assert_false(a->reuseport);
    assert_null(a->text);
    assert_int_equal(a->repeat, 1);
    assert_int_equal(a->pos.line, 6);
    assert_int_equal(a->pos.col, 1);
    assert_int_equal(b->t, 1500000);
    assert_int_equal(b->proc, 0);
    assert_int_equal(b->addr, 0x0a000001);
    assert_int_equal(b->port, 8080);
    assert_true(b->reuseaddr);
    assert_false(b->reuseport);
    assert_string_equal(b->text, "hi #1");
    assert_int_equal(sc->nsocks, 1);
    assert_int_equal(b->sock, 0);
    assert_string_equal(sc->socks[0].name, "web");
    assert_int_equal(sc->socks[0].action, 1);
    assert_int_equal(sc->socks[0].pos.line, 7);
    assert_int_equal(sc->socks[0].pos.col, 68);
    ps_scenario_free(sc);
}

static void test_connect_targets(void **state)
{
    (void)state;
    static const struct {
        const char *target;
        ps_addr addr;
        uint16_t port;
    } cases[] = {
        { "93.184.216.34:443", 0x5db8d822, 443 },
        { "server:8080", 0x5db8d822, 8080 },
        { "http://93.184.216.34", 0x5db8d822, 80 },
        { "https://93.184.216.34", 0x5db8d822, 443 },
        { "https://server:8443/index.html?q=1", 0x5db8d822, 8443 },
        { "http://server/path", 0x5db8d822, 80 },
        { "198.51.100.7:22", 0xc6336407, 22 }, /* nobody's address: the run decides */
        { "localhost:3000", PS_ADDR_LOOPBACK, 3000 },       /* as /etc/hosts has it */
        { "http://localhost", PS_ADDR_LOOPBACK, 80 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, HOSTS "at 5ms laptop firefox connect %s\n", cases[i].target);
        ps_scenario *sc = parse_ok(text);
        const ps_action *a = &sc->actions[0];
        assert_int_equal(a->kind, PS_ACT_CONNECT);
        assert_int_equal(a->host, 0);
        assert_int_equal(a->proc, 1);
        assert_string_equal(a->target, cases[i].target);
        assert_int_equal(a->addr, cases[i].addr);
        assert_int_equal(a->port, cases[i].port);
        assert_int_equal(a->from_port, 0);
        assert_int_equal(a->repeat, 1);
        assert_int_equal(a->every, 0);
        ps_scenario_free(sc);
    }
}

static void test_connect_options(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(
        HOSTS "at 0ms server nginx listen 443\n"
              "at 100ms laptop firefox connect server:443 as tab2 from 52337\n"
              "at 200ms laptop 4242 connect server:443 repeat 2000000 every 20us from 9\n");
    const ps_action *a = &sc->actions[1], *b = &sc->actions[2];
    assert_int_equal(a->from_port, 52337);
    assert_int_equal(a->sock, 0);
    assert_string_equal(sc->socks[0].name, "tab2");
    assert_int_equal(b->repeat, PS_MAX_REPEAT);
    assert_int_equal(b->every, 20);
    assert_int_equal(b->from_port, 9);
    assert_int_equal(b->sock, PS_NONE);
    ps_scenario_free(sc);
}

static void test_send_close_kill_shell_say(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(HOSTS "at 0ms server nginx listen 443\n"
                                     "at 100ms laptop firefox connect server:443 as tab1\n"
                                     "at 100ms tab1 send \"GET / HTTP/1.1\\n\"\n"
                                     "say 2min \"caption\"\n"
                                     "at 2min tab1 close\n"
                                     "at 3min server kill 99999\n"
                                     "at 3min laptop shell \"ss -tn # all\"\n");
    assert_int_equal(sc->nactions, 7);
    const ps_action *send = &sc->actions[2], *say = &sc->actions[3], *close = &sc->actions[4];
    const ps_action *kill = &sc->actions[5], *shell = &sc->actions[6];
    assert_int_equal(send->kind, PS_ACT_SEND);
    assert_int_equal(send->sock, 0);
    assert_int_equal(send->host, PS_NONE);
    assert_int_equal(send->proc, PS_NONE);
    assert_string_equal(send->text, "GET / HTTP/1.1\n");
    assert_int_equal(say->kind, PS_ACT_SAY);
    assert_int_equal(say->t, 120000000);
    assert_string_equal(say->text, "caption");
    assert_int_equal(say->host, PS_NONE);
    assert_int_equal(close->kind, PS_ACT_CLOSE);
    assert_int_equal(close->sock, 0);
    assert_null(close->text);
    assert_int_equal(kill->kind, PS_ACT_KILL);
    assert_int_equal(kill->host, 1);
    assert_int_equal(kill->pid, 99999);
    assert_int_equal(shell->kind, PS_ACT_SHELL);
    assert_int_equal(shell->host, 0);
    assert_string_equal(shell->text, "ss -tn # all");
    ps_scenario_free(sc);
}

static void test_expect_forms(void **state)
{
    (void)state;
    ps_scenario *sc =
        parse_ok("expect 200ms tab2 established   # checked at 200ms\n"
                 "expect tab1 errno EADDRINUSE\n"
                 "expect tab1 ok\n"
                 "expect tab1.sport != tab2.sport\n"
                 "expect 1s tab1.dport >= 443\n"
                 "expect tab1.tuple == tab2.tuple\n"
                 "expect 2s server established count 10000\n"
                 "expect server port 443 listening\n"
                 "expect laptop port 9 free\n"
                 "expect server port 80 used\n"
                 "expect 3s tuples distinct\n"
                 "expect tab1.saddr == 192.0.2.10\n"
                 "expect tab1.daddr != tab2.saddr\n"
                 "expect tab1.daddr == localhost\n" HOSTS "at 0ms server nginx listen 443\n"
                 "at 100ms laptop firefox connect server:443 as tab1\n"
                 "at 150ms laptop firefox connect server:443 as tab2\n");
    assert_int_equal(sc->nexpects, 14);
    const ps_expect *e = sc->expects;
    assert_int_equal(e[0].kind, PS_EXP_STATE);
    assert_true(e[0].has_time);
    assert_int_equal(e[0].t, 200000);
    assert_int_equal(e[0].sock, 1);
    assert_int_equal(e[0].state, PS_ESTABLISHED);
    assert_string_equal(e[0].text, "200ms tab2 established");
    assert_int_equal(e[0].pos.line, 1);
    assert_int_equal(e[1].kind, PS_EXP_ERRNO);
    assert_false(e[1].has_time);
    assert_int_equal(e[1].err, PS_EADDRINUSE);
    assert_int_equal(e[2].kind, PS_EXP_ERRNO);
    assert_int_equal(e[2].err, PS_OK);
    assert_int_equal(e[3].kind, PS_EXP_COMPARE);
    assert_int_equal(e[3].sock, 0);
    assert_int_equal(e[3].field, PS_FIELD_SPORT);
    assert_int_equal(e[3].cmp, PS_CMP_NE);
    assert_int_equal(e[3].rsock, 1);
    assert_int_equal(e[3].rfield, PS_FIELD_SPORT);
    assert_string_equal(e[3].text, "tab1.sport != tab2.sport");
    assert_int_equal(e[4].field, PS_FIELD_DPORT);
    assert_int_equal(e[4].cmp, PS_CMP_GE);
    assert_int_equal(e[4].rsock, PS_NONE);
    assert_int_equal(e[4].value, 443);
    assert_int_equal(e[4].t, 1000000);
    assert_int_equal(e[5].field, PS_FIELD_TUPLE);
    assert_int_equal(e[5].rfield, PS_FIELD_TUPLE);
    assert_int_equal(e[5].cmp, PS_CMP_EQ);
    assert_int_equal(e[6].kind, PS_EXP_COUNT);
    assert_int_equal(e[6].host, 1);
    assert_int_equal(e[6].state, PS_ESTABLISHED);
    assert_int_equal(e[6].value, 10000);
    assert_int_equal(e[7].kind, PS_EXP_PORT);
    assert_int_equal(e[7].host, 1);
    assert_int_equal(e[7].port, 443);
    assert_int_equal(e[7].port_state, PS_PORT_LISTENING);
    assert_int_equal(e[8].host, 0);
    assert_int_equal(e[8].port_state, PS_PORT_FREE);
    assert_int_equal(e[9].port_state, PS_PORT_USED);
    assert_int_equal(e[10].kind, PS_EXP_DISTINCT);
    assert_int_equal(e[10].t, 3000000);
    assert_string_equal(e[10].text, "3s tuples distinct");
    assert_int_equal(e[11].field, PS_FIELD_SADDR);
    assert_int_equal(e[11].rsock, PS_NONE);
    assert_int_equal(e[11].value, 0xC000020Au); /* 192.0.2.10 */
    assert_int_equal(e[12].field, PS_FIELD_DADDR);
    assert_int_equal(e[12].rfield, PS_FIELD_SADDR);
    assert_int_equal(e[12].cmp, PS_CMP_NE);
    assert_int_equal(e[13].value, PS_ADDR_LOOPBACK); /* localhost */
    for (int i = 0; i < 11; i++) {
        if (e[i].kind != PS_EXP_PORT && e[i].kind != PS_EXP_COUNT)
            assert_int_equal(e[i].host, PS_NONE);
        if (e[i].kind != PS_EXP_COMPARE) assert_int_equal(e[i].rsock, PS_NONE);
    }
    ps_scenario_free(sc);
}

static void test_comparison_operators(void **state)
{
    (void)state;
    static const char *ops[] = { "==", "!=", "<", "<=", ">", ">=" };
    for (int i = 0; i < 6; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 HOSTS "at 0ms laptop firefox connect server:1 as s\nexpect s.sport %s 5\n",
                 ops[i]);
        ps_scenario *sc = parse_ok(text);
        assert_int_equal(sc->expects[0].cmp, (ps_cmp)i);
        ps_scenario_free(sc);
    }
}

/* ---- names and time ---- */

static void test_send_at_creation_time_is_allowed(void **state)
{
    (void)state;
    /* The socket is named on a later line but at the same instant. */
    ps_scenario *sc = parse_ok(HOSTS "at 100ms tab1 close\n"
                                     "at 100ms laptop firefox connect server:443 as tab1\n");
    assert_int_equal(sc->actions[0].sock, 0);
    assert_int_equal(sc->socks[0].action, 1);
    ps_scenario_free(sc);
}

static void test_ambiguous_process_by_pid(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(HOSTS "proc laptop node pid=5001 user=alice\n"
                                     "proc laptop node pid=5002 user=alice\n"
                                     "at 0ms laptop 5002 listen 3000\n");
    assert_int_equal(sc->actions[0].proc, 3);
    ps_scenario_free(sc);
}

static void test_time_may_repeat(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(HOSTS "say 1s \"a\"\nsay 1s \"b\"\nat 1000ms server kill 5\n");
    assert_int_equal(sc->nactions, 3);
    ps_scenario_free(sc);
}

static void test_lookups(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok(HOSTS "at 0ms server nginx listen 443 as web\n");
    assert_int_equal(ps_scenario_host(sc, "server"), 1);
    assert_int_equal(ps_scenario_host(sc, "serve"), PS_NONE);
    assert_int_equal(ps_scenario_sock(sc, "web"), 0);
    assert_int_equal(ps_scenario_sock(sc, "server"), PS_NONE);
    assert_int_equal(ps_scenario_host_by_addr(sc, 0x0a000001), 1);
    assert_int_equal(ps_scenario_host_by_addr(sc, 0xc000020a), 0);
    assert_int_equal(ps_scenario_host_by_addr(sc, PS_ADDR_LOOPBACK), PS_NONE);
    assert_int_equal(ps_scenario_host_by_addr(sc, 0x01020304), PS_NONE);
    ps_scenario_free(sc);
    ps_scenario_free(NULL);
}

/* ---- lexical rules ---- */

static void test_comments_blank_lines_and_tabs(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok("# a lesson\n\n   \t\n\thost\ta\t10.0.0.1 # the only host\n"
                               "say 0ms \"# not a comment\"#comment\n");
    assert_int_equal(sc->nhosts, 1);
    assert_string_equal(sc->actions[0].text, "# not a comment");
    ps_scenario_free(sc);
}

static void test_crlf_and_bom_are_accepted(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBFtitle \"crlf\"\r\nhost a 10.0.0.1\r\n\r\nsay 1s \"x\"\r\n"
                       "expect a port 80 free\r\n";
    ps_scenario *sc = parse_ok(text);
    assert_string_equal(sc->title, "crlf");
    assert_string_equal(sc->actions[0].text, "x");
    assert_string_equal(sc->expects[0].text, "a port 80 free");
    ps_scenario_free(sc);
    /* Columns on the first line count from after the BOM. */
    parse_fails(
        "\xEF\xBB\xBFhots a 1.2.3.4\r\n",
        "t.scn:1:1: error: unknown statement 'hots'; expected title, seed, host, link, proc, "
        "at, say, expect, ask, router or forward (did you mean 'host'?)");
    parse_fails("host a 10.0.0.1\r\nsay 1s \"x\" y\r\n",
                "t.scn:2:12: error: unexpected 'y' after '\"x\"'");
}

static void test_crlf_file_on_disk(void **state)
{
    (void)state;
    char path[] = "/tmp/portsim-crlf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "\xEF\xBB\xBFhost a 10.0.0.1\r\nhost b 10.0.0.2\r\nlink a b 1ms\r\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    ps_diag d;
    ps_scenario *sc = ps_scenario_load(path, &d);
    unlink(path);
    assert_non_null(sc);
    assert_int_equal(sc->nlinks, 1);
    assert_string_equal(sc->hosts[1].name, "b");
    ps_scenario_free(sc);
}

static void test_text_errors(void **state)
{
    (void)state;
    parse_fails("host a 10.0.0.1\nsay 1s \"x\ry\"\n",
                "t.scn:2:10: error: file is not text (byte 0x0d at this position)");
    parse_fails("host a 10.0.0.1\n\x01",
                "t.scn:2:1: error: file is not text (byte 0x01 at this position)");
    parse_fails("host a 10.0.0.1\nsay 1s \"\xC0\xAF\"\n", /* overlong '/' */
                "t.scn:2:9: error: file is not text (byte 0xc0 at this position)");
    parse_fails("host a 10.0.0.1\nsay 1s \"\xED\xA0\x80\"\n", /* a UTF-16 surrogate */
                "t.scn:2:9: error: file is not text (byte 0xed at this position)");
    parse_fails_n("host a 10.0.0.1\nsay 1s \"\xE2\x82", 26,
                  "t.scn:2:9: error: file is not text (byte 0xe2 at this position)");
    /* Valid UTF-8 is just text. */
    ps_scenario *sc = parse_ok("host a 10.0.0.1\nsay 0ms \"\xE2\x82\xAC \xF0\x9F\x98\x80\"\n");
    assert_string_equal(sc->actions[0].text, "\xE2\x82\xAC \xF0\x9F\x98\x80");
    ps_scenario_free(sc);
}

static void test_string_errors(void **state)
{
    (void)state;
    parse_fails("host a 10.0.0.1\nsay 1s \"a\\\"\n",
                "t.scn:2:8: error: unterminated string: expected a closing '\"' on the same line");
    parse_fails("host a 10.0.0.1\nsay 1s \"a\\\n",
                "t.scn:2:8: error: unterminated string: expected a closing '\"' on the same line");
    parse_fails(
        "host a 10.0.0.1\nsay 1s \"\\\xC3\xA9\"\n",
        "t.scn:2:9: error: unknown escape '\\\xC3\xA9' in a string; expected \\\", \\\\ or \\n");
}

static void test_line_length_limit(void **state)
{
    (void)state;
    /* 4096 bytes is fine; one more is not. */
    char *text = malloc(5000 + 32);
    assert_non_null(text);
    size_t n = (size_t)sprintf(text, "host a 10.0.0.1\n#");
    memset(text + n, 'x', 4095);
    strcpy(text + n + 4095, "\r\n");
    ps_scenario *sc = parse_ok(text);
    ps_scenario_free(sc);
    memset(text + n, 'x', 4900);
    strcpy(text + n + 4900, "\r\nhost b 10.0.0.2\n");
    parse_fails(text, "t.scn:2:4097: error: line is too long (4901 bytes; the limit is 4096)");
    free(text);
}

/* Loads the temporary file at path (removing it) and checks that loading
 * fails with want_fmt, whose one %s is the path. */
static void load_fails(const char *path, const char *want_fmt)
{
    ps_diag d;
    char got[1024], want[1024];
    ps_scenario *sc = ps_scenario_load(path, &d);
    unlink(path);
    assert_null(sc);
    snprintf(want, sizeof want, want_fmt, path);
    assert_string_equal(ps_diag_format(&d, got, sizeof got), want);
}

static void test_huge_line_file(void **state)
{
    (void)state;
    /* A 10 MB line, made at run time rather than committed. */
    char path[] = "/tmp/portsim-long-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs("host a 10.0.0.1\nsay 0ms \"", f);
    for (int i = 0; i < 10 * 1000 * 1000 / 64; i++)
        fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", f);
    fputs("\"\n", f);
    fclose(f);
    load_fails(path, "%s:2:4097: error: line is too long (10000010 bytes; the limit is 4096)");
}

static void test_file_too_large(void **state)
{
    (void)state;
    char path[] = "/tmp/portsim-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, PS_MAX_FILE_BYTES + 1), 0); /* sparse: no real 16 MiB */
    close(fd);
    load_fails(path, "%s: error: file is too large (the limit is 16 MiB)");
}

static void test_missing_file_and_directory(void **state)
{
    (void)state;
    ps_diag d;
    char got[1024];
    assert_null(ps_scenario_load("tests/no-such-file.scn", &d));
    assert_int_equal(d.pos.line, 0);
    assert_string_equal(
        ps_diag_format(&d, got, sizeof got),
        "tests/no-such-file.scn: error: cannot open file: No such file or directory");
    assert_null(ps_scenario_load("/tmp", &d));
    assert_string_equal(ps_diag_format(&d, got, sizeof got),
                        "/tmp: error: cannot read file: Is a directory");
}

static void test_parse_without_file_name(void **state)
{
    (void)state;
    ps_diag d;
    char got[256];
    assert_null(ps_scenario_parse(NULL, 0, NULL, &d));
    assert_string_equal(ps_diag_format(&d, got, sizeof got),
                        "<input>:1:1: error: empty scenario: expected at least one 'host' line");
}

/* ---- more errors, with their exact position ---- */

static void test_error_positions(void **state)
{
    (void)state;
    parse_fails(
        HOSTS "at 0ms server nginx listen\n",
        "t.scn:6:27: error: expected a port to listen on, like 443 or 10.0.0.1:8080, found end of line");
    parse_fails(HOSTS "at 0ms server nginx listen 10.0.0.1:\n",
                "t.scn:6:37: error: expected a number for the port");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:http\n",
                "t.scn:6:38: error: expected a number for the port, found 'http'");
    parse_fails(
        HOSTS "at 0ms laptop firefox connect https://:99\n",
        "t.scn:6:39: error: expected an address or a host name in the target 'https://:99'");
    parse_fails(HOSTS "at 0ms laptop firefox connect http://server:0/\n",
                "t.scn:6:45: error: port 0 is out of range (1 to 65535)");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:1 repeat 2 every\n",
                "t.scn:6:54: error: expected a time like 150ms, found end of line");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:1 as a as b\n",
                "t.scn:6:45: error: 'as' is given twice");
    parse_fails(HOSTS "proc laptop curl pid=1 pid=2 user=x\n",
                "t.scn:6:24: error: 'pid=' is given twice");
    parse_fails(HOSTS "proc laptop curl pid= user=x\n",
                "t.scn:6:22: error: expected a value after 'pid='");
    parse_fails(HOSTS "proc laptop curl pid=0x10 user=x\n",
                "t.scn:6:22: error: expected a number for the pid, found '0x10'");
    parse_fails(
        HOSTS "proc laptop curl pid=5 user=-x\n",
        "t.scn:6:29: error: bad user name '-x': a name starts with a letter or '_' and goes on with "
        "letters, digits, '_', '-' or '.'");
    parse_fails("host a 10.0.0.1 ports=1000\n",
                "t.scn:1:23: error: bad port range '1000': expected LO-HI, like ports=32768-60999");
    parse_fails(
        "host a 10.0.0.1\nhost 9b 10.0.0.2\n",
        "t.scn:2:6: error: bad host name '9b': a name starts with a letter or '_' and goes on with "
        "letters, digits, '_' or '-'");
    parse_fails("host a 10.0.0.1\nhost b 10.0.0.2 \"x\"\n",
                "t.scn:2:17: error: unexpected '\"x\"' after '10.0.0.2'");
    parse_fails("host a 10.0.0.1\nseed -1\n",
                "t.scn:2:6: error: expected a number for the seed, found '-1'");
    parse_fails("host a 10.0.0.1\nseed 1\nseed 2\n",
                "t.scn:3:1: error: seed is given twice (first on line 2)");
    parse_fails("host a 10.0.0.1\ntitle x\n",
                "t.scn:2:7: error: expected a title in double quotes, found 'x'");
    parse_fails(
        "\"host\" a\n",
        "t.scn:1:1: error: expected statement (title, seed, host, link, proc, at, say, expect, ask, router or forward), found "
        "'\"host\"'");
    parse_fails("host a 10.0.0.1\nhost b 10.0.0.2\nat 1s b kill\n",
                "t.scn:3:13: error: expected a number for the pid, found end of line");
    parse_fails("host a 10.0.0.1\nat 1s a shell ls\n",
                "t.scn:2:15: error: expected a command in double quotes, found 'ls'");
    parse_fails(
        "host a 10.0.0.1\nat 1.0000001s a kill 3\n",
        "t.scn:2:4: error: bad time '1.0000001s': expected a number and a unit (us, ms, s or min), like "
        "150ms or 1.5s");
    parse_fails("host a 10.0.0.1\nexpect\n",
                "t.scn:2:7: error: expected a socket, a host or 'tuples', found end of line");
    parse_fails(
        "host a 10.0.0.1\nexpect a port 80\n",
        "t.scn:2:17: error: expected port state (free, listening or used), found end of line");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:1 as s\nexpect s.sport < t.sport\n",
                "t.scn:7:18: error: unknown socket 't' (did you mean 's'?)");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:1 as s\nexpect s.sport < s\n",
                "t.scn:7:18: error: expected SOCKET.FIELD or a number, found 's'");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:1 as s\nexpect s.sport == s.tuple\n",
                "t.scn:7:19: error: a tuple can only be compared with another tuple");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:1 as s\nexpect s.sport == 65536\n",
                "t.scn:7:19: error: value 65536 is out of range (0 to 65535)");
    parse_fails(HOSTS "at 0ms laptop firefox connect server:1 as s\nexpect s ok now\n",
                "t.scn:7:13: error: unexpected 'now' after 'ok'");
    parse_fails(
        HOSTS "at 0ms laptop firefox connect server:1 as s\nexpect 1s s ok\n",
        "t.scn:7:8: error: 'ok' takes no time: it checks the result of the operation that created the socket");
    parse_fails(HOSTS "at 1s nobody send \"x\"\n", "t.scn:6:7: error: unknown socket 'nobody'");
    parse_fails(HOSTS "at 1s laptop\n",
                "t.scn:6:13: error: expected a process name or pid, found end of line");
}

static void test_later_host_is_not_a_socket(void **state)
{
    (void)state;
    /* `at T X send` where X only becomes a host later: X is no socket. */
    parse_fails("host a 10.0.0.1\nat 1s b send \"x\"\nhost b 10.0.0.2\n",
                "t.scn:2:7: error: unknown socket 'b'");
    /* A socket named before a host takes the name. */
    parse_fails(
        "host a 10.0.0.1\nproc a p pid=1 user=u\nat 0ms a p listen 1 as b\nhost b 10.0.0.2\n",
        "t.scn:4:6: error: name 'b' is already used by a socket (line 3)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_os_profiles),
        cmocka_unit_test(test_diag_format),
        cmocka_unit_test(test_minimal_scenario_defaults),
        cmocka_unit_test(test_title_and_seed),
        cmocka_unit_test(test_host_fields),
        cmocka_unit_test(test_host_eight_addresses),
        cmocka_unit_test(test_link_and_proc),
        cmocka_unit_test(test_same_pid_on_two_hosts),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_connect_targets),
        cmocka_unit_test(test_connect_options),
        cmocka_unit_test(test_send_close_kill_shell_say),
        cmocka_unit_test(test_expect_forms),
        cmocka_unit_test(test_comparison_operators),
        cmocka_unit_test(test_send_at_creation_time_is_allowed),
        cmocka_unit_test(test_ambiguous_process_by_pid),
        cmocka_unit_test(test_time_may_repeat),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_comments_blank_lines_and_tabs),
        cmocka_unit_test(test_crlf_and_bom_are_accepted),
        cmocka_unit_test(test_crlf_file_on_disk),
        cmocka_unit_test(test_text_errors),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_line_length_limit),
        cmocka_unit_test(test_huge_line_file),
        cmocka_unit_test(test_file_too_large),
        cmocka_unit_test(test_missing_file_and_directory),
        cmocka_unit_test(test_parse_without_file_name),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test(test_later_host_is_not_a_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
