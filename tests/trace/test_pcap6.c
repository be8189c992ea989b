/* test_pcap6.c — IPv6 packets in the capture (pcap.h): the IPv6 header's
 * fields, the TCP checksum over the IPv6 pseudo-header against a value
 * computed independently (Python, RFC 8200 section 8.1), and the writer
 * choosing the family by the segment's addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pcap.h"

static ps_addr intern(ps_scenario *sc, const char *text)
{
    ps_in6 a;
    assert_true(ps_in6_parse(text, strlen(text), &a, NULL));
    ps_addr r = ps_scenario_intern6(sc, &a);
    assert_true(ps_addr_is_v6(r));
    return r;
}

static void test_ipv6_packet(void **state)
{
    (void)state;
    ps_scenario *sc = calloc(1, sizeof *sc);
    assert_non_null(sc);
    ps_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = PS_EV_SEGMENT;
    ev.src_addr = intern(sc, "2001:db8::10");
    ev.dst_addr = intern(sc, "2001:db8::80");
    ev.src_port = 40768;
    ev.dst_port = 3000;
    ev.tcp_seq = 1000;
    ev.tcp_ack = 77;
    ev.flags = PS_PSH | PS_ACK;
    ev.text = "GET /";
    ev.len = 5;
    uint8_t buf[128];
    size_t n = ps_pcap_packet6(sc, &ev, buf, sizeof buf);
    assert_int_equal(n, 40 + 20 + 5);
    assert_int_equal(buf[0], 0x60);                 /* version 6, traffic class 0 */
    assert_int_equal(buf[1] | buf[2] | buf[3], 0);  /* flow label 0 */
    assert_int_equal(buf[4] << 8 | buf[5], 25);     /* payload length: TCP header + data */
    assert_int_equal(buf[6], 6);                    /* next header: TCP */
    assert_int_equal(buf[7], 64);                   /* hop limit */
    static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
    static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x80 };
    assert_memory_equal(buf + 8, src, 16);
    assert_memory_equal(buf + 24, dst, 16);
    assert_int_equal(buf[40] << 8 | buf[41], 40768);
    assert_int_equal(buf[53], PS_PSH | PS_ACK);
    assert_int_equal(buf[56] << 8 | buf[57], 0xdf41); /* computed by hand in Python */
    ps_in6 s6, d6;
    memcpy(s6.b, src, 16);
    memcpy(d6.b, dst, 16);
    assert_int_equal(ps_tcp6_checksum(&s6, &d6, buf + 40, n - 40), 0);
    assert_int_equal(ps_pcap_packet6(sc, &ev, buf, 64), 0); /* too small a buffer */
    ps_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv6_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
