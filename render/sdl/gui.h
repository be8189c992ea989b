/* gui.h — the lecture window: opens it, runs the input loop (keys, mouse,
 * drag-and-drop), plays the scenario and draws it through view.h. */
#ifndef PV_GUI_H
#define PV_GUI_H

#include <stdbool.h>

#define PV_GUI_NO_WINDOW (-1) /* no window could be opened: run headless instead */

/* Opens the window on file (NULL: the built-in two-tabs lesson), its
 * questions (`ask` lines) stopping the lesson or not (the A key switches
 * them later). Returns an exit code, or PV_GUI_NO_WINDOW when there is no
 * usable display. */
int pv_gui_run(const char *file, bool questions);

#endif
