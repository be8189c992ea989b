/* gui.h — the lecture window: opens it, runs the input loop (keys, mouse,
 * drag-and-drop), plays the scenario and draws it through view.h. */
#ifndef PV_GUI_H
#define PV_GUI_H

#include <stdbool.h>

#define PV_GUI_NO_WINDOW (-1) /* no window could be opened: run headless instead */

/* How the window opens: with the lesson picker over the lesson (the
 * desktop entry's way in), and with the lesson's questions (`ask` lines)
 * stopping it or not (the A key switches them later). */
typedef struct pv_gui_opts {
    bool picker;
    bool questions;
} pv_gui_opts;

/* Opens the window on file (NULL: the built-in two-tabs lesson). Returns an
 * exit code, or PV_GUI_NO_WINDOW when there is no usable display. */
int pv_gui_run(const char *file, const pv_gui_opts *o);

#endif
