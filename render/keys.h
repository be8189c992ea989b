/* keys.h — the lecture window's keys, in one table: which key (with Ctrl or
 * Alt) does what in each mode (the window, the live terminal, the file
 * picker), with the label and help text people read. The window (gui.c)
 * looks its keys up here; the help overlay, the picker's title,
 * `portsim --help` and the README's key table are printed from it, so they
 * cannot drift apart. No SDL: gui.c translates SDL key codes to pv_key. */
#ifndef PV_KEYS_H
#define PV_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A key: printable ASCII keys are their lower-case character (' ', 'a',
 * '+', '=', '/', '`', ...; Shift is not part of the key), the others are
 * named here, above the ASCII range. */
enum {
    PV_KEY_NONE = 0,
    PV_KEY_RIGHT = 0x100,
    PV_KEY_LEFT,
    PV_KEY_UP,
    PV_KEY_DOWN,
    PV_KEY_PAGEUP,
    PV_KEY_PAGEDOWN,
    PV_KEY_HOME,
    PV_KEY_END,
    PV_KEY_ENTER,
    PV_KEY_ESCAPE,
    PV_KEY_TAB,
    PV_KEY_BACKSPACE,
    PV_KEY_DELETE,
    PV_KEY_F5,
};

/* Modifiers a binding asks for; Shift is ignored (it makes '?' of '/'). */
/* Shift counts only for letters (Shift+R); elsewhere it only picks the
 * character ('?', '+'), which the key code already is. */
enum { PV_MOD_CTRL = 1u, PV_MOD_ALT = 2u, PV_MOD_SHIFT = 4u };

typedef enum pv_key_mode {
    PV_KEYS_WINDOW,   /* the lesson plays; the help overlay may be open */
    PV_KEYS_TERMINAL, /* the live terminal has the keyboard */
    PV_KEYS_PICKER,   /* the file picker is open */
    PV_KEYS_QUESTION, /* a question (an `ask` line) is on screen */
    PV_KEYS_NMODES
} pv_key_mode;

typedef enum pv_action {
    PV_ACT_NONE,
    PV_ACT_PLAY_PAUSE,
    PV_ACT_STEP_NEXT,
    PV_ACT_STEP_PREV,
    PV_ACT_GO_START,
    PV_ACT_GO_END,
    PV_ACT_FASTER,
    PV_ACT_SLOWER,
    PV_ACT_ZOOM_IN,
    PV_ACT_ZOOM_OUT,
    PV_ACT_ZOOM_RESET,
    PV_ACT_RESTART,        /* from 0 ms, the lesson as written (typed commands dropped) */
    PV_ACT_RESTART_KEEP,   /* from 0 ms, typed commands kept */
    PV_ACT_FRAME_COUNTER,  /* frames per second in the title bar and on stderr */
    PV_ACT_PRESENT,        /* presentation mode: table and log folded, big type */
    PV_ACT_NEXT_HOST,
    PV_ACT_OPEN,
    PV_ACT_TERMINAL,
    PV_ACT_SAVE_SESSION,
    PV_ACT_PCAP,
    PV_ACT_SCREENSHOT,
    PV_ACT_FULLSCREEN,
    PV_ACT_HELP,
    PV_ACT_HELP_CLOSE,
    PV_ACT_QUIT,
    /* the terminal */
    PV_ACT_TERM_RUN,
    PV_ACT_TERM_HISTORY_PREV,
    PV_ACT_TERM_HISTORY_NEXT,
    PV_ACT_TERM_LEFT,
    PV_ACT_TERM_RIGHT,
    PV_ACT_TERM_HOME,
    PV_ACT_TERM_END,
    PV_ACT_TERM_BACKSPACE,
    PV_ACT_TERM_DELETE,
    PV_ACT_TERM_KILL_LINE,
    PV_ACT_TERM_ABANDON_LINE,
    PV_ACT_TERM_CLEAR,
    PV_ACT_TERM_SCROLL_UP,
    PV_ACT_TERM_SCROLL_DOWN,
    PV_ACT_TERM_CLOSE,
    /* the file picker */
    PV_ACT_PICK_PREV,
    PV_ACT_PICK_NEXT,
    PV_ACT_PICK_OPEN,
    PV_ACT_PICK_CANCEL,
    /* questions (render/quiz_view.h) */
    PV_ACT_QUIZ_TOGGLE,
    PV_ACT_QUIZ_CONTINUE,
    PV_ACT_QUIZ_HINT,
} pv_action;
#define PV_ACT_LAST PV_ACT_QUIZ_HINT /* keep it the last one */

#define PV_KEY_ROW_BINDS 4

typedef struct pv_key_bind {
    int key;         /* PV_KEY_NONE ends a row's list */
    unsigned mods;   /* PV_MOD_* */
    pv_action action;
} pv_key_bind;

/* One line of help: a label such as "→ / ←, PgDn / PgUp" for the keys it
 * binds (none for mouse gestures, which are listed for people only). Labels
 * never hold two spaces in a row: `portsim --help` uses that as the column
 * break. */
typedef struct pv_key_row {
    pv_key_mode mode;
    const char *label, *help;
    pv_key_bind binds[PV_KEY_ROW_BINDS];
} pv_key_row;

/* The table, in the order it is shown. */
const pv_key_row *pv_key_rows(size_t *n);

/* The action of key with mods (PV_MOD_*; other bits ignored) in mode, or
 * PV_ACT_NONE. */
pv_action pv_key_action(pv_key_mode mode, int key, unsigned mods);

/* "Keys in the window" and the like. */
const char *pv_key_mode_title(pv_key_mode mode);

/* Every mode's rows under its title: aligned text for `portsim --help`, or
 * Markdown tables for the README. */
void pv_keys_print(FILE *out, bool markdown);

#endif
