/* units.h — reading and writing the two kinds of literal the scenario language
 * and the traces share: durations ("300ms", "1.5s", "20us") and IPv4
 * endpoints ("93.184.216.34", "93.184.216.34:443").
 *
 * All functions are pure: they parse exactly the bytes given (no NUL needed)
 * and never allocate. */
#ifndef PS_UNITS_H
#define PS_UNITS_H

#include "base.h"

/* Parses a duration: a decimal number with an optional fraction and a unit
 * (us, ms, s, min). Fractions finer than a microsecond are an error rather than
 * being rounded, so a time in a file always means exactly one instant.
 * Returns true and sets *out on success. */
bool ps_time_parse(const char *s, size_t len, ps_time *out);

/* What a time must look like: the words after "bad time 'X': " in every
 * message about one, from a scenario file or a command-line option alike. */
#define PS_TIME_EXPECTED "expected a number and a unit (us, ms, s or min), like 150ms or 1.5s"

/* Formats t the way traces show it: milliseconds with three decimals
 * ("150.000"), right-aligned in `width` columns (0 = no padding).
 * buf needs at least 32 bytes. Returns buf. */
char *ps_time_ms(ps_time t, int width, char *buf);

/* Formats a duration the way a scenario would write it, shortest exact unit:
 * 300000 -> "300ms", 1500000 -> "1.5s", 20 -> "20us". buf >= 32 bytes. */
char *ps_time_str(ps_time t, char *buf);

/* Parses a dotted IPv4 address (four decimal parts, each 0..255). */
bool ps_addr_parse(const char *s, size_t len, ps_addr *out);

/* Writes "a.b.c.d" into buf (at least 16 bytes). Returns buf. */
char *ps_addr_str(ps_addr a, char *buf);

/* Writes "a.b.c.d:port" into buf (at least 22 bytes). Returns buf. */
char *ps_endpoint_str(ps_addr a, uint16_t port, char *buf);

/* ---- IPv6 text (RFC 4291 section 2.2, RFC 5952) ---- */

typedef struct ps_in6 {
    uint8_t b[16]; /* network byte order */
} ps_in6;

#define PS_IN6_STRLEN 46     /* the longest text, ::ffff:255.255.255.255 and such, and a NUL */
#define PS_ENDPOINT_STRLEN 56 /* "[" IPv6 "]:" 65535, and a NUL */

/* Parses any RFC 4291 text form: eight hex groups, one "::" for a run of
 * zero groups, a dotted IPv4 tail (::ffff:192.0.2.1). No brackets, no zone
 * (%eth0). On failure returns false and, if why is not NULL, sets *why to
 * what is wrong in plain words. */
bool ps_in6_parse(const char *s, size_t len, ps_in6 *out, const char **why);

/* Writes the RFC 5952 canonical text: lowercase, no leading zeros, the
 * longest run of two or more zero groups (the first if tied) as "::", and
 * ::ffff:a.b.c.d for an IPv4-mapped address. buf >= PS_IN6_STRLEN. */
char *ps_in6_str(const ps_in6 *a, char *buf);

/* "[text]:port" into buf (>= PS_ENDPOINT_STRLEN). Returns buf. */
char *ps_in6_endpoint_str(const ps_in6 *a, uint16_t port, char *buf);

/* The IPv4 address in an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
bool ps_in6_mapped(const ps_in6 *a, ps_addr *v4);

#endif
