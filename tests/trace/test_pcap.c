/* test_pcap.c — the pcap writer (trace/pcap.c): Internet checksums against
 * published vectors, packet layout against packets Wireshark decoded and
 * verified byte by byte, and the file libpcap writes (link type, timestamps,
 * one record per SEGMENT event). The end-to-end check with tshark on every
 * scenario is tests/pcap_tshark.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "pcap.h"

/* ---- checksums ---- */

/* RFC 1071 section 3, "Numerical Example": the words 0001 f203 f4f5 f6f7 sum
 * to ddf2, whose complement 220d is the checksum. */
static void test_rfc1071_example(void **state)
{
    (void)state;
    static const uint8_t bytes[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    assert_int_equal(ps_csum_fold(ps_csum_add(0, bytes, sizeof bytes)) ^ 0xffff, 0xddf2);
    assert_int_equal(ps_inet_checksum(bytes, sizeof bytes), 0x220d);
}

/* The classic IPv4 header example (192.168.0.1 -> 192.168.0.199, UDP,
 * checksum b861), with the checksum field zeroed and then filled in. */
static void test_ipv4_header_example(void **state)
{
    (void)state;
    uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                      0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    assert_int_equal(ps_inet_checksum(h, sizeof h), 0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    assert_int_equal(ps_inet_checksum(h, sizeof h), 0); /* a correct header sums to 0 */
}

/* An odd last byte counts as the high byte of a word padded with zero. */
static void test_odd_length(void **state)
{
    (void)state;
    static const uint8_t bytes[] = { 0x01, 0x02, 0x03 };
    assert_int_equal(ps_inet_checksum(bytes, sizeof bytes), (uint16_t)~0x0402);
    /* Adding in pieces of even length gives the same sum as all at once. */
    uint8_t big[1001];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 37 + 11);
    uint32_t s = ps_csum_add(ps_csum_add(0, big, 500), big + 500, sizeof big - 500);
    assert_int_equal(ps_csum_fold(s), ps_inet_checksum(big, sizeof big));
}

/* Many 0xffff words: the carries must wrap around, never be lost. */
static void test_carries(void **state)
{
    (void)state;
    static uint8_t ff[70000];
    memset(ff, 0xff, sizeof ff);
    assert_int_equal(ps_inet_checksum(ff, sizeof ff), 0x0000);
    ff[1] = 0xfe; /* the first word is fffe: the sum is fffe, checksum 0001 */
    assert_int_equal(ps_inet_checksum(ff, sizeof ff), 0x0001);
}

/* ---- packet layout ----
 * Two packets from `portsim run scenarios/custom-port.scn --pcap`, as tshark
 * (an independent implementation) decoded and verified them: both IP and
 * TCP checksums "[correct]". */

/* Frame 1: 192.0.2.10:47606 -> 198.51.100.7:80 SYN, IP ID 1. */
static const uint8_t syn_packet[] = {
    0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x4e, 0x8a, 0xc0, 0x00,
    0x02, 0x0a, 0xc6, 0x33, 0x64, 0x07, 0xb9, 0xf6, 0x00, 0x50, 0xd1, 0x52, 0xfb, 0xf9,
    0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xfa, 0xf0, 0x41, 0x19, 0x00, 0x00,
};

/* Frame 7: 198.51.100.7:9999 -> 192.0.2.10:53148 PSH|ACK "HTTP/1.0 200 OK"
 * (15 bytes: an odd length), IP ID 7. */
static const uint8_t data_packet[] = {
    0x45, 0x00, 0x00, 0x37, 0x00, 0x07, 0x40, 0x00, 0x40, 0x06, 0x4e, 0x75, 0xc6, 0x33,
    0x64, 0x07, 0xc0, 0x00, 0x02, 0x0a, 0x27, 0x0f, 0xcf, 0x9c, 0x76, 0x6c, 0x09, 0x66,
    0xed, 0xee, 0x4c, 0x5b, 0x50, 0x18, 0xfa, 0xf0, 0x62, 0x07, 0x00, 0x00, 'H',  'T',
    'T',  'P',  '/',  '1',  '.',  '0',  ' ',  '2',  '0',  '0',  ' ',  'O',  'K',
};

static ps_event segment(ps_addr src, uint16_t sport, ps_addr dst, uint16_t dport,
                        uint8_t flags, uint32_t seq, uint32_t ack, const char *text)
{
    ps_event ev = { .kind = PS_EV_SEGMENT, .has_src = true, .has_dst = true };
    ev.src_addr = src;
    ev.src_port = sport;
    ev.dst_addr = dst;
    ev.dst_port = dport;
    ev.flags = flags;
    ev.tcp_seq = seq;
    ev.tcp_ack = ack;
    ev.text = text;
    ev.len = text ? (uint32_t)strlen(text) : 0;
    return ev;
}

#define LAPTOP 0xc000020au /* 192.0.2.10 */
#define LAB 0xc6336407u    /* 198.51.100.7 */

static void test_syn_layout(void **state)
{
    (void)state;
    ps_event ev = segment(LAPTOP, 47606, LAB, 80, PS_SYN, 3511876601u, 0, NULL);
    uint8_t buf[128];
    size_t n = ps_pcap_packet(&ev, 1, buf, sizeof buf);
    assert_int_equal(n, sizeof syn_packet);
    assert_memory_equal(buf, syn_packet, sizeof syn_packet);
    /* Field by field, for a readable failure if the layout changes. */
    assert_int_equal(buf[0], 0x45);               /* version 4, IHL 5 */
    assert_int_equal(buf[8], 64);                 /* TTL */
    assert_int_equal(buf[9], 6);                  /* TCP */
    assert_int_equal(buf[32] >> 4, 5);            /* data offset: 5 words */
    assert_int_equal(buf[33], PS_SYN);            /* flags */
    assert_int_equal(ps_inet_checksum(buf, 20), 0);
    assert_int_equal(ps_tcp_checksum(LAPTOP, LAB, buf + 20, n - 20), 0);
}

static void test_data_layout(void **state)
{
    (void)state;
    ps_event ev = segment(LAB, 9999, LAPTOP, 53148, PS_PSH | PS_ACK, 1986791782u, 3991817307u,
                          "HTTP/1.0 200 OK");
    uint8_t buf[128];
    size_t n = ps_pcap_packet(&ev, 7, buf, sizeof buf);
    assert_int_equal(n, sizeof data_packet);
    assert_memory_equal(buf, data_packet, sizeof data_packet);
}

/* Too small a buffer, or a payload no IPv4 packet can carry: 0, nothing more. */
static void test_too_big(void **state)
{
    (void)state;
    ps_event ev = segment(LAB, 9999, LAPTOP, 53148, PS_ACK, 1, 2, "HTTP/1.0 200 OK");
    uint8_t buf[54];
    assert_int_equal(ps_pcap_packet(&ev, 1, buf, sizeof buf), 0);
    char *huge = malloc(65536);
    assert_non_null(huge);
    memset(huge, 'x', 65535);
    huge[65535] = '\0';
    ev.text = huge;
    ev.len = 65535;
    uint8_t *big = malloc(70000);
    assert_non_null(big);
    assert_int_equal(ps_pcap_packet(&ev, 1, big, 70000), 0);
    free(big);
    free(huge);
}

/* A UDP datagram: protocol 17, DF, an 8-byte header whose length covers
 * the data, a checksum that verifies; and the ICMP port unreachable that
 * answers it: TOS 0xc0, no DF, type 3 code 3, quoting the datagram's IP and
 * UDP headers (addresses and ports the other way round) and its data. */
static void test_udp_and_icmp_layout(void **state)
{
    (void)state;
    ps_event ev = segment(LAPTOP, 40000, LAB, 53, 0, 0, 0, "example.com A?");
    ev.kind = PS_EV_DATAGRAM;
    uint8_t buf[256];
    size_t n = ps_pcap_packet(&ev, 3, buf, sizeof buf);
    assert_int_equal(n, 20 + 8 + 14);
    assert_int_equal(buf[9], 17);
    assert_int_equal(buf[6], 0x40); /* DF */
    assert_int_equal(ps_inet_checksum(buf, 20), 0);
    assert_int_equal(buf[20] << 8 | buf[21], 40000);
    assert_int_equal(buf[22] << 8 | buf[23], 53);
    assert_int_equal(buf[24] << 8 | buf[25], 8 + 14);
    assert_memory_equal(buf + 28, "example.com A?", 14);
    assert_int_equal(ps_udp_checksum(LAPTOP, LAB, buf + 20, n - 20), 0);

    ps_event icmp = segment(LAB, 53, LAPTOP, 40000, 0, 0, 0, "example.com A?");
    icmp.kind = PS_EV_ICMP;
    uint8_t ib[256];
    size_t m = ps_pcap_packet(&icmp, 4, ib, sizeof ib);
    assert_int_equal(m, 20 + 8 + n);
    assert_int_equal(ib[1], 0xc0);
    assert_int_equal(ib[6], 0);
    assert_int_equal(ib[9], 1);
    assert_int_equal(ps_inet_checksum(ib, 20), 0);
    assert_int_equal(ib[20], 3);
    assert_int_equal(ib[21], 3);
    assert_int_equal(ps_inet_checksum(ib + 20, m - 20), 0);
    /* The quote is the datagram above but for its IP ID (unknown: 0). */
    assert_memory_equal(ib + 28 + 20, buf + 20, n - 20);
    assert_int_equal(ps_inet_checksum(ib + 28, 20), 0);
    assert_memory_equal(ib + 28 + 12, buf + 12, 8);
}

/* ---- the file ---- */

static void temp_path(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/portsim-test-pcap-%ld.pcap", (long)getpid());
}

/* Reads the file back with libpcap: link type, then each record. */
static void test_writer_file(void **state)
{
    (void)state;
    char path[64], err[256];
    temp_path(path, sizeof path);
    ps_pcap w;
    assert_true(ps_pcap_open(&w, path, err, sizeof err));
    ps_event say = { .kind = PS_EV_SAY, .text = "not a packet" };
    ps_event syn = segment(LAPTOP, 47606, LAB, 80, PS_SYN, 3511876601u, 0, NULL);
    syn.t = 100000; /* 100 ms */
    ps_event data = segment(LAB, 9999, LAPTOP, 53148, PS_PSH | PS_ACK, 1986791782u,
                            3991817307u, "HTTP/1.0 200 OK");
    data.t = 61310000; /* 61.31 s */
    ps_pcap_event(&w, &say);
    ps_pcap_event(&w, &syn);
    ps_pcap_event(&w, &data);
    assert_int_equal(w.packets, 2);
    assert_true(ps_pcap_close(&w, err, sizeof err));

    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, perr);
    assert_non_null(p);
    assert_int_equal(pcap_datalink(p), DLT_RAW);
    struct pcap_pkthdr *h;
    const u_char *bytes;
    assert_int_equal(pcap_next_ex(p, &h, &bytes), 1);
    assert_int_equal(h->ts.tv_sec, 0);
    assert_int_equal(h->ts.tv_usec, 100000);
    assert_int_equal(h->caplen, sizeof syn_packet);
    assert_int_equal(h->len, sizeof syn_packet);
    assert_memory_equal(bytes, syn_packet, sizeof syn_packet);
    assert_int_equal(pcap_next_ex(p, &h, &bytes), 1);
    assert_int_equal(h->ts.tv_sec, 61);
    assert_int_equal(h->ts.tv_usec, 310000);
    assert_int_equal(bytes[5], 2); /* IP ID = packet number in the file */
    assert_int_equal(pcap_next_ex(p, &h, &bytes), PCAP_ERROR_BREAK); /* end of file */
    pcap_close(p);
    remove(path);
}

static void test_open_error(void **state)
{
    (void)state;
    char err[256];
    ps_pcap w;
    assert_false(ps_pcap_open(&w, "/nonexistent-dir/x.pcap", err, sizeof err));
    assert_string_equal(err, "cannot write /nonexistent-dir/x.pcap: No such file or directory");
}

/* A whole scenario, as the GUI's `P` key writes it: one SYN, one RST|ACK. */
static void test_write_scenario(void **state)
{
    (void)state;
    static const char text[] =
        "host a 10.0.0.1\n"
        "host b 10.0.0.2\n"
        "link a b 5ms\n"
        "proc a curl pid=10 user=alice\n"
        "at 1ms a curl connect 10.0.0.2:80 as c\n";
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, strlen(text), "<test>", &d);
    assert_non_null(sc);
    char path[64], err[256];
    temp_path(path, sizeof path);
    assert_true(ps_pcap_write_scenario(sc, 1, 1000, path, err, sizeof err));
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, perr);
    assert_non_null(p);
    struct pcap_pkthdr *h;
    const u_char *bytes;
    uint8_t flags[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pcap_next_ex(p, &h, &bytes), 1);
        flags[i] = bytes[33];
    }
    assert_int_equal(h->ts.tv_usec, 6000); /* the RST leaves b when the SYN arrives */
    assert_int_equal(pcap_next_ex(p, &h, &bytes), PCAP_ERROR_BREAK);
    assert_int_equal(flags[0], PS_SYN);
    assert_int_equal(flags[1], PS_RST | PS_ACK);
    pcap_close(p);
    remove(path);
    ps_scenario_free(sc);
}

/* ---- the tee ---- */

static void count_sink(void *ctx, const ps_event *ev)
{
    (void)ev;
    ++*(int *)ctx;
}

static void test_tee(void **state)
{
    (void)state;
    int a = 0, b = 0;
    ps_sink_tee both = { { count_sink, count_sink }, { &a, &b } };
    ps_sink_tee one = { { count_sink, NULL }, { &a, NULL } };
    ps_event ev = { .kind = PS_EV_SAY, .text = "x" };
    ps_sink_tee_event(&both, &ev);
    ps_sink_tee_event(&one, &ev);
    assert_int_equal(a, 2);
    assert_int_equal(b, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1071_example), cmocka_unit_test(test_ipv4_header_example),
        cmocka_unit_test(test_odd_length),      cmocka_unit_test(test_carries),
        cmocka_unit_test(test_syn_layout),      cmocka_unit_test(test_data_layout),
        cmocka_unit_test(test_too_big),         cmocka_unit_test(test_writer_file),
        cmocka_unit_test(test_open_error),      cmocka_unit_test(test_write_scenario),
        cmocka_unit_test(test_tee),
        cmocka_unit_test(test_udp_and_icmp_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
