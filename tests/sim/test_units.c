/* test_units.c — durations, addresses, endpoints and the names of errors,
 * states and TCP flags (units.h, base.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

/* ---- helpers ---- */

static bool parse_time(const char *s, ps_time *out) { return ps_time_parse(s, strlen(s), out); }

static void assert_time_parses(const char *s, ps_time want)
{
    ps_time got = 12345;
    if (!parse_time(s, &got)) fail_msg("\"%s\" was rejected, want %llu", s, (unsigned long long)want);
    if (got != want)
        fail_msg("\"%s\" parsed as %llu, want %llu", s, (unsigned long long)got,
                 (unsigned long long)want);
}

static void assert_time_rejected(const char *s)
{
    ps_time got = 12345;
    if (parse_time(s, &got)) fail_msg("\"%s\" was accepted as %llu", s, (unsigned long long)got);
    assert_int_equal(got, 12345); /* *out untouched on failure */
}

static void assert_time_str(ps_time t, const char *want)
{
    char buf[32];
    assert_string_equal(ps_time_str(t, buf), want);
}

/* Formats t, parses it back and checks that it is the same instant. */
static void assert_time_str_round_trips(ps_time t)
{
    char buf[32];
    ps_time back = 0;
    ps_time_str(t, buf);
    if (!parse_time(buf, &back)) fail_msg("ps_time_str(%llu) = \"%s\" does not parse", (unsigned long long)t, buf);
    if (back != t)
        fail_msg("ps_time_str(%llu) = \"%s\", which parses as %llu", (unsigned long long)t, buf,
                 (unsigned long long)back);
}

static void assert_time_ms(ps_time t, int width, const char *want)
{
    char buf[32];
    assert_string_equal(ps_time_ms(t, width, buf), want);
}

static ps_addr ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (ps_addr)(a << 24 | b << 16 | c << 8 | d);
}

static void assert_addr_parses(const char *s, ps_addr want)
{
    ps_addr got = 0xdeadbeef;
    if (!ps_addr_parse(s, strlen(s), &got)) fail_msg("\"%s\" was rejected", s);
    assert_int_equal(got, want);
}

static void assert_addr_rejected(const char *s)
{
    ps_addr got = 0xdeadbeef;
    if (ps_addr_parse(s, strlen(s), &got)) fail_msg("\"%s\" was accepted as 0x%08x", s, got);
}

/* ---- ps_time_parse ---- */

static void time_parse_accepts_every_unit(void **state)
{
    (void)state;
    assert_time_parses("20us", 20);
    assert_time_parses("0us", 0);
    assert_time_parses("300ms", 300000);
    assert_time_parses("2s", 2000000);
    assert_time_parses("1min", 60000000);
    assert_time_parses("60s", 60000000);
    assert_time_parses("007ms", 7000);
}

static void time_parse_accepts_exact_fractions(void **state)
{
    (void)state;
    assert_time_parses("1.5s", 1500000);
    assert_time_parses("0.25ms", 250);
    assert_time_parses("2.5ms", 2500);
    assert_time_parses("1.000001s", 1000001);
    assert_time_parses("0.5min", 30000000);
    assert_time_parses("1.50s", 1500000);
    assert_time_parses("0.001ms", 1);
}

static void time_parse_rejects_sub_microsecond_fractions(void **state)
{
    (void)state;
    assert_time_rejected("1.5us");
    assert_time_rejected("0.0005ms");
    assert_time_rejected("1.0000001s");
    assert_time_rejected("0.1us");
}

static void time_parse_rejects_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",     "ms",   "10",    "10 ms", " 10ms", "10ms ", ".5s", "1.s",  "1.5",
        "-1s",  "+1s",  "1h",    "1sec",  "1S",    "1MS",   "1e3us", "1..5s", "1.5.5s",
        "s",    "1mss", "1mins", "0x10ms", "1,5s",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_time_rejected(bad[i]);
}

static void time_parse_reads_exactly_len_bytes(void **state)
{
    (void)state;
    ps_time t = 0;
    assert_true(ps_time_parse("300msXYZ", 5, &t));
    assert_int_equal(t, 300000);
    assert_false(ps_time_parse("1.5s", 3, &t)); /* "1.5": no unit */
    assert_false(ps_time_parse("20us", 0, &t));
}

static void time_parse_rejects_overflow(void **state)
{
    (void)state;
    assert_time_rejected("18446744073709551616us");    /* 2^64 */
    assert_time_rejected("99999999999999999999999us");
    assert_time_rejected("18446744073709551615us");    /* would be PS_TIME_NEVER */
    assert_time_rejected("18446744073710s");           /* > 2^64 us once scaled */
    assert_time_rejected("307445734562min");
    assert_time_rejected("18446744073709552ms");
    /* Large but sane values still parse. */
    assert_time_parses("1000000000s", 1000000000000000ull);
    assert_time_parses("1000000min", 60000000000000ull);
}

/* ---- ps_time_ms ---- */

static void time_ms_prints_milliseconds_with_three_decimals(void **state)
{
    (void)state;
    assert_time_ms(0, 0, "0.000");
    assert_time_ms(1, 0, "0.001");
    assert_time_ms(150000, 0, "150.000");
    assert_time_ms(1234567, 0, "1234.567");
    assert_time_ms(60000000, 0, "60000.000");
}

static void time_ms_right_aligns_to_width(void **state)
{
    (void)state;
    assert_time_ms(150000, 10, "   150.000");
    assert_time_ms(150000, 7, "150.000"); /* exactly fits */
    assert_time_ms(1234567, 3, "1234.567"); /* too narrow: never truncated */
    assert_time_ms(5, 8, "   0.005");
    char buf[32];
    assert_int_equal(strlen(ps_time_ms(42, 12, buf)), 12);
}

static void time_ms_stays_inside_32_bytes(void **state)
{
    (void)state;
    char buf[40];
    memset(buf, 'X', sizeof buf);
    ps_time_ms(UINT64_MAX, 100, buf);
    assert_true(strlen(buf) < 32);
    assert_int_equal(buf[39], 'X');
    assert_non_null(strstr(buf, "18446744073709551.615"));
}

/* ---- ps_time_str ---- */

static void time_str_uses_shortest_exact_unit(void **state)
{
    (void)state;
    assert_time_str(0, "0us");
    assert_time_str(20, "20us");
    assert_time_str(999, "999us");
    assert_time_str(250, "250us");
    assert_time_str(1000, "1ms");
    assert_time_str(1500, "1.5ms");
    assert_time_str(300000, "300ms");
    assert_time_str(1000000, "1s");
    assert_time_str(1500000, "1.5s");
    assert_time_str(1250000, "1.25s");
    assert_time_str(1001000, "1.001s");
    assert_time_str(1234567, "1234.567ms");
    assert_time_str(1000001, "1000.001ms"); /* largest unit that stays exact */
}

static void time_str_round_trips_through_parse(void **state)
{
    (void)state;
    static const ps_time fixed[] = { 0, 1, 20, 999, 1000, 1001, 1500, 1500000, 59999999,
                                     60000000, 90000000, 3600000000ull, 123456789 };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) assert_time_str_round_trips(fixed[i]);
    /* Pseudo-random values of every magnitude up to an hour. */
    uint64_t x = 1;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        assert_time_str_round_trips((x >> 20) % (3600000000ull >> (i % 30)));
    }
}

/* Every time ps_time_parse accepts must format back to itself, however far
 * away: 2^62 us lies inside the accepted range (below 2^63). */
static void time_str_round_trips_huge_times(void **state)
{
    (void)state;
    assert_time_str_round_trips(1000000000000000000ull);
    assert_time_str_round_trips(UINT64_MAX / 2);
    assert_time_str_round_trips(1ull << 62);
}

/* ---- addresses and endpoints ---- */

static void addr_parse_accepts_dotted_quads(void **state)
{
    (void)state;
    assert_addr_parses("0.0.0.0", PS_ADDR_ANY);
    assert_addr_parses("127.0.0.1", PS_ADDR_LOOPBACK);
    assert_addr_parses("255.255.255.255", 0xffffffffu);
    assert_addr_parses("93.184.216.34", ip(93, 184, 216, 34));
    assert_addr_parses("10.0.0.1", ip(10, 0, 0, 1));
    ps_addr a = 0;
    assert_true(ps_addr_parse("10.0.0.1:80", 8, &a)); /* only len bytes */
    assert_int_equal(a, ip(10, 0, 0, 1));
}

static void addr_parse_rejects_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "256.0.0.1", "1.2.3.256", "1.256.3.4", "999.1.1.1", "1.2.3", "1.2", "1", "",
        "1.2.3.",    ".1.2.3.4", "1.2.3.4.",  "1.2.3.4x",  "1..2.3", "a.b.c.d",  "1.2.3.4 ",
        " 1.2.3.4",  "1.2.3.4.5", "1.2.3.-4", "1.2.3.4:80", "1.2.3.+4", "....",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_addr_rejected(bad[i]);
}

static void addr_str_round_trips(void **state)
{
    (void)state;
    static const ps_addr addrs[] = { 0, PS_ADDR_LOOPBACK, 0xffffffffu, 0x5db8d822u, 0x0a000001u,
                                     0x01020304u, 0xc0a80001u };
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        char buf[16];
        ps_addr back = 0;
        ps_addr_str(addrs[i], buf);
        assert_true(ps_addr_parse(buf, strlen(buf), &back));
        assert_int_equal(back, addrs[i]);
    }
    char buf[16];
    assert_string_equal(ps_addr_str(ip(93, 184, 216, 34), buf), "93.184.216.34");
}

static void endpoint_str_writes_addr_colon_port(void **state)
{
    (void)state;
    char buf[22];
    assert_string_equal(ps_endpoint_str(ip(93, 184, 216, 34), 443, buf), "93.184.216.34:443");
    assert_string_equal(ps_endpoint_str(PS_ADDR_ANY, 3000, buf), "0.0.0.0:3000");
    assert_string_equal(ps_endpoint_str(PS_ADDR_LOOPBACK, 0, buf), "127.0.0.1:0");
    /* The longest endpoint fills the documented 22 bytes exactly. */
    assert_string_equal(ps_endpoint_str(0xffffffffu, 65535, buf), "255.255.255.255:65535");
}

/* ---- errno names ---- */

static void errno_name_parse_round_trips_for_every_errno(void **state)
{
    (void)state;
    for (int e = 0; e < PS_ERRNO_COUNT; e++) {
        const char *name = ps_errno_name((ps_errno)e);
        ps_errno back = PS_ERRNO_COUNT;
        assert_non_null(name);
        assert_true(ps_errno_parse(name, strlen(name), &back));
        assert_int_equal(back, e);
        assert_non_null(ps_errno_message((ps_errno)e));
        assert_true(strlen(ps_errno_explain((ps_errno)e)) > 0);
        for (int f = 0; f < e; f++) {
            assert_string_not_equal(ps_errno_name((ps_errno)f), name);
            assert_int_not_equal(ps_errno_number((ps_errno)f), ps_errno_number((ps_errno)e));
        }
    }
}

static void errno_numbers_match_linux(void **state)
{
    (void)state;
    static const struct { ps_errno e; const char *name; int number; } table[] = {
        { PS_OK, "OK", 0 },
        { PS_EADDRINUSE, "EADDRINUSE", 98 },
        { PS_EACCES, "EACCES", 13 },
        { PS_ECONNREFUSED, "ECONNREFUSED", 111 },
        { PS_ECONNRESET, "ECONNRESET", 104 },
        { PS_EADDRNOTAVAIL, "EADDRNOTAVAIL", 99 },
        { PS_EHOSTUNREACH, "EHOSTUNREACH", 113 },
        { PS_ENOTCONN, "ENOTCONN", 107 },
        { PS_EBADF, "EBADF", 9 },
        { PS_EISCONN, "EISCONN", 106 },
        { PS_ESRCH, "ESRCH", 3 },
        { PS_EAGAIN, "EAGAIN", 11 },
        { PS_EDESTADDRREQ, "EDESTADDRREQ", 89 },
    };
    assert_int_equal(sizeof table / sizeof table[0], PS_ERRNO_COUNT);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_string_equal(ps_errno_name(table[i].e), table[i].name);
        assert_int_equal(ps_errno_number(table[i].e), table[i].number);
    }
#ifdef __linux__
    assert_int_equal(ps_errno_number(PS_EADDRINUSE), EADDRINUSE);
    assert_int_equal(ps_errno_number(PS_EADDRNOTAVAIL), EADDRNOTAVAIL);
    assert_int_equal(ps_errno_number(PS_ECONNREFUSED), ECONNREFUSED);
#endif
#ifdef __GLIBC__
    /* "strerror's words" */
    for (int e = 1; e < PS_ERRNO_COUNT; e++)
        assert_string_equal(ps_errno_message((ps_errno)e), strerror(ps_errno_number((ps_errno)e)));
#endif
}

static void errno_parse_rejects_unknown_names(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "eaddrinuse", "EADDRINUS", "EADDRINUSEX", "E?", "EWOULDBLOCK" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ps_errno e = PS_ERRNO_COUNT;
        assert_false(ps_errno_parse(bad[i], strlen(bad[i]), &e));
        assert_int_equal(e, PS_ERRNO_COUNT);
    }
    ps_errno e = PS_OK;
    assert_true(ps_errno_parse("EBADFxyz", 5, &e)); /* only len bytes */
    assert_int_equal(e, PS_EBADF);
}

/* ---- TCP state names ---- */

static void state_parse_round_trips_for_every_state(void **state)
{
    (void)state;
    for (int s = 0; s < PS_STATE_COUNT; s++) {
        const char *name = ps_state_name((ps_tcp_state)s);
        ps_tcp_state back = PS_STATE_COUNT;
        assert_true(ps_state_parse(name, strlen(name), &back));
        assert_int_equal(back, s);
        assert_non_null(ps_state_ss((ps_tcp_state)s));
        assert_non_null(ps_state_netstat((ps_tcp_state)s));
    }
}

static void state_tool_names_match_ss_and_netstat(void **state)
{
    (void)state;
    static const struct { ps_tcp_state s; const char *name, *ss, *netstat; } table[] = {
        { PS_LISTEN, "listen", "LISTEN", "LISTEN" },
        { PS_SYN_SENT, "syn-sent", "SYN-SENT", "SYN_SENT" },
        { PS_ESTABLISHED, "established", "ESTAB", "ESTABLISHED" },
        { PS_FIN_WAIT_2, "fin-wait-2", "FIN-WAIT-2", "FIN_WAIT2" },
        { PS_CLOSE_WAIT, "close-wait", "CLOSE-WAIT", "CLOSE_WAIT" },
        { PS_TIME_WAIT, "time-wait", "TIME-WAIT", "TIME_WAIT" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_string_equal(ps_state_name(table[i].s), table[i].name);
        assert_string_equal(ps_state_ss(table[i].s), table[i].ss);
        assert_string_equal(ps_state_netstat(table[i].s), table[i].netstat);
    }
}

static void state_parse_rejects_tool_spellings(void **state)
{
    (void)state;
    static const char *const bad[] = { "", "ESTABLISHED", "ESTAB", "establishe", "time_wait", "TIME-WAIT" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ps_tcp_state s = PS_STATE_COUNT;
        assert_false(ps_state_parse(bad[i], strlen(bad[i]), &s));
        assert_int_equal(s, PS_STATE_COUNT);
    }
}

/* ---- TCP flags ---- */

static void assert_flags_str(uint8_t flags, const char *want)
{
    char buf[64];
    memset(buf, 'X', sizeof buf);
    assert_string_equal(ps_flags_str(flags, buf), want);
    assert_true(strlen(buf) < 24);
}

static void flags_str_names_common_segments(void **state)
{
    (void)state;
    assert_flags_str(PS_SYN, "SYN");
    assert_flags_str(PS_SYN | PS_ACK, "SYN|ACK");
    assert_flags_str(PS_PSH | PS_ACK, "PSH|ACK");
    assert_flags_str(PS_RST | PS_ACK, "RST|ACK");
    assert_flags_str(PS_FIN | PS_ACK, "FIN|ACK");
    assert_flags_str(PS_ACK, "ACK");
    assert_flags_str(PS_RST, "RST");
    assert_flags_str(0, "");
}

static void flags_str_all_flags_fit_in_24_bytes(void **state)
{
    (void)state;
    char buf[64];
    memset(buf, 'X', sizeof buf);
    ps_flags_str(PS_FIN | PS_SYN | PS_RST | PS_PSH | PS_ACK, buf);
    assert_true(strlen(buf) < 24);
    static const char *const names[] = { "SYN", "FIN", "RST", "PSH", "ACK" };
    for (size_t i = 0; i < 5; i++) assert_non_null(strstr(buf, names[i]));
    int bars = 0;
    for (const char *c = buf; *c; c++) bars += *c == '|';
    assert_int_equal(bars, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_parse_accepts_every_unit),
        cmocka_unit_test(time_parse_accepts_exact_fractions),
        cmocka_unit_test(time_parse_rejects_sub_microsecond_fractions),
        cmocka_unit_test(time_parse_rejects_malformed_text),
        cmocka_unit_test(time_parse_reads_exactly_len_bytes),
        cmocka_unit_test(time_parse_rejects_overflow),
        cmocka_unit_test(time_ms_prints_milliseconds_with_three_decimals),
        cmocka_unit_test(time_ms_right_aligns_to_width),
        cmocka_unit_test(time_ms_stays_inside_32_bytes),
        cmocka_unit_test(time_str_uses_shortest_exact_unit),
        cmocka_unit_test(time_str_round_trips_through_parse),
        cmocka_unit_test(time_str_round_trips_huge_times),
        cmocka_unit_test(addr_parse_accepts_dotted_quads),
        cmocka_unit_test(addr_parse_rejects_malformed),
        cmocka_unit_test(addr_str_round_trips),
        cmocka_unit_test(endpoint_str_writes_addr_colon_port),
        cmocka_unit_test(errno_name_parse_round_trips_for_every_errno),
        cmocka_unit_test(errno_numbers_match_linux),
        cmocka_unit_test(errno_parse_rejects_unknown_names),
        cmocka_unit_test(state_parse_round_trips_for_every_state),
        cmocka_unit_test(state_tool_names_match_ss_and_netstat),
        cmocka_unit_test(state_parse_rejects_tool_spellings),
        cmocka_unit_test(flags_str_names_common_segments),
        cmocka_unit_test(flags_str_all_flags_fit_in_24_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
