/* terminal.h — the lecture window's live terminal on the selected building:
 * its state (open or not, the line being edited, command history,
 * bounded scrollback) and running a typed line through the playback, which
 * records it as an injected command (playback.h) so the picture and the
 * timeline follow it. No SDL here: gui.c feeds it keys and text, panels
 * draw it, tests drive it directly. */
#ifndef PV_TERMINAL_H
#define PV_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

#include "playback.h"

#define PV_TERM_INPUT_MAX PV_INJECT_LINE_MAX /* bytes of the line being typed, NUL included */
#define PV_TERM_HISTORY 64                   /* commands Up/Down can recall */
#define PV_TERM_LINES 300                    /* scrollback lines kept */
#define PV_TERM_LINE_MAX 320                 /* bytes kept of one scrollback line */

/* What a scrollback line is, for its colour. */
enum { PV_TERM_OUT, PV_TERM_CMD, PV_TERM_NOTE, PV_TERM_ERR };

typedef struct pv_term {
    bool open;
    char input[PV_TERM_INPUT_MAX];
    size_t len, cur;                         /* bytes in input; cursor byte offset */
    char hist[PV_TERM_HISTORY][PV_TERM_INPUT_MAX]; /* ring, oldest first from hist_first */
    int nhist, hist_first;
    int hist_pos;                            /* -1: editing a new line; else 0..nhist-1 */
    char draft[PV_TERM_INPUT_MAX];           /* the new line, kept while browsing history */
    char lines[PV_TERM_LINES][PV_TERM_LINE_MAX]; /* ring of scrollback lines */
    unsigned char kind[PV_TERM_LINES];
    int nlines, first;
    int scroll;                              /* lines scrolled back from the bottom */
} pv_term;

void pv_term_reset(pv_term *t);

/* `user@host:~$ ` into buf. */
char *pv_term_prompt(char *buf, size_t n, const char *user, const char *host);

/* ---- the line editor ---- */

/* Inserts UTF-8 text at the cursor (control characters are dropped, text
 * that would not fit is cut at a character boundary). */
void pv_term_insert(pv_term *t, const char *text);
void pv_term_backspace(pv_term *t);
void pv_term_delete(pv_term *t);
/* Moves the cursor one character (dir < 0 left, > 0 right). */
void pv_term_move(pv_term *t, int dir);
void pv_term_home(pv_term *t);
void pv_term_end(pv_term *t);
/* Ctrl+U: clears the line. */
void pv_term_kill_line(pv_term *t);
/* Up (dir < 0) recalls older commands, Down newer ones and finally the
 * line that was being typed. */
void pv_term_history(pv_term *t, int dir);
/* Scrolls the scrollback by n lines (> 0: back in time), clamped. */
void pv_term_scroll(pv_term *t, int n, int visible);

/* Does one of the line editor's and scrollback's key actions (keys.h:
 * history, moving, deleting, Ctrl+U/C/L, PgUp/PgDn with `visible` rows);
 * false for any other action, which the caller handles (run, close). One
 * place for what every backend's terminal keys do. */
bool pv_term_perform(pv_term *t, int action, int visible);

/* ---- scrollback ---- */

/* Appends text (split at newlines) to the scrollback, dropping the oldest
 * lines past PV_TERM_LINES. */
void pv_term_print(pv_term *t, const char *text, int kind);
/* Ctrl+L: empties the scrollback (history and the line stay). */
void pv_term_clear(pv_term *t);
/* Scrollback line i (0 = oldest kept), and its kind. */
const char *pv_term_line(const pv_term *t, int i, int *kind);

/* ---- running ---- */

/* Enter: adds the line to history, echoes prompt + line, runs it on host
 * through pv_playback_inject at the playback's current time and prints the
 * output (or why it did not run). Clears the line. Returns the status
 * (PV_INJECT_EMPTY for a blank line, which only echoes the prompt). */
pv_inject_status pv_term_enter(pv_term *t, pv_playback *pb, uint32_t host);

#endif
