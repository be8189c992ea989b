/* png.c — PNG files written atomically (png.h). */
#include "png.h"

#include <SDL_image.h>
#include <errno.h>

#include "file.h"

int pv_png_save(SDL_Surface *surf, const char *path, const char **why)
{
    if (why) *why = NULL;
    ps_file_out out;
    int err = ps_file_out_open(&out, path);
    if (err) return err;
    /* SDL writes into our FILE; closing its RWops leaves the FILE open, so
     * the flush, the close and the rename stay ours to check. */
    SDL_RWops *rw = SDL_RWFromFP(out.f, SDL_FALSE);
    if (rw == NULL || IMG_SavePNG_RW(surf, rw, 1) != 0) {
        if (why) *why = SDL_GetError();
        ps_file_out_abort(&out);
        return EIO;
    }
    return ps_file_out_commit(&out);
}
