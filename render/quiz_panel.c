/* quiz_panel.c — a question on screen (view.h, "questions"): the box over
 * the lower part of the street, so the picture the student predicts from
 * stays in view; clicks on its choices; stopping the lesson at a question.
 * What is asked and what counts is render/quiz_view.c's. */
#include <stdio.h>
#include <string.h>

#include "paint.h"
#include "units.h"
#include "view.h"

void pv_view_quiz_gate(pv_view *v, ps_time before)
{
    ps_time stop = pv_quiz_gate(&v->quiz, before, v->pb.now);
    if (!pv_quiz_current(&v->quiz)) return;
    v->pb.playing = false;
    if (stop != v->pb.now) pv_playback_seek(&v->pb, stop);
}

bool pv_view_quiz_click(pv_view *v, int x, int y)
{
    if (!pv_quiz_current(&v->quiz)) return false;
    for (int i = 0; i < v->quiz_nrows; i++)
        if (pv_rect_contains(v->quiz_rows[i], x, y)) pv_quiz_pick(&v->quiz, (unsigned)i + 1);
    return true;
}

/* One choice: its number and words, and once revealed what it was, in
 * words as well as colour. */
static void draw_choice(pv_view *v, const ps_question *qn, unsigned i, pv_rect row, int px)
{
    const pv_quiz *q = &v->quiz;
    bool revealed = pv_quiz_revealed(q);
    const char *c = qn->choices[i];
    bool answer = revealed && ps_quiz_grade(qn, &q->answers.answers[q->current], c, strlen(c));
    bool picked = revealed && q->picked[q->current] == i + 1;
    char line[600];
    snprintf(line, sizeof line, "%u   %s%s", i + 1, c,
             answer && picked ? "   ✓ your answer, right" : answer ? "   ← the answer"
             : picked       ? "   ✗ your answer"      : "");
    if (answer) pv_fill(&v->paint, row, PV_COL_HILITE);
    pv_paint_text_in(&v->paint, line, PV_FACE_SANS, px, answer ? PV_COL_LISTEN : picked ? PV_COL_ERROR : PV_COL_TEXT,
               (pv_rect){ row.x + pv_th(v->lay, 8), row.y, row.w - pv_th(v->lay, 16), row.h }, PV_ALIGN_LEFT);
}

void pv_draw_quiz(pv_view *v)
{
    const ps_question *qn = pv_quiz_current(&v->quiz);
    v->quiz_nrows = 0;
    if (!qn) return;
    const pv_layout *L = v->lay;
    const pv_quiz *q = &v->quiz;
    int px = L->px.caption, row = px * 8 / 5, pad = pv_th(L, 14);
    int lines = 3 + (int)qn->nchoices + (q->hint && qn->hint) + (pv_quiz_revealed(q) ? 2 : 0);
    int h = lines * row + 2 * pad, w = L->scene.w - 2 * pad;
    if (h > L->scene.h) h = L->scene.h;
    pv_rect box = { L->scene.x + pad, L->scene.y + L->scene.h - h - pad / 2, w, h };
    pv_fill(&v->paint, box, PV_COL_PANEL_HEAD);
    pv_outline(&v->paint, box, PV_COL_NOW, pv_th(L, 2));
    int x = box.x + pad, tw = box.w - 2 * pad, y = box.y + pad;
    char title[160], tb[32];
    snprintf(title, sizeof title, "Question %u of %u (%s), before %s — predict, then see", q->current + 1,
             v->sc->nquestions, qn->id, ps_time_str(qn->t, tb));
    pv_paint_text(&v->paint, title, PV_FACE_BOLD, L->px.small, PV_COL_NOW, x, y, tw, PV_ALIGN_LEFT);
    y += row;
    pv_paint_text(&v->paint, qn->text, PV_FACE_BOLD, px, PV_COL_TEXT, x, y, tw, PV_ALIGN_LEFT);
    y += row;
    for (unsigned i = 0; i < qn->nchoices; i++, y += row) {
        v->quiz_rows[v->quiz_nrows++] = (pv_rect){ x, y, tw, row };
        draw_choice(v, qn, i, v->quiz_rows[i], px);
    }
    if (q->hint && qn->hint) {
        char hint[600];
        snprintf(hint, sizeof hint, "Hint: %s", qn->hint);
        pv_paint_text(&v->paint, hint, PV_FACE_SANS, px, PV_COL_TEXT_DIM, x, y, tw, PV_ALIGN_LEFT);
        y += row;
    }
    if (pv_quiz_revealed(q)) {
        const ps_quiz_answer *a = &q->answers.answers[q->current];
        char verdict[200];
        if (!a->known) snprintf(verdict, sizeof verdict, "No answer: %s", a->why);
        else if (qn->nchoices == 0) snprintf(verdict, sizeof verdict, "The answer: %s", a->text);
        else snprintf(verdict, sizeof verdict, "%s", pv_quiz_right(q) ? "Right." : "Not quite.");
        pv_paint_text(&v->paint, verdict, PV_FACE_BOLD, px, PV_COL_NOW, x, y, tw, PV_ALIGN_LEFT);
        y += row;
        if (qn->explain) pv_paint_text(&v->paint, qn->explain, PV_FACE_SANS, px, PV_COL_TEXT, x, y, tw, PV_ALIGN_LEFT);
        y += row;
    }
    pv_paint_text(&v->paint,
                 pv_quiz_revealed(q) ? "Enter go on · A questions off"
                 : qn->nchoices      ? "1–9 or click answer · ? hint · A questions off"
                                     : "Enter show the answer · ? hint · A questions off",
                 PV_FACE_SANS, L->px.small, PV_COL_TEXT_DIM, x, y, tw, PV_ALIGN_LEFT);
}
