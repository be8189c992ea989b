/* png.h — a surface saved as PNG through io/file.h: atomically, every write
 * checked, never through a symbolic link. The one PNG writer of the window
 * (S screenshots) and of `portsim render -o`. */
#ifndef PV_PNG_H
#define PV_PNG_H

#include <SDL.h>

/* Writes surf to path. Returns 0, or an error for ps_file_strerror(); on
 * an encoder failure the reason is SDL's (*why, may be NULL). */
int pv_png_save(SDL_Surface *surf, const char *path, const char **why);

#endif
