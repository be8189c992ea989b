/* paths.h — where portsim finds its data: the fonts (assets/) and the
 * lessons (scenarios/). One lookup, used by the window's fonts, its lesson
 * picker and the command line's help, so a checkout, an installed binary
 * and a relocated install (DESTDIR, a tarball) all find the same folders.
 *
 * The order, first match wins:
 *   1. the environment variable (PORTSIM_ASSETS, PORTSIM_LESSONS), as given;
 *   2. next to the executable: DIR/assets, DIR/scenarios (a checkout);
 *   3. DIR/../share/portsim/assets, ... (an installed tree, wherever it sits);
 *   4. the data folder compiled in with -DPS_DATADIR (the install build);
 *   5. ./assets, ./scenarios (a build folder's binary run from the checkout).
 * A folder counts when it holds its marker: DejaVuSans.ttf for assets, any
 * entry at all for the lessons folder (a teacher's own may have any names). */
#ifndef PS_IO_PATHS_H
#define PS_IO_PATHS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ps_data_kind {
    PS_DATA_ASSETS,   /* fonts: PORTSIM_ASSETS, .../assets */
    PS_DATA_LESSONS,  /* lessons and golden traces: PORTSIM_LESSONS, .../scenarios */
} ps_data_kind;

/* Longest folder path the lookup writes. */
#define PS_PATH_MAX 1024

/* The environment variable that overrides kind's folder. */
const char *ps_data_env(ps_data_kind kind);

/* Finds kind's folder in the order above, exe being the executable's path
 * (NULL: skip steps 2 and 3). Writes it to buf (n bytes) and returns true;
 * false when no candidate holds the marker (buf then holds the last resort,
 * the step-5 folder, for messages). */
bool ps_data_find(ps_data_kind kind, const char *exe, char *buf, size_t n);

/* ps_data_find() for this process (exe from /proc/self/exe). */
bool ps_data_dir(ps_data_kind kind, char *buf, size_t n);

#endif
