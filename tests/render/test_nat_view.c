/* test_nat_view.c — the router in the view model (render/scene.c,
 * render/layout.c): its translation table as rows (inside end, public end,
 * the conversation's colour), envelopes re-addressed as they leave it (the
 * rewritten slots and what they were), envelopes on the outside still
 * belonging to their inside conversation, forwarded doors, and the table
 * laid out inside the building without overlaps, also when it overflows;
 * UDP entries say so. No SDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load.h"
#include "engine_ops.h"
#include "layout.h"
#include "scene.h"

static int fake_measure(void *ctx, const char *s, int px, pv_face face)
{
    (void)ctx;
    int chars = 0;
    for (; *s; s++) chars += ((unsigned char)*s & 0xC0) != 0x80;
    return chars * px * (face == PV_FACE_BOLD ? 66 : 62) / 100;
}

typedef struct view {
    ps_scenario *sc;
    ps_engine *e;
    pv_scene *s;
    pv_layout *L;
} view;

static view at_mode(const char *file, ps_time t, int w, int h, bool present)
{
    view v;
    v.sc = ps_scenario_load_or_report(file);
    assert_non_null(v.sc);
    v.e = ps_engine_new(v.sc, v.sc->seed);
    assert_non_null(v.e);
    ps_engine_run_until(v.e, t);
    v.s = calloc(1, sizeof *v.s);
    v.L = calloc(1, sizeof *v.L);
    assert_true(v.s && v.L);
    pv_scene_build(v.s, v.e, NULL, NULL);
    pv_layout_in in = { v.s, w, h, 1.0, fake_measure, NULL, "NAT", "t", "hint", "caption", false, NULL, 0, 0, present };
    pv_layout_compute(&in, v.L);
    return v;
}

static view at(const char *file, ps_time t, int w, int h) { return at_mode(file, t, w, h, false); }

static void done(view *v)
{
    free(v->L);
    free(v->s);
    ps_engine_free(v->e);
    ps_scenario_free(v->sc);
}

static void assert_labels_ok(const pv_layout *L)
{
    pv_rect win = { 0, 0, L->w, L->h };
    for (uint32_t i = 0; i < L->nlabels; i++) {
        assert_true(pv_rect_inside(L->labels[i], win));
        for (uint32_t k = i + 1; k < L->nlabels; k++)
            if (pv_rect_overlap(L->labels[i], L->labels[k])) fail_msg("labels %u and %u overlap", i, k);
    }
}

static uint32_t host_named(const pv_scene *s, const char *name)
{
    for (uint32_t h = 0; h < s->nhosts; h++)
        if (!strcmp(s->hosts[h].name, name)) return h;
    fail_msg("no host %s", name);
    return 0;
}

/* nat.scn at 241 ms: both laptops have an entry; the SYN|ACK for laptop2
 * is leaving home with its destination rewritten back. */
static void router_table_and_readdressed_envelope(void **state)
{
    (void)state;
    int sizes[2][2] = { { 1280, 720 }, { 1920, 1080 } };
    for (int k = 0; k < 2; k++) {
        view v = at("scenarios/nat.scn", 241500, sizes[k][0], sizes[k][1]);
        uint32_t home = host_named(v.s, "home");
        const pv_host *h = &v.s->hosts[home];
        assert_true(h->router);
        assert_string_equal(h->addr, "203.0.113.5");
        assert_string_equal(h->inside, "192.168.1.1");
        assert_int_equal(h->nnat, 2);
        const pv_nat_row *r0 = &v.s->nats[h->first_nat], *r1 = r0 + 1;
        assert_string_equal(r0->in, "192.168.1.10:50000");
        assert_string_equal(r0->out, "203.0.113.5:50000");
        assert_string_equal(r1->in, "192.168.1.11:50000");
        assert_string_equal(r1->out, "203.0.113.5:60693");
        assert_string_equal(pv_scene_conv(v.s, r0->conv)->id, "a");
        assert_string_equal(pv_scene_conv(v.s, r1->conv)->id, "b");
        /* the envelope home -> laptop2: destination rewritten, and said so */
        const pv_envelope *env = NULL;
        for (uint32_t i = 0; i < v.s->nenvs; i++)
            if (v.s->envs[i].host_from == home) env = &v.s->envs[i];
        assert_non_null(env);
        assert_string_equal(pv_scene_conv(v.s, env->conv)->id, "b");
        assert_int_equal(env->rewritten, (1u << PV_SLOT_DST_IP) | (1u << PV_SLOT_DST_PORT));
        assert_string_equal(env->detail, "home rewrote dst, was 203.0.113.5:60693");
        /* laid out inside the router's walls, under its name */
        const pv_host_box *hb = &v.L->hosts[home];
        assert_int_equal(hb->nat_shown, 2);
        assert_true(pv_rect_inside(hb->nat, hb->body));
        assert_true(pv_rect_inside(hb->nat_row[1], hb->nat));
        assert_true(hb->nat_inside.h > 0 && pv_rect_inside(hb->nat_inside, hb->nat));
        assert_true(hb->nat_row[0].y >= hb->name.y + hb->name.h);
        assert_true(hb->nat_px >= 12);
        assert_labels_ok(v.L);
        done(&v);
    }
}

/* The server's envelopes carry only public addresses; they still belong
 * to the laptop's conversation. */
static void outside_envelopes_keep_their_conversation(void **state)
{
    (void)state;
    view v = at("scenarios/nat.scn", 230000, 1280, 720); /* SYN|ACK server -> home */
    uint32_t server = host_named(v.s, "server");
    bool seen = false;
    for (uint32_t i = 0; i < v.s->nenvs; i++) {
        const pv_envelope *env = &v.s->envs[i];
        if (env->host_from != server) continue;
        seen = true;
        assert_string_equal(pv_scene_conv(v.s, env->conv)->id, "b");
        assert_int_equal(env->rewritten, 0);
    }
    assert_true(seen);
    done(&v);
}

static void forwarded_door_says_where(void **state)
{
    (void)state;
    view v = at("scenarios/port-forwarding.scn", 322500, 1280, 720);
    uint32_t home = host_named(v.s, "home");
    const pv_host *h = &v.s->hosts[home];
    bool found = false;
    for (uint32_t i = 0; i < h->ndoors; i++) {
        const pv_door *d = &v.s->doors[h->first_door + i];
        if (d->port != 8080) continue;
        found = true;
        assert_string_equal(d->sub, "→ laptop:80");
        assert_string_equal(d->note, "forwarded");
    }
    assert_true(found);
    assert_int_equal(h->nnat, 1);
    assert_true(v.s->nats[h->first_nat].forward);
    assert_string_equal(v.s->nats[h->first_nat].out, "203.0.113.5:8080");
    assert_labels_ok(v.L);
    done(&v);
}

/* Thirty laptops through one router: the table lists PV_MAX_NAT_ROWS at
 * most, counts the rest, and the building still holds it all. */
static void a_full_table_is_counted(void **state)
{
    (void)state;
    char path[] = "/tmp/portsim-nat-view-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "router home inside 10.0.0.1/16 outside 203.0.113.5 masquerade\n"
               "host server 93.184.216.34\nlink home server 5ms\n"
               "proc server nginx pid=1 user=root\nat 0ms server nginx listen 443\n");
    for (int i = 0; i < 30; i++)
        fprintf(f, "host l%d 10.0.1.%d\nlink l%d home 1ms\nproc l%d curl pid=2 user=u\n", i, i + 10, i, i);
    for (int i = 0; i < 30; i++) fprintf(f, "at %dms l%d curl connect 93.184.216.34:443 from 40000\n", 10 + i, i);
    fclose(f);
    view v = at(path, 500000, 1280, 720);
    remove(path);
    uint32_t home = host_named(v.s, "home");
    const pv_host *h = &v.s->hosts[home];
    assert_int_equal(h->nnat, PV_MAX_NAT_ROWS);
    assert_int_equal(h->hidden_nat, 30 - PV_MAX_NAT_ROWS);
    const pv_host_box *hb = &v.L->hosts[home];
    assert_true(hb->nat_shown <= h->nnat);
    assert_int_equal(hb->nat_more_count, 30 - hb->nat_shown);
    assert_true(hb->nat_more.h > 0 && pv_rect_inside(hb->nat_more, hb->nat));
    assert_labels_ok(v.L);
    done(&v);
}

/* Presenting (big type, short buildings): both entries still listed, in
 * the short form with the public port only (the address is on the roof). */
static void presenting_keeps_every_entry(void **state)
{
    (void)state;
    view v = at_mode("scenarios/nat.scn", 441500, 1920, 1080, true);
    uint32_t home = host_named(v.s, "home");
    const pv_host_box *hb = &v.L->hosts[home];
    assert_int_equal(hb->nat_shown, 2);
    assert_true(hb->nat_px >= v.L->min_px);
    char a[64], b[64];
    pv_nat_row_text(&v.s->nats[v.s->hosts[home].first_nat + 1], (pv_nat_form)hb->nat_form, a, b, sizeof a);
    assert_true(hb->nat_form == PV_NAT_PORT_ONLY || hb->nat_form == PV_NAT_ONE_LINE);
    if (hb->nat_form == PV_NAT_PORT_ONLY) assert_string_equal(a, "192.168.1.11:50000 ↔ :60693");
    assert_labels_ok(v.L);
    done(&v);
}

/* A DNS query through the router: its entry is a row marked udp, the answer
 * leaving home is re-addressed, and the table fits at both sizes. */
static void udp_entries_are_rows_marked_udp(void **state)
{
    (void)state;
    static const char text[] =
        "host laptop1 192.168.1.10\n"
        "router home inside 192.168.1.1/24 outside 203.0.113.5 masquerade\n"
        "host server 93.184.216.34\n"
        "link laptop1 home 1ms\nlink home server 20ms\n"
        "forward home udp 5353 to laptop1:53\n"
        "proc server dns pid=53 user=root\nproc laptop1 dig pid=4242 user=alice\n"
        "at 0ms server dns udp bind 53 as d reply \"A 1.2.3.4\"\n"
        "at 100ms laptop1 dig udp connect 93.184.216.34:53 from 50000 as q\n"
        "at 110ms q send \"A example.com\"\n";
    int sizes[2][2] = { { 1280, 720 }, { 1920, 1080 } };
    for (int k = 0; k < 2; k++) {
        view v;
        ps_diag d;
        v.sc = ps_scenario_parse(text, strlen(text), "udp.scn", &d);
        assert_non_null(v.sc);
        v.e = ps_engine_new(v.sc, v.sc->seed);
        assert_non_null(v.e);
        ps_engine_run_until(v.e, 151500); /* the answer is leaving home */
        v.s = calloc(1, sizeof *v.s);
        v.L = calloc(1, sizeof *v.L);
        assert_true(v.s && v.L);
        pv_scene_build(v.s, v.e, NULL, NULL);
        pv_layout_in in = { v.s, sizes[k][0], sizes[k][1], 1.0, fake_measure, NULL, "NAT", "t", "hint", "caption",
                            false, NULL, 0, 0, false };
        pv_layout_compute(&in, v.L);
        uint32_t home = host_named(v.s, "home");
        const pv_host *h = &v.s->hosts[home];
        assert_int_equal(h->nnat, 1);
        const pv_nat_row *r = &v.s->nats[h->first_nat];
        assert_true(r->udp);
        assert_false(r->forward);
        assert_string_equal(r->in, "192.168.1.10:50000");
        assert_string_equal(r->out, "203.0.113.5:50000");
        char a[96], b[96];
        pv_nat_row_text(r, PV_NAT_ONE_LINE, a, b, sizeof a);
        assert_string_equal(a, "192.168.1.10:50000 ↔ 203.0.113.5:50000 (udp)");
        const pv_envelope *env = NULL;
        for (uint32_t i = 0; i < v.s->nenvs; i++)
            if (v.s->envs[i].host_from == home) env = &v.s->envs[i];
        assert_non_null(env);
        assert_int_equal(env->rewritten, 1u << PV_SLOT_DST_IP);
        assert_string_equal(env->detail, "home rewrote dst, was 203.0.113.5:50000");
        const pv_host_box *hb = &v.L->hosts[home];
        assert_int_equal(hb->nat_shown, 1);
        assert_true(pv_rect_inside(hb->nat_row[0], hb->nat));
        assert_labels_ok(v.L);
        done(&v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(router_table_and_readdressed_envelope),
        cmocka_unit_test(outside_envelopes_keep_their_conversation),
        cmocka_unit_test(forwarded_door_says_where),
        cmocka_unit_test(a_full_table_is_counted),
        cmocka_unit_test(presenting_keeps_every_entry),
        cmocka_unit_test(udp_entries_are_rows_marked_udp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
