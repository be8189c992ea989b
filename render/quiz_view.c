/* quiz_view.c — the window's questions (quiz_view.h). */
#include "quiz_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pv_quiz_open(pv_quiz *q, const ps_scenario *sc, bool on)
{
    memset(q, 0, sizeof *q);
    q->sc = sc;
    q->current = PV_QUIZ_NONE;
    if (sc->nquestions == 0) return true;
    ps_run_status st;
    q->picked = calloc(sc->nquestions, 1);
    if (!q->picked || !ps_quiz_compute(&q->answers, sc, sc->seed, PS_DEFAULT_MAX_STEPS, &st)) {
        pv_quiz_close(q);
        return false;
    }
    q->on = on;
    return true;
}

void pv_quiz_close(pv_quiz *q)
{
    ps_quiz_free(&q->answers);
    free(q->picked);
    memset(q, 0, sizeof *q);
    q->current = PV_QUIZ_NONE;
}

ps_time pv_quiz_gate(pv_quiz *q, ps_time from, ps_time to)
{
    const ps_scenario *sc = q->sc;
    if (!q->on || !q->picked || to <= from) return to;
    /* Questions are in time order: find the first after `from`. The window
     * opens at 0 ms with the events at 0 ms shown, so a question at 0 ms is
     * asked on the first move from 0 ms. */
    uint32_t lo = 0, hi = sc->nquestions;
    while (from > 0 && lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (sc->questions[mid].t <= from) lo = mid + 1;
        else hi = mid;
    }
    for (uint32_t i = lo; i < sc->nquestions && sc->questions[i].t <= to; i++) {
        if (q->picked[i]) continue; /* answered before: the lesson goes on */
        q->current = i;
        q->hint = false;
        /* Just before the events at its time. */
        return sc->questions[i].t > from ? sc->questions[i].t - 1 : from;
    }
    return to;
}

/* Is the pick of question i right? */
static bool pick_right(const pv_quiz *q, uint32_t i)
{
    uint8_t p = q->picked[i];
    if (p == 0 || p == PV_QUIZ_SEEN) return false;
    const char *c = q->sc->questions[i].choices[p - 1];
    return ps_quiz_grade(&q->sc->questions[i], &q->answers.answers[i], c, strlen(c));
}

bool pv_quiz_pick(pv_quiz *q, unsigned n)
{
    const ps_question *qn = pv_quiz_current(q);
    if (!qn || q->picked[q->current] || n < 1 || n > qn->nchoices) return false;
    q->picked[q->current] = (uint8_t)n;
    q->npicked++;
    q->nright += pick_right(q, q->current);
    return true;
}

void pv_quiz_reveal(pv_quiz *q)
{
    const ps_question *qn = pv_quiz_current(q);
    if (qn && !q->picked[q->current] && qn->nchoices == 0) q->picked[q->current] = PV_QUIZ_SEEN;
}

void pv_quiz_dismiss(pv_quiz *q)
{
    if (pv_quiz_revealed(q)) q->current = PV_QUIZ_NONE;
}

void pv_quiz_toggle(pv_quiz *q)
{
    q->on = !q->on && q->picked;
    q->current = PV_QUIZ_NONE;
}

const ps_question *pv_quiz_current(const pv_quiz *q)
{
    return q->current != PV_QUIZ_NONE ? &q->sc->questions[q->current] : NULL;
}

bool pv_quiz_revealed(const pv_quiz *q)
{
    return q->current != PV_QUIZ_NONE && q->picked[q->current] != 0;
}

bool pv_quiz_right(const pv_quiz *q)
{
    return q->current != PV_QUIZ_NONE && pick_right(q, q->current);
}

void pv_quiz_score_str(const pv_quiz *q, char *buf, size_t n)
{
    /* The top bar is shared with the title: the score appears once there is
     * one, and says it briefly. */
    if (!q->picked) snprintf(buf, n, "%s", "");
    else if (!q->on) snprintf(buf, n, "questions off");
    else if (q->npicked == 0) snprintf(buf, n, "%s", "");
    else snprintf(buf, n, "%u/%u right", q->nright, q->npicked);
}
