/* quiz.h — the answers to a scenario's questions (`ask` lines, scenario.h),
 * computed by running it, and the grading of a student's reply.
 *
 * A question pauses the lesson before the events at its time; its answer is
 * what the run then does: which socket the next matching segment lands in,
 * what the next listen on a host returns, the result or the port of a named
 * socket. The author writes an answer only for a free `choice`. One run
 * answers every question: a watcher sits on the event stream in front of
 * another sink (the trace), so a question never changes the trace, and each
 * event costs O(log questions). */
#ifndef PS_QUIZ_H
#define PS_QUIZ_H

#include "engine_ops.h"

typedef struct ps_quiz_answer {
    bool known;     /* the run answered the question */
    const char *text; /* "web", "RST", "EADDRINUSE", "50688", the author's choice:
                         points into buf or at scenario-owned text */
    char buf[24];
    char alt[16];   /* which-socket: "listener" or "connection" counts too; else "" */
    char why[160];  /* !known: why not ("no SYN reached 93.184.216.34:443 from 160 ms on") */
} ps_quiz_answer;

/* The answers of one run. Fields are private to quiz.c. */
typedef struct ps_quiz {
    const ps_scenario *sc;
    ps_quiz_answer *answers;  /* one per question */
    struct ps_quiz_watcher *watch; /* the questions events answer, grouped by what they watch */
    uint32_t nwatch;
    const ps_engine *engine;  /* the run being watched */
    ps_event_fn sink;         /* where events go on to */
    void *sink_ctx;
} ps_quiz;

/* Prepares answers for sc's questions; false if memory runs out. Allocates
 * nothing for a scenario without questions. */
bool ps_quiz_init(ps_quiz *q, const ps_scenario *sc);
void ps_quiz_free(ps_quiz *q);

/* Puts the quiz on e's event stream, in front of sink(ctx, ev) (may be NULL). */
void ps_quiz_watch(ps_quiz *q, ps_engine *e, ps_event_fn sink, void *ctx);

/* After the run: answers the questions about named sockets and says why the
 * others found no answer. */
void ps_quiz_finish(ps_quiz *q, ps_engine *e);

/* Prepares q and answers sc's questions in one quiet run with seed (shell
 * lines run, at most max_steps queue steps); *status says how the run
 * ended. False if memory runs out (q is then empty). */
bool ps_quiz_compute(ps_quiz *q, const ps_scenario *sc, uint64_t seed, uint64_t max_steps,
                     ps_run_status *status);

/* Is the student's reply right? A reply is a choice's number (1 to the
 * number of choices) or the answer's words; case and surrounding blanks
 * do not matter. */
bool ps_quiz_grade(const ps_question *qn, const ps_quiz_answer *a, const char *reply, size_t len);

/* For `portsim check`: the question has an answer, and when it offers
 * choices exactly one of them is right. Writes what was found into got. */
bool ps_quiz_check(const ps_question *qn, const ps_quiz_answer *a, char *got, size_t n);

#endif
