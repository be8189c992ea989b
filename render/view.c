/* view.c — owns the lecture's state: loading scenarios (keeping the old
 * one when a new one fails), the scene snapshot cache, and drawing one
 * frame through layout, the painter and the panels (see view.h). */
#include "view.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "load.h"
#include "paths.h"
#include "units.h"

pv_view *pv_view_new(const pv_gfx *g, char *err, size_t n)
{
    pv_view *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    v->paint.g = g;
    v->zoom = 1.0;
    v->host_sel = PS_NONE;
    v->quiz.current = PV_QUIZ_NONE; /* no questions before a scenario opens */
    pv_term_reset(&v->term);
    v->scene = calloc(1, sizeof *v->scene);
    v->lay = calloc(1, sizeof *v->lay);
    if (!v->scene || !v->lay) {
        snprintf(err, n, "out of memory");
        pv_view_free(v);
        return NULL;
    }
    return v;
}

void pv_view_free(pv_view *v)
{
    if (!v) return;
    pv_quiz_close(&v->quiz);
    if (v->sc) pv_playback_close(&v->pb);
    ps_scenario_free(v->sc);
    free(v->scene);
    free(v->lay);
    free(v);
}

bool pv_view_load(pv_view *v, const char *path, char *err, size_t n)
{
    ps_diag d;
    memset(&d, 0, sizeof d);
    ps_scenario *sc = ps_scenario_load(path, &d);
    if (!sc) {
        ps_diag_format(&d, err, n);
        return false;
    }
    pv_playback pb;
    if (!pv_playback_open(&pb, sc)) {
        pv_playback_close(&pb);
        ps_scenario_free(sc);
        snprintf(err, n, "%s: error: out of memory while running the scenario", path ? path : "built-in");
        return false;
    }
    pv_quiz quiz;
    if (!pv_quiz_open(&quiz, sc, !v->no_questions)) {
        pv_playback_close(&pb);
        ps_scenario_free(sc);
        snprintf(err, n, "%s: error: out of memory while answering the questions", path ? path : "built-in");
        return false;
    }
    pv_quiz_close(&v->quiz);
    v->quiz = quiz;
    if (v->sc) pv_playback_close(&v->pb);
    ps_scenario_free(v->sc);
    v->sc = sc;
    v->pb = pb;
    v->pb.sc = sc;
    snprintf(v->source, sizeof v->source, "%s", path ? path : "");
    v->host_sel = PS_NONE;
    v->scene_valid = false;
    v->marks_w = 0;
    if (v->term.nlines > 0)
        pv_term_print(&v->term, "--- another scenario was opened: the commands typed before are gone ---",
                      PV_TERM_NOTE);
    pv_playback_seek(&v->pb, 0);
    return true;
}

uint32_t pv_view_table_host(const pv_view *v)
{
    if (!v->sc || v->sc->nhosts == 0) return PS_NONE;
    if (v->host_sel < v->sc->nhosts) return v->host_sel;
    uint32_t best = 0, best_n = 0;
    uint32_t *count = calloc(v->sc->nhosts, sizeof *count);
    if (!count) return 0;
    for (uint32_t i = 0; i < v->sc->nactions; i++) {
        const ps_action *a = &v->sc->actions[i];
        if ((a->kind == PS_ACT_LISTEN || a->kind == PS_ACT_BIND) && a->host < v->sc->nhosts &&
            ++count[a->host] > best_n) {
            best_n = count[a->host];
            best = a->host;
        }
    }
    free(count);
    return best;
}

pv_inject_status pv_view_term_enter(pv_view *v)
{
    if (!v->sc) return PV_INJECT_BAD_HOST;
    pv_inject_status st = pv_term_enter(&v->term, &v->pb, pv_view_table_host(v));
    v->scene_valid = false;
    v->marks_w = 0;
    return st;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The `title "..."` of a lesson file, read from its first lines only (a
 * lesson states its title at the top; a picker of many files stays quick). */
static void lesson_title(const char *path, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char line[512];
    for (int k = 0; k < 40 && fgets(line, sizeof line, f); k++) {
        const char *p = line + strspn(line, " \t");
        if (strncmp(p, "title", 5) != 0 || (p[5] != ' ' && p[5] != '\t')) continue;
        const char *q = strchr(p, '"'), *e = q ? strchr(q + 1, '"') : NULL;
        if (q && e) snprintf(out, n, "%.*s", (int)(e - q - 1), q + 1);
        break;
    }
    fclose(f);
}

void pv_view_picker_open(pv_view *v, const char *dir)
{
    char lessons[PS_PATH_MAX];
    if (!dir) {
        ps_data_dir(PS_DATA_LESSONS, lessons, sizeof lessons);
        dir = lessons;
    }
    v->npicks = 0;
    v->pick = 0;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL && v->npicks < PV_PICK_MAX) {
            size_t len = strlen(e->d_name);
            if (len <= 4 || strcmp(e->d_name + len - 4, ".scn") != 0) continue;
            /* A path cut short would open another file: leave it out. */
            int n = snprintf(v->picks[v->npicks], sizeof v->picks[0], "%s/%s", dir, e->d_name);
            if (n > 0 && (size_t)n < sizeof v->picks[0]) v->npicks++;
        }
        closedir(d);
    }
    qsort(v->picks, (size_t)v->npicks, sizeof v->picks[0], name_cmp);
    /* Titles say what a lesson is about better than file names do; the
     * list starts at the lesson that is open. */
    const char *open_base = strrchr(v->source, '/') ? strrchr(v->source, '/') + 1 : v->source;
    for (int i = 0; i < v->npicks; i++) {
        lesson_title(v->picks[i], v->pick_titles[i], sizeof v->pick_titles[i]);
        const char *base = strrchr(v->picks[i], '/') ? strrchr(v->picks[i], '/') + 1 : v->picks[i];
        if (open_base[0] && strcmp(base, open_base) == 0) v->pick = i;
    }
    v->picker = true;
}

static void refresh_scene(pv_view *v)
{
    if (v->scene_valid && v->scene_at == v->pb.now) return;
    if (v->pb.eng) pv_scene_build(v->scene, v->pb.eng, pv_playback_demux, &v->pb);
    v->scene_valid = true;
    v->scene_at = v->pb.now;
}

void pv_view_draw(pv_view *v, int w, int h)
{
    char clock[128], ms[32], speed[16], score[48];
    refresh_scene(v);
    pv_playback_speed_str(&v->pb, speed, sizeof speed);
    pv_quiz_score_str(&v->quiz, score, sizeof score);
    snprintf(clock, sizeof clock, "t = %s ms  %s %s%s%s", ps_time_ms(v->pb.now, 0, ms),
             v->pb.playing ? "▶ playing" : "‖ paused", speed, score[0] ? "  · " : "", score);
    const char *title = v->sc && v->sc->title ? v->sc->title : v->source[0] ? v->source : "portsim";
    const char *caption = v->sc ? pv_playback_caption(&v->pb) : NULL;
    const pv_rec *err = v->sc ? pv_playback_error(&v->pb, PV_BANNER_WINDOW) : NULL;
    bool error_notice = v->notice[0] && v->notice_error && !v->hide_notice;
    pv_layout_in in = { v->scene, w, h, v->zoom, v->paint.g->measure, v->paint.g->ctx, title, clock, PV_HINT,
                        caption ? caption : "Press space to play, or → to step through the events.",
                        err != NULL || error_notice,
                        err && err->port ? pv_playback_error_label(&v->pb, err) : NULL, err ? err->host : PS_NONE,
                        (uint16_t)(err ? err->port : 0), v->present };
    pv_layout_compute(&in, v->lay);
    if (v->boxes) pv_boxes_clear(v->boxes);
    v->paint.rec = v->boxes;
    pv_fill(&v->paint, (pv_rect){ 0, 0, w, h }, PV_RGB(0x16, 0x1B, 0x2A)); /* behind every panel */
    pv_draw_scene(&v->paint, v->lay, v->scene, v->present ? PS_NONE : pv_view_table_host(v));
    pv_draw_panels(v, title, clock, PV_HINT, in.caption);
    pv_draw_lookup(&v->paint, v->lay, v->scene);
    if (in.door_error) pv_draw_door_error(&v->paint, v->lay, in.door_error);
    pv_draw_terminal(v);
    pv_draw_quiz(v);
    pv_draw_overlays(v);
}

void pv_view_describe_socket(const pv_view *v, uint32_t s, char *buf, size_t n)
{
    const ps_socket *k = ps_engine_socket(v->pb.eng, s);
    const ps_proc *p = k->proc != PS_NONE ? ps_engine_proc(v->pb.eng, k->proc) : NULL;
    char la[PS_ENDPOINT_STRLEN], ra[PS_ENDPOINT_STRLEN] = "", who[64] = "nobody (orphaned)";
    if (p) snprintf(who, sizeof who, "%s %u", p->name, (unsigned)p->pid);
    ps_sc_endpoint_str(v->sc, k->laddr, ps_sock_v6(k), k->lport, la);
    if (k->state != PS_LISTEN) ps_sc_endpoint_str(v->sc, k->raddr, ps_sock_v6(k), k->rport, ra);
    const char *name = k->name != PS_NONE && k->name < v->sc->nsocks ? v->sc->socks[k->name].name : NULL;
    if (k->state == PS_LISTEN) /* the short form first: the top bar may cut the rest */
        snprintf(buf, n, ":%u · %s · LISTEN on %s", (unsigned)k->lport, who, la);
    else
        snprintf(buf, n, "%u%s%s · %s · %s · %s -> %s", (unsigned)k->lport, name ? " · " : "", name ? name : "", who,
                 ps_state_ss((ps_tcp_state)k->state), la, ra);
}

bool pv_view_door_at(const pv_view *v, int x, int y, char *buf, size_t n)
{
    if (!v->sc || !v->pb.eng) return false;
    for (uint32_t i = 0; i < v->scene->ndoors; i++) {
        const pv_door *d = &v->scene->doors[i];
        if (d->socket == PS_NONE || !pv_rect_contains(v->lay->doors[i].r, x, y)) continue;
        pv_view_describe_socket(v, d->socket, buf, n);
        return true;
    }
    return false;
}
