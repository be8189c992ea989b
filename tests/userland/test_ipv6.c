/* test_ipv6.c — IPv6 and dual stack end to end: the text forms of an IPv6
 * address (RFC 4291 in, RFC 5952 out), the scenario language's IPv6 words,
 * the bind-conflict rules between IPv4, IPv6 and dual-stack sockets as
 * measured on Linux (docs/reference/ipv6.md), which listener takes an IPv4
 * or IPv6 connection, and what ss, lsof and netstat print for them. */
#include "shell_fixture.h"
#include "engine_view.h"

/* ---- text forms ---- */

static void canon(const char *in, const char *want)
{
    ps_in6 a;
    const char *why = NULL;
    if (!ps_in6_parse(in, strlen(in), &a, &why)) fail_msg("'%s' rejected: %s", in, why);
    char buf[PS_IN6_STRLEN];
    if (strcmp(ps_in6_str(&a, buf), want) != 0) fail_msg("'%s' printed '%s', want '%s'", in, buf, want);
}

static void rejected(const char *in)
{
    ps_in6 a;
    const char *why = NULL;
    if (ps_in6_parse(in, strlen(in), &a, &why)) fail_msg("'%s' was accepted", in);
    assert_non_null(why);
}

static void test_in6_text(void **state)
{
    (void)state;
    canon("::", "::");
    canon("::1", "::1");
    canon("0:0:0:0:0:0:0:1", "::1");
    canon("2001:DB8::1", "2001:db8::1");                          /* lowercase */
    canon("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"); /* no leading zeros */
    canon("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");             /* first of two equal runs */
    canon("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");          /* one zero group stays */
    canon("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");                   /* the longest run */
    canon("1::", "1::");
    canon("::ffff:192.0.2.128", "::ffff:192.0.2.128");
    canon("::ffff:c000:280", "::ffff:192.0.2.128");               /* mapped: dotted tail */
    canon("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
    canon("fe80::1", "fe80::1");
    canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    rejected("");
    rejected(":");
    rejected(":1::");
    rejected("1:::2");
    rejected("1::2::3");
    rejected("1:2:3:4:5:6:7");
    rejected("1:2:3:4:5:6:7:8:9");
    rejected("1::2:3:4:5:6:7:8");
    rejected("12345::1");
    rejected("g::1");
    rejected("fe80::1%eth0");
    rejected("::ffff:192.0.2");
    rejected("::192.0.2.1:1");
    rejected("1:");
}

/* ---- scenarios ---- */

static void bad(const char *text, const char *want)
{
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, strlen(text), "bad.scn", &d);
    char buf[1024];
    if (sc) {
        ps_scenario_free(sc);
        fail_msg("accepted:\n%s", text);
    }
    ps_diag_format(&d, buf, sizeof buf);
    if (!strstr(buf, want)) fail_msg("error '%s' lacks '%s'", buf, want);
}

#define HOST6 "host box 192.0.2.80 192.0.2.81 2001:db8::80 2001:db8::81\nproc box srv pid=10 user=root\n"

static void test_language_errors(void **state)
{
    (void)state;
    bad(HOST6 "at 0ms box srv listen 2001:db8::80:3000\n", "bad.scn:3:23: error: write an IPv6 address in brackets");
    bad(HOST6 "at 0ms box srv listen [2001:db8::80:3000\n", "no ']' closing");
    bad(HOST6 "at 0ms box srv listen [2001:db8::80]\n", "expected ':PORT'");
    bad(HOST6 "at 0ms box srv listen [2001:db8:::80]:1\n", "bad IPv6 address '2001:db8:::80'");
    bad(HOST6 "at 0ms box srv listen 3000 v6only\n", "v6only is for an IPv6 socket");
    bad(HOST6 "at 0ms box srv listen [::ffff:192.0.2.80]:3000 v6only\n", "cannot use an IPv4-mapped address");
    bad(HOST6 "at 0ms box srv connect [::ffff:192.0.2.80]:80\n", "IPv4 address itself");
    bad(HOST6 "at 0ms box srv connect [::]:80\n", ":: is the wildcard");
    bad("host a 2001:db8::1\n", "IPv4 address first");
    bad("host a 192.0.2.1 ::1\n", "every host has ::1");
    bad("host a 192.0.2.1 ::\n", ":: is the wildcard");
    bad("host a 192.0.2.1 fe80::1\n", "link-local");
    bad("host a 192.0.2.1 ::ffff:192.0.2.1\n", "IPv4 address in IPv6 form");
    bad("host a 192.0.2.1 2001:db8::1\nhost b 192.0.2.2 2001:DB8::1\n", "already belongs to host 'a'");
    bad("host a 192.0.2.1\nhost b 192.0.2.2 2001:db8::2\nlink a b 1ms\nproc a c pid=1 user=u\n"
        "at 0ms a c connect [2001:db8::2]:80\n", "host 'a' has no IPv6 address");
    bad("host a 0.1.2.3\n", "0.0.0.0/8");
}

/* The bind specs of docs/reference/ipv6.md's table, as listen words. */
static const char *const specs[] = {
    "0.0.0.0:P",            "192.0.2.80:P",           "127.0.0.1:P",        "127.0.0.6:P",
    "[::]:P",               "[::]:P v6only",          "[2001:db8::80]:P",   "[2001:db8::80]:P v6only",
    "[2001:db8::81]:P",     "[::ffff:192.0.2.80]:P",  "[::ffff:192.0.2.81]:P", "[::1]:P",
    "[::1]:P v6only",
};
#define NSPECS (sizeof specs / sizeof specs[0])

/* The measured table (first listening, second binding the same port):
 * 1 = EADDRINUSE. Row: first; column: second. */
static const char conflict[NSPECS][NSPECS + 1] = {
    "1111100001100", /* 0.0.0.0 */
    "1100100001000", /* 192.0.2.80 */
    "1010100000000", /* 127.0.0.1 */
    "1001100000000", /* 127.0.0.6 */
    "1111111111111", /* [::] */
    "0000111110011", /* [::] v6only */
    "0000111100000", /* [2001:db8::80] */
    "0000111100000", /* [2001:db8::80] v6only */
    "0000110010000", /* [2001:db8::81] */
    "1100100001000", /* [::ffff:192.0.2.80] */
    "1000100000100", /* [::ffff:192.0.2.81] */
    "0000110000011", /* [::1] */
    "0000110000011", /* [::1] v6only */
};

static void listen_words(char *out, size_t n, const char *spec, unsigned port, const char *extra)
{
    const char *p = strstr(spec, "P");
    snprintf(out, n, "%.*s%u%s%s", (int)(p - spec), spec, port, p + 1, extra);
}

static void test_bind_conflicts(void **state)
{
    (void)state;
    for (int reuse = 0; reuse < 2; reuse++) {
        for (size_t i = 0; i < NSPECS; i++) {
            for (size_t j = 0; j < NSPECS; j++) {
                char text[1024], a[64], b[64];
                const char *opt = reuse ? " reuseaddr" : "";
                listen_words(a, sizeof a, specs[i], 3000, opt);
                listen_words(b, sizeof b, specs[j], 3000, opt);
                snprintf(text, sizeof text, HOST6 "at 0ms box srv listen %s as first\nat 1ms box srv listen %s as second\n", a, b);
                world *w = start(text, 2);
                ps_errno e1 = ps_engine_named_error(w->e, ps_scenario_sock(w->sc, "first"));
                ps_errno e2 = ps_engine_named_error(w->e, ps_scenario_sock(w->sc, "second"));
                if (e1 != PS_OK) fail_msg("%s alone failed: %s", a, ps_errno_name(e1));
                /* SO_REUSEADDR on both does not help against a listener. */
                ps_errno want = conflict[i][j] == '1' ? PS_EADDRINUSE : PS_OK;
                if (e2 != want)
                    fail_msg("listen %s, then %s: got %s, measured %s", a, b, ps_errno_name(e2),
                             ps_errno_name(want));
                finish(w);
            }
        }
    }
}

/* Which listener takes what (docs/reference/ipv6.md, "Which listener"). */
#define TWO_HOSTS                                                     \
    "host laptop 192.0.2.10 2001:db8::10\n"                           \
    "host server 192.0.2.80 2001:db8::80\n"                           \
    "link laptop server 10ms\n"                                       \
    "proc server srv pid=10 user=root\n"                              \
    "proc laptop cli pid=20 user=alice\n"

static const char *accepted_by(world *w, const char *conn)
{
    uint32_t s = ps_engine_named_socket(w->e, ps_scenario_sock(w->sc, conn));
    if (s == PS_NONE) return "refused";
    const ps_socket *c = ps_engine_socket(w->e, s);
    for (uint32_t i = 0; i < ps_engine_socket_slots(w->e); i++) {
        const ps_socket *k = ps_engine_socket(w->e, i);
        if (!k->live || !(k->flags & PS_SOCK_ACCEPTED) || k->raddr != c->laddr || k->rport != c->lport)
            continue;
        const ps_socket *l = ps_engine_socket(w->e, k->listener);
        return w->sc->socks[l->name].name;
    }
    return "nobody";
}

static void test_which_listener(void **state)
{
    (void)state;
    world *w = start(TWO_HOSTS "at 0ms server srv listen [::]:3000 as dual\n"
                               "at 1ms laptop cli connect 192.0.2.80:3000 as c4\n"
                               "at 1ms laptop cli connect [2001:db8::80]:3000 as c6\n",
                     100);
    assert_string_equal(accepted_by(w, "c4"), "dual");
    assert_string_equal(accepted_by(w, "c6"), "dual");
    finish(w);
    w = start(TWO_HOSTS "at 0ms server srv listen [::]:3000 v6only as v6\n"
                        "at 1ms laptop cli connect 192.0.2.80:3000 as c4\n"
                        "at 1ms laptop cli connect [2001:db8::80]:3000 as c6\n",
              100);
    assert_int_equal(ps_engine_named_error(w->e, ps_scenario_sock(w->sc, "c4")), PS_ECONNREFUSED);
    assert_string_equal(accepted_by(w, "c6"), "v6");
    finish(w);
    w = start(TWO_HOSTS "at 0ms server srv listen 3000 as v4\n"
                        "at 0ms server srv listen [::]:3000 v6only as v6\n"
                        "at 1ms laptop cli connect 192.0.2.80:3000 as c4\n"
                        "at 1ms laptop cli connect [2001:db8::80]:3000 as c6\n",
              100);
    assert_string_equal(accepted_by(w, "c4"), "v4");
    assert_string_equal(accepted_by(w, "c6"), "v6");
    finish(w);
    /* A mapped address takes IPv4 only; a specific IPv6 one, IPv6 only. */
    w = start(TWO_HOSTS "at 0ms server srv listen [::ffff:192.0.2.80]:3000 as m\n"
                        "at 0ms server srv listen [2001:db8::80]:3000 as x\n"
                        "at 1ms laptop cli connect 192.0.2.80:3000 as c4\n"
                        "at 1ms laptop cli connect [2001:db8::80]:3000 as c6\n",
              100);
    assert_string_equal(accepted_by(w, "c4"), "m");
    assert_string_equal(accepted_by(w, "c6"), "x");
    finish(w);
    /* With SO_REUSEPORT both an AF_INET and a dual-stack socket hold
     * 0.0.0.0:3000: the AF_INET one wins an IPv4 SYN (compute_score). */
    w = start(TWO_HOSTS "at 0ms server srv listen [::]:3000 reuseport as dual\n"
                        "at 0ms server srv listen 3000 reuseport as v4\n"
                        "at 1ms laptop cli connect 192.0.2.80:3000 as c4\n"
                        "at 1ms laptop cli connect [2001:db8::80]:3000 as c6\n",
              100);
    assert_string_equal(accepted_by(w, "c4"), "v4");
    assert_string_equal(accepted_by(w, "c6"), "dual");
    finish(w);
}

/* A one-port range serves an IPv4 and an IPv6 connection at once: the
 * families share the port, not the 4-tuple (measured: both got 40000). */
static void test_ephemeral_shared(void **state)
{
    (void)state;
    world *w = start("host laptop 192.0.2.10 2001:db8::10 ports=40000-40000\n"
                     "host server 192.0.2.80 2001:db8::80\n"
                     "link laptop server 10ms\n"
                     "proc server srv pid=10 user=root\n"
                     "proc laptop cli pid=20 user=alice\n"
                     "at 0ms server srv listen [::]:80\n"
                     "at 1ms laptop cli connect 192.0.2.80:80 as a\n"
                     "at 1ms laptop cli connect [2001:db8::80]:80 as b\n"
                     "at 1ms laptop cli connect 192.0.2.80:80 as c\n"
                     "at 1ms laptop cli connect [2001:db8::80]:80 as d\n",
                     100);
    const ps_socket *a = ps_engine_named_last(w->e, ps_scenario_sock(w->sc, "a"));
    const ps_socket *b = ps_engine_named_last(w->e, ps_scenario_sock(w->sc, "b"));
    assert_int_equal(a->lport, 40000);
    assert_int_equal(b->lport, 40000);
    assert_int_equal(b->family, PS_FAM_INET6);
    assert_int_equal(ps_engine_named_error(w->e, ps_scenario_sock(w->sc, "c")), PS_EADDRNOTAVAIL);
    assert_int_equal(ps_engine_named_error(w->e, ps_scenario_sock(w->sc, "d")), PS_EADDRNOTAVAIL);
    finish(w);
}

/* The tools, against the output captured by ipv6_probe.py's `tools`
 * probe (docs/reference/ipv6.md, "What the tools print"). */
#define TOOLS                                                                  \
    "host box 192.0.2.80 2001:db8::80\n"                                       \
    "proc box python3 pid=30075 user=root\n"                                   \
    "at 0ms box python3 listen 0.0.0.0:3000\n"                                 \
    "at 0ms box python3 listen [::]:3001\n"                                    \
    "at 0ms box python3 listen [::]:3002 v6only\n"                             \
    "at 0ms box python3 listen [2001:db8::80]:3003 v6only\n"                   \
    "at 0ms box python3 listen [::1]:3004 v6only\n"                            \
    "at 0ms box python3 listen [::ffff:192.0.2.80]:3005\n"

static void test_tools(void **state)
{
    (void)state;
    world *w = start(TOOLS, 1);
    expect_out(w, "ss -tln",
               "State  Recv-Q Send-Q       Local Address:Port Peer Address:PortProcess\n"
               "LISTEN 0      5                  0.0.0.0:3000      0.0.0.0:*\n"
               "LISTEN 0      5                        *:3001            *:*\n"
               "LISTEN 0      5                     [::]:3002         [::]:*\n"
               "LISTEN 0      5           [2001:db8::80]:3003         [::]:*\n"
               "LISTEN 0      5                    [::1]:3004         [::]:*\n"
               "LISTEN 0      5      [::ffff:192.0.2.80]:3005            *:*");
    expect_out(w, "lsof -nP -i",
               "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
               "python3 30075 root    3u  IPv4  20000      0t0  TCP *:3000 (LISTEN)\n"
               "python3 30075 root    4u  IPv6  20001      0t0  TCP *:3001 (LISTEN)\n"
               "python3 30075 root    5u  IPv6  20002      0t0  TCP *:3002 (LISTEN)\n"
               "python3 30075 root    6u  IPv6  20003      0t0  TCP [2001:db8::80]:3003 (LISTEN)\n"
               "python3 30075 root    7u  IPv6  20004      0t0  TCP [::1]:3004 (LISTEN)\n"
               "python3 30075 root    8u  IPv6  20005      0t0  TCP 192.0.2.80:3005 (LISTEN)");
    expect_out(w, "netstat -tln",
               "Active Internet connections (only servers)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
               "tcp        0      0 0.0.0.0:3000            0.0.0.0:*               LISTEN\n"
               "tcp6       0      0 :::3001                 :::*                    LISTEN\n"
               "tcp6       0      0 :::3002                 :::*                    LISTEN\n"
               "tcp6       0      0 2001:db8::80:3003       :::*                    LISTEN\n"
               "tcp6       0      0 ::1:3004                :::*                    LISTEN\n"
               "tcp6       0      0 192.0.2.80:3005         :::*                    LISTEN");
    /* One family at a time: the family of the socket, not of the address
     * (the mapped listener is AF_INET6). */
    expect_out(w, "netstat -tln -4",
               "Active Internet connections (only servers)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
               "tcp        0      0 0.0.0.0:3000            0.0.0.0:*               LISTEN");
    expect_out(w, "ss -tln -4",
               "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
               "LISTEN 0      5            0.0.0.0:3000      0.0.0.0:*");
    expect_out(w, "lsof -i4 -nP",
               "COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
               "python3 30075 root    3u  IPv4  20000      0t0  TCP *:3000 (LISTEN)");
    char *six = ps_shell_exec(w->e, 0, "netstat -tln -6");
    assert_non_null(six);
    assert_null(strstr(six, "tcp  "));
    assert_non_null(strstr(six, "tcp6       0      0 192.0.2.80:3005"));
    free(six);
    finish(w);
}

/* curl takes an IPv6 URL in brackets: it connects over IPv6, and an
 * address no host has gets curl's "Failed to connect". */
static void test_curl_ipv6(void **state)
{
    (void)state;
    world *w = start(TWO_HOSTS "at 0ms server srv listen [::]:3000 as dual\n", 1);
    char *out = ps_shell_exec(w->e, ps_scenario_host(w->sc, "laptop"), "curl -v http://[2001:db8::80]:3000/");
    assert_string_equal(out, "*   Trying [2001:db8::80]:3000...");
    free(out);
    out = ps_shell_exec(w->e, ps_scenario_host(w->sc, "laptop"), "curl http://[2001:db8::99]/");
    assert_string_equal(out, "curl: (7) Failed to connect to 2001:db8::99 port 80 after 0 ms: Couldn't connect to server");
    free(out);
    out = ps_shell_exec(w->e, ps_scenario_host(w->sc, "laptop"), "curl http://[2001:db8::80/");
    assert_string_equal(out, "curl: (3) URL using bad/illegal format or missing URL");
    free(out);
    ps_engine_run_until(w->e, 100000);
    out = ps_shell_exec(w->e, ps_scenario_host(w->sc, "server"), "ss -tn");
    assert_non_null(strstr(out, "[2001:db8::80]:3000"));
    assert_non_null(strstr(out, "[2001:db8::10]:"));
    free(out);
    finish(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in6_text),
        cmocka_unit_test(test_language_errors),
        cmocka_unit_test(test_bind_conflicts),
        cmocka_unit_test(test_which_listener),
        cmocka_unit_test(test_ephemeral_shared),
        cmocka_unit_test(test_tools),
        cmocka_unit_test(test_curl_ipv6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
