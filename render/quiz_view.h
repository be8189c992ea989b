/* quiz_view.h — the window's questions, as a view model (no SDL): when playing
 * or stepping reaches an `ask` line, the lesson stops just before the
 * question's time and the question goes on screen; a pick (keys 1-9 or a
 * click on a choice) reveals right or wrong and the explanation; the score
 * is for the top bar. The answers are trace/quiz.h's, from one quiet run
 * made when the scenario opens. Questions can be switched off (a key, the
 * --no-questions flag): the lesson then plays through them. */
#ifndef PV_QUIZ_VIEW_H
#define PV_QUIZ_VIEW_H

#include "quiz.h"

#define PV_QUIZ_NONE UINT32_MAX

typedef struct pv_quiz {
    const ps_scenario *sc;   /* not owned */
    ps_quiz answers;         /* what the run answers, one per question */
    uint8_t *picked;         /* per question: the choice picked (1-9), 0 not yet,
                                PV_QUIZ_SEEN for an open question revealed */
    bool on;                 /* questions stop the lesson */
    uint32_t current;        /* the question on screen, PV_QUIZ_NONE */
    bool hint;               /* the current question's hint is shown */
    uint32_t npicked, nright; /* choices picked so far, and how many were right */
} pv_quiz;

#define PV_QUIZ_SEEN 0xffu

/* Answers sc's questions (one run with its seed). False if memory runs out;
 * the quiz is then empty and off. */
bool pv_quiz_open(pv_quiz *q, const ps_scenario *sc, bool on);
void pv_quiz_close(pv_quiz *q);

/* The lesson is moving from `from` to `to` (to > from: playing or stepping
 * on). Returns where it must stop: `to`, or just before the time of the
 * first question in (from, to] not yet answered, which goes on screen. */
ps_time pv_quiz_gate(pv_quiz *q, ps_time from, ps_time to);

/* Keys 1-9 or a click: picks choice n (1-based) of the question on screen.
 * False when there is nothing to pick (no question, already revealed, no
 * such choice). */
bool pv_quiz_pick(pv_quiz *q, unsigned n);
/* Reveals an open question (one without choices) without scoring it. */
void pv_quiz_reveal(pv_quiz *q);
/* Takes the revealed question off the screen; the lesson goes on. */
void pv_quiz_dismiss(pv_quiz *q);
/* Switches questions on or off (off also takes the question off screen). */
void pv_quiz_toggle(pv_quiz *q);

/* The question on screen and whether it is revealed, or NULL. */
const ps_question *pv_quiz_current(const pv_quiz *q);
bool pv_quiz_revealed(const pv_quiz *q);
/* Was the pick on screen right? (Only meaningful once revealed.) */
bool pv_quiz_right(const pv_quiz *q);

/* "Questions 2/3 right" for the top bar ("questions off" when off); ""
 * when the scenario has none. */
void pv_quiz_score_str(const pv_quiz *q, char *buf, size_t n);

#endif
