/* palette.h — the colours of the lecture picture (render/ only).
 *
 * Based on the Okabe–Ito palette, which stays distinguishable for the common
 * forms of colour blindness. Colour never carries meaning alone: listening
 * doors have a solid thick outline and a "LISTEN" label, temporary doors a
 * dashed outline and the word "temporary", the privileged floor a dashed,
 * hatched outline and a written title, envelopes their flags in text. */
#ifndef PV_PALETTE_H
#define PV_PALETTE_H

#include <stdint.h>

typedef struct pv_rgba {
    uint8_t r, g, b, a;
} pv_rgba;

#define PV_RGB(r, g, b) ((pv_rgba){ (r), (g), (b), 255 })

/* Okabe–Ito */
#define PV_OI_ORANGE     PV_RGB(0xE6, 0x9F, 0x00)
#define PV_OI_SKY        PV_RGB(0x56, 0xB4, 0xE9)
#define PV_OI_GREEN      PV_RGB(0x00, 0x9E, 0x73)
#define PV_OI_YELLOW     PV_RGB(0xF0, 0xE4, 0x42)
#define PV_OI_BLUE       PV_RGB(0x00, 0x72, 0xB2)
#define PV_OI_VERMILLION PV_RGB(0xD5, 0x5E, 0x00)
#define PV_OI_PURPLE     PV_RGB(0xCC, 0x79, 0xA7)

/* One colour per conversation (scene.h), in order of creation: the client's
 * temporary door, its envelopes, its line and its rows share it. Blue, the
 * darkest on the dark background, comes last. */
#define PV_CONV_COLOURS 6
static inline pv_rgba pv_conv_colour(unsigned i)
{
    static const pv_rgba k[PV_CONV_COLOURS] = {
        PV_OI_SKY, PV_OI_ORANGE, PV_OI_PURPLE, PV_OI_YELLOW, PV_OI_GREEN, PV_OI_BLUE,
    };
    return k[i % PV_CONV_COLOURS];
}

/* Roles */
#define PV_COL_SKY_TOP    PV_RGB(0x16, 0x1B, 0x2A) /* window background */
#define PV_COL_PANEL      PV_RGB(0x10, 0x14, 0x1E) /* panels background */
#define PV_COL_PANEL_HEAD PV_RGB(0x23, 0x2A, 0x3A)
#define PV_COL_BUILDING   PV_RGB(0x2B, 0x33, 0x45)
#define PV_COL_BUILD_EDGE PV_RGB(0x6B, 0x76, 0x8E)
#define PV_COL_ROOF       PV_RGB(0x4A, 0x54, 0x6A)
#define PV_COL_STREET     PV_RGB(0x2E, 0x31, 0x38)
#define PV_COL_STREET_MID PV_RGB(0x7A, 0x7F, 0x8A)
#define PV_COL_TEXT       PV_RGB(0xEE, 0xF0, 0xF4)
#define PV_COL_TEXT_DIM   PV_RGB(0xA4, 0xAC, 0xBC)
#define PV_COL_TEXT_DARK  PV_RGB(0x12, 0x14, 0x1A)
#define PV_COL_LABEL_BG   PV_RGB(0xEE, 0xF0, 0xF4) /* roof address plate */
#define PV_COL_DOOR_FILL  PV_RGB(0x1F, 0x3B, 0x36)
#define PV_COL_LISTEN     PV_OI_GREEN              /* listening door outline */
#define PV_COL_TEMP       PV_OI_SKY                /* temporary door outline (dashed) */
#define PV_COL_TEMP_FILL  PV_RGB(0x1E, 0x33, 0x44)
#define PV_COL_EMPTY      PV_RGB(0x5E, 0x66, 0x78) /* "nobody home" door */
#define PV_COL_UDP        PV_OI_PURPLE             /* UDP socket door and datagram (no connection) */
#define PV_COL_PRIV       PV_OI_YELLOW             /* privileged floor (dashed, hatched) */
#define PV_COL_PRIV_HATCH PV_RGB(0x3A, 0x3A, 0x30)
#define PV_COL_LINK       PV_OI_SKY                /* established connection line */
#define PV_COL_ENV_FILL   PV_RGB(0xFD, 0xF6, 0xE3) /* envelope paper */
#define PV_COL_ENV_SYN    PV_OI_ORANGE
#define PV_COL_ENV_DATA   PV_OI_BLUE
#define PV_COL_ENV_FIN    PV_OI_PURPLE
#define PV_COL_ENV_RST    PV_OI_VERMILLION
#define PV_COL_HILITE     PV_RGB(0x17, 0x3A, 0x66) /* highlighted table row */
#define PV_COL_NOW        PV_OI_YELLOW             /* current time, current log line */
#define PV_COL_REWRITE    PV_RGB(0x12, 0x14, 0x1A) /* ring on envelope slots a router rewrote (on paper) */
#define PV_COL_ERROR_BG   PV_RGB(0x5C, 0x1E, 0x0A)
#define PV_COL_ERROR      PV_OI_VERMILLION
#define PV_COL_TIMELINE_GAP PV_RGB(0x3A, 0x3F, 0x4C)
#define PV_COL_OVERLAY    ((pv_rgba){ 0x08, 0x0A, 0x10, 0xE8 })

#endif
