/* test_udp_view.c — UDP in the lecture window, read from the record that
 * `portsim render --boxes` writes (boxes.h), on the udp-vs-tcp lesson: the
 * UDP socket's door (":53/udp") apart from the TCP listener's (":53"), both
 * clients' datagrams taken through that one door with the UDP demux card,
 * envelopes labelled "UDP datagram" and "ICMP unreachable", no connection
 * line for UDP (no handshake), the table's UDP rows. SDL's dummy driver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "headless.h"

#define LESSON "scenarios/udp-vs-tcp.scn"

static pv_headless hl;
static pv_boxes boxes;

static void draw_at(ps_time t, int w, int h)
{
    pv_playback_seek(&hl.view->pb, t);
    pv_view_draw(hl.view, w, h);
}

static const pv_box *find(pv_role role, const char *prefix)
{
    for (uint32_t i = 0; i < boxes.n; i++)
        if (boxes.v[i].role == role && strncmp(pv_boxes_text(&boxes, i), prefix, strlen(prefix)) == 0)
            return &boxes.v[i];
    return NULL;
}

static bool same(pv_rgba a, pv_rgba b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

static int setup(void **state)
{
    (void)state;
    char err[1024];
    if (!pv_headless_open(&hl, 1280, 720, err, sizeof err)) fail_msg("headless open: %s", err);
    if (!pv_view_load(hl.view, LESSON, err, sizeof err)) fail_msg("%s", err);
    hl.view->boxes = &boxes;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pv_headless_close(&hl);
    pv_boxes_free(&boxes);
    return 0;
}

/* The two clients' questions (sent at 110 ms over 20 and 30 ms links) come
 * in by the same door, :53/udp, while the TCP listener's :53 stands beside
 * it; the card asks only about the destination. */
static void test_one_door_for_both_clients(void **state)
{
    (void)state;
    static const struct {
        ps_time at;
        const char *from;
    } arrivals[] = { { 125000, "UDP demux on ns: datagram from q1" }, { 136000, "UDP demux on ns: datagram from q2" } };
    for (size_t i = 0; i < 2; i++) {
        draw_at(arrivals[i].at, 1280, 720);
        const pv_box *head = find(PV_ROLE_LOOKUP, arrivals[i].from);
        const pv_box *ask = find(PV_ROLE_LOOKUP, "1. a UDP socket on 198.51.100.53:53, else *:53? yes → :53/udp named 53");
        const pv_box *row = find(PV_ROLE_TABLE, "UDP UNCONN");
        if (!head || !ask || !row) fail_msg("no UDP demux card at %llu us", (unsigned long long)arrivals[i].at);
        assert_true(same(ask->color, PV_COL_NOW)); /* the answer, highlighted */
        assert_true(same(row->color, PV_COL_NOW)); /* the socket's row, lit */
        assert_non_null(find(PV_ROLE_LOOKUP, "2. the sender's address and port pick nothing"));
        assert_non_null(find(PV_ROLE_ENVELOPE, "UDP datagram"));
        assert_non_null(find(PV_ROLE_DOOR, ":53/udp"));
        assert_non_null(find(PV_ROLE_DOOR, ":53"));
        /* UDP sends nothing to connect, and draws no connection line. */
        assert_int_equal(hl.view->scene->nlinks, 0);
        assert_null(find(PV_ROLE_ENVELOPE, "SYN"));
    }
    draw_at(200000, 1280, 720); /* both answered: the one socket took two */
    assert_non_null(find(PV_ROLE_DOOR, "UDP · 2 received"));
}

/* TCP for contrast: two connections, two lines, a 4-tuple card. */
static void test_tcp_has_lines(void **state)
{
    (void)state;
    draw_at(410000, 1280, 720);
    assert_int_equal(hl.view->scene->nlinks, 2);
    assert_non_null(find(PV_ROLE_LOOKUP, "1. a connection with exactly this 4-tuple? yes"));
    assert_non_null(find(PV_ROLE_TABLE, "Sockets on 198.51.100.53 (ns) — like: ss -tuanp"));
}

/* The question to 5353 finds nobody: the card says ICMP; then the ICMP
 * message rides back, drawn as a refusal (dashed, like RST). */
static void test_icmp_back(void **state)
{
    (void)state;
    draw_at(625000, 1280, 720);
    assert_non_null(find(PV_ROLE_LOOKUP, "1. a UDP socket on 198.51.100.53:5353, else *:5353? no"));
    assert_non_null(find(PV_ROLE_LOOKUP, "3. else nobody: ICMP port unreachable back ← this"));
    draw_at(640000, 1280, 720);
    assert_non_null(find(PV_ROLE_ENVELOPE, "ICMP unreachable"));
    assert_non_null(find(PV_ROLE_ENVELOPE, "port 5353: no UDP socket"));
    draw_at(700000, 1280, 720);
    assert_non_null(find(PV_ROLE_BANNER, "⚠ ECONNREFUSED: send to 198.51.100.53:5353 failed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_door_for_both_clients),
        cmocka_unit_test(test_tcp_has_lines),
        cmocka_unit_test(test_icmp_back),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
