/* keys.c — the key table (keys.h) and its printed forms. */
#include "keys.h"

#define C PV_MOD_CTRL
#define A PV_MOD_ALT
#define S PV_MOD_SHIFT

static const pv_key_row k_rows[] = {
    /* the window; the help overlay shows these, so their help texts stay short */
    { PV_KEYS_WINDOW, "Space", "play / pause", { { ' ', 0, PV_ACT_PLAY_PAUSE } } },
    { PV_KEYS_WINDOW, "→ / ←, PgDn / PgUp", "next / previous event",
      { { PV_KEY_RIGHT, 0, PV_ACT_STEP_NEXT }, { PV_KEY_LEFT, 0, PV_ACT_STEP_PREV },
        { PV_KEY_PAGEDOWN, 0, PV_ACT_STEP_NEXT }, { PV_KEY_PAGEUP, 0, PV_ACT_STEP_PREV } } },
    { PV_KEYS_WINDOW, "Home / End", "jump to the start / the end",
      { { PV_KEY_HOME, 0, PV_ACT_GO_START }, { PV_KEY_END, 0, PV_ACT_GO_END } } },
    { PV_KEYS_WINDOW, "+ / −", "faster / slower (×1: 1 simulated ms = 40 ms)",
      { { '+', 0, PV_ACT_FASTER }, { '=', 0, PV_ACT_FASTER }, { '-', 0, PV_ACT_SLOWER } } },
    { PV_KEYS_WINDOW, "R / Shift+R", "restart as written / keeping typed commands",
      { { 'r', 0, PV_ACT_RESTART }, { 'r', S, PV_ACT_RESTART_KEEP } } },
    { PV_KEYS_WINDOW, "Click / drag the timeline", "jump to that moment", { { 0 } } },
    { PV_KEYS_WINDOW, "Click a building, Tab", "choose whose sockets the table lists",
      { { PV_KEY_TAB, 0, PV_ACT_NEXT_HOST } } },
    { PV_KEYS_WINDOW, "O", "open a scenario (or drop a file on the window)", { { 'o', 0, PV_ACT_OPEN } } },
    { PV_KEYS_WINDOW, "T or `", "a terminal on the selected building",
      { { 't', 0, PV_ACT_TERMINAL }, { '`', 0, PV_ACT_TERMINAL } } },
    { PV_KEYS_WINDOW, "Ctrl+S", "save the typed commands as NAME-session.scn",
      { { 's', C, PV_ACT_SAVE_SESSION } } },
    { PV_KEYS_WINDOW, "P", "write the session's capture NAME.pcap", { { 'p', 0, PV_ACT_PCAP } } },
    { PV_KEYS_WINDOW, "S", "save a PNG screenshot", { { 's', 0, PV_ACT_SCREENSHOT } } },
    { PV_KEYS_WINDOW, "F", "fullscreen", { { 'f', 0, PV_ACT_FULLSCREEN } } },
    { PV_KEYS_WINDOW, "F5", "presentation mode: big type, panels folded", { { PV_KEY_F5, 0, PV_ACT_PRESENT } } },
    { PV_KEYS_WINDOW, "Ctrl+ / Ctrl− / Ctrl+0", "zoom in / out / reset (for a lecture hall)",
      { { '+', C, PV_ACT_ZOOM_IN }, { '=', C, PV_ACT_ZOOM_IN }, { '-', C, PV_ACT_ZOOM_OUT },
        { '0', C, PV_ACT_ZOOM_RESET } } },
    { PV_KEYS_WINDOW, "? or H", "this help; Esc closes it",
      { { '?', 0, PV_ACT_HELP }, { '/', 0, PV_ACT_HELP }, { 'h', 0, PV_ACT_HELP },
        { PV_KEY_ESCAPE, 0, PV_ACT_HELP_CLOSE } } },
    { PV_KEYS_WINDOW, "A", "questions on / off",
      { { 'a', 0, PV_ACT_QUIZ_TOGGLE } } },
    { PV_KEYS_WINDOW, "Ctrl+F", "frame counter (title bar and stderr)", { { 'f', C, PV_ACT_FRAME_COUNTER } } },
    { PV_KEYS_WINDOW, "Q or Ctrl+Q", "quit", { { 'q', 0, PV_ACT_QUIT }, { 'q', C, PV_ACT_QUIT } } },

    /* the terminal: text arrives as typed characters, these are the rest */
    { PV_KEYS_TERMINAL, "Enter", "run the command at the current time", { { PV_KEY_ENTER, 0, PV_ACT_TERM_RUN } } },
    { PV_KEYS_TERMINAL, "↑ / ↓", "earlier / later commands",
      { { PV_KEY_UP, 0, PV_ACT_TERM_HISTORY_PREV }, { PV_KEY_DOWN, 0, PV_ACT_TERM_HISTORY_NEXT } } },
    { PV_KEYS_TERMINAL, "← / →, Home / End", "move in the line / to its start or end",
      { { PV_KEY_LEFT, 0, PV_ACT_TERM_LEFT }, { PV_KEY_RIGHT, 0, PV_ACT_TERM_RIGHT },
        { PV_KEY_HOME, 0, PV_ACT_TERM_HOME }, { PV_KEY_END, 0, PV_ACT_TERM_END } } },
    { PV_KEYS_TERMINAL, "Ctrl+A / Ctrl+E", "to the start / end of the line, like bash",
      { { 'a', C, PV_ACT_TERM_HOME }, { 'e', C, PV_ACT_TERM_END } } },
    { PV_KEYS_TERMINAL, "Backspace / Delete", "delete before / at the cursor",
      { { PV_KEY_BACKSPACE, 0, PV_ACT_TERM_BACKSPACE }, { PV_KEY_DELETE, 0, PV_ACT_TERM_DELETE } } },
    { PV_KEYS_TERMINAL, "Ctrl+U / Ctrl+C", "clear the line / abandon it, like bash",
      { { 'u', C, PV_ACT_TERM_KILL_LINE }, { 'c', C, PV_ACT_TERM_ABANDON_LINE } } },
    { PV_KEYS_TERMINAL, "Ctrl+L", "clear the screen", { { 'l', C, PV_ACT_TERM_CLEAR } } },
    { PV_KEYS_TERMINAL, "PgUp / PgDn", "scroll the output",
      { { PV_KEY_PAGEUP, 0, PV_ACT_TERM_SCROLL_UP }, { PV_KEY_PAGEDOWN, 0, PV_ACT_TERM_SCROLL_DOWN } } },
    { PV_KEYS_TERMINAL, "Alt+→ / Alt+←", "next / previous event",
      { { PV_KEY_RIGHT, A, PV_ACT_STEP_NEXT }, { PV_KEY_LEFT, A, PV_ACT_STEP_PREV } } },
    { PV_KEYS_TERMINAL, "Tab", "type on the next building", { { PV_KEY_TAB, 0, PV_ACT_NEXT_HOST } } },
    { PV_KEYS_TERMINAL, "Ctrl+S", "save the typed commands as NAME-session.scn",
      { { 's', C, PV_ACT_SAVE_SESSION } } },
    { PV_KEYS_TERMINAL, "Esc", "close the terminal", { { PV_KEY_ESCAPE, 0, PV_ACT_TERM_CLOSE } } },

    /* the file picker; its title lists these */
    { PV_KEYS_PICKER, "↑ ↓", "choose", { { PV_KEY_UP, 0, PV_ACT_PICK_PREV }, { PV_KEY_DOWN, 0, PV_ACT_PICK_NEXT } } },
    { PV_KEYS_PICKER, "Enter", "open", { { PV_KEY_ENTER, 0, PV_ACT_PICK_OPEN } } },
    { PV_KEYS_PICKER, "Esc or O", "cancel", { { PV_KEY_ESCAPE, 0, PV_ACT_PICK_CANCEL }, { 'o', 0, PV_ACT_PICK_CANCEL } } },

    /* a question on screen: its digits are read by the window, not bound here */
    { PV_KEYS_QUESTION, "1 … 9, click a choice", "answer", { { 0 } } },
    { PV_KEYS_QUESTION, "Enter or Space", "show the answer (open questions) / go on",
      { { PV_KEY_ENTER, 0, PV_ACT_QUIZ_CONTINUE }, { ' ', 0, PV_ACT_QUIZ_CONTINUE } } },
    { PV_KEYS_QUESTION, "? or H", "the hint",
      { { '?', 0, PV_ACT_QUIZ_HINT }, { '/', 0, PV_ACT_QUIZ_HINT }, { 'h', 0, PV_ACT_QUIZ_HINT } } },
    { PV_KEYS_QUESTION, "A", "questions off", { { 'a', 0, PV_ACT_QUIZ_TOGGLE } } },
    { PV_KEYS_QUESTION, "Q", "quit", { { 'q', 0, PV_ACT_QUIT } } },
};

#undef C
#undef A

const pv_key_row *pv_key_rows(size_t *n)
{
    *n = sizeof k_rows / sizeof k_rows[0];
    return k_rows;
}

pv_action pv_key_action(pv_key_mode mode, int key, unsigned mods)
{
    mods &= PV_MOD_CTRL | PV_MOD_ALT | PV_MOD_SHIFT;
    if (!(key >= 'a' && key <= 'z')) mods &= ~(unsigned)PV_MOD_SHIFT;
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        if (k_rows[r].mode != mode) continue;
        for (const pv_key_bind *b = k_rows[r].binds; b < k_rows[r].binds + PV_KEY_ROW_BINDS && b->key; b++)
            if (b->key == key && b->mods == mods) return b->action;
    }
    return PV_ACT_NONE;
}

const char *pv_key_mode_title(pv_key_mode mode)
{
    static const char *const titles[PV_KEYS_NMODES] = { "Keys in the window", "Keys in the terminal (T)",
                                                        "Keys in the file picker (O)",
                                                        "Keys while a question is asked" };
    return mode < PV_KEYS_NMODES ? titles[mode] : "";
}

/* Display columns of UTF-8 text (each code point one column; the table has
 * no wide characters). */
static int columns(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A Markdown table cell: a backtick becomes a code span, '|' is escaped. */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '`') fputs("`` ` ``", out);
        else if (*s == '|') fputs("\\|", out);
        else fputc(*s, out);
    }
}

void pv_keys_print(FILE *out, bool markdown)
{
    enum { LABEL_COLS = 28 };
    for (int m = 0; m < PV_KEYS_NMODES; m++) {
        if (markdown) fprintf(out, "%s**%s**\n\n| key | does |\n|---|---|\n", m ? "\n" : "", pv_key_mode_title(m));
        else fprintf(out, "%s%s:\n", m ? "\n" : "", pv_key_mode_title(m));
        for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
            const pv_key_row *k = &k_rows[r];
            if ((int)k->mode != m) continue;
            if (markdown) {
                fputs("| ", out);
                md_cell(out, k->label);
                fputs(" | ", out);
                md_cell(out, k->help);
                fputs(" |\n", out);
            } else {
                int pad = LABEL_COLS - columns(k->label);
                fprintf(out, "  %s%*s%s\n", k->label, pad > 2 ? pad : 2, "", k->help);
            }
        }
    }
}
