/* units.c — durations, addresses and the names of errors, states and flags.
 * See units.h and base.h for the contracts. */
#include "units.h"

#include <stdio.h>
#include <string.h>

bool ps_time_parse(const char *s, size_t len, ps_time *out)
{
    size_t i = 0;
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    int digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (whole > (UINT64_MAX - 9) / 10) return false;
        whole = whole * 10 + (uint64_t)(s[i++] - '0');
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        int fd = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (fd >= 9) return false;
            frac = frac * 10 + (uint64_t)(s[i++] - '0');
            frac_scale *= 10;
            fd++;
        }
        if (fd == 0) return false;
    }
    if (digits == 0) return false;
    uint64_t unit;
    size_t ulen = len - i;
    const char *u = s + i;
    if (ulen == 2 && memcmp(u, "us", 2) == 0) unit = 1;
    else if (ulen == 2 && memcmp(u, "ms", 2) == 0) unit = 1000;
    else if (ulen == 1 && u[0] == 's') unit = 1000000;
    else if (ulen == 3 && memcmp(u, "min", 3) == 0) unit = 60000000;
    else return false;
    if (whole > UINT64_MAX / 2 / unit) return false;
    /* The fraction must land on a whole microsecond. */
    if ((frac * unit) % frac_scale != 0) return false;
    *out = whole * unit + frac * unit / frac_scale;
    return true;
}

char *ps_time_ms(ps_time t, int width, char *buf)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%llu.%03u", (unsigned long long)(t / 1000),
                     (unsigned)(t % 1000));
    int pad = width > n ? width - n : 0;
    if (pad > 31 - n) pad = 31 - n;
    memset(buf, ' ', (size_t)pad);
    memcpy(buf + pad, num, (size_t)n + 1);
    return buf;
}

char *ps_time_str(ps_time t, char *buf)
{
    static const struct { uint64_t us; const char *name; } units[] = {
        { 1000000, "s" }, { 1000, "ms" }, { 1, "us" },
    };
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        uint64_t u = units[k].us;
        if (t >= u || u == 1) {
            if (t % u == 0) {
                snprintf(buf, 32, "%llu%s", (unsigned long long)(t / u), units[k].name);
                return buf;
            }
            /* Use a fraction only when it stays short and exact (1.5s, 2.25ms). */
            for (uint64_t scale = 10, fd = 1; fd <= 3 && scale <= u; scale *= 10, fd++) {
                if (((t % u) * scale) % u == 0) {
                    snprintf(buf, 32, "%llu.%0*u%s", (unsigned long long)(t / u), (int)fd,
                             (unsigned)((t % u) * scale / u), units[k].name);
                    return buf;
                }
            }
        }
    }
    snprintf(buf, 32, "%lluus", (unsigned long long)t);
    return buf;
}

bool ps_addr_parse(const char *s, size_t len, ps_addr *out)
{
    uint32_t a = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.') return false;
            i++;
        }
        unsigned v = 0;
        int d = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && d < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            d++;
        }
        if (d == 0 || d > 3 || v > 255) return false;
        a = (a << 8) | v;
    }
    if (i != len) return false;
    *out = a;
    return true;
}

char *ps_addr_str(ps_addr a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

char *ps_endpoint_str(ps_addr a, uint16_t port, char *buf)
{
    snprintf(buf, 22, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
             (unsigned)port);
    return buf;
}

/* ---- IPv6 text ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool ps_in6_parse(const char *s, size_t len, ps_in6 *out, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    uint16_t g[8];
    int ng = 0, gap = -1; /* groups read; where "::" stands, in groups */
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len >= 1 && s[0] == ':') {
        *why = "it starts with a single ':' (write '::' for zeros)";
        return false;
    }
    while (i < len) {
        /* A dotted IPv4 tail takes the last two groups. */
        size_t j = i;
        while (j < len && s[j] != ':' && s[j] != '.') j++;
        if (j < len && s[j] == '.') {
            size_t end = i;
            while (end < len && s[end] != ':') end++;
            ps_addr v4;
            if (end != len || !ps_addr_parse(s + i, len - i, &v4)) {
                *why = "the dotted IPv4 part at its end is not a.b.c.d";
                return false;
            }
            if (ng > 6) {
                *why = "it has more than 128 bits";
                return false;
            }
            g[ng++] = (uint16_t)(v4 >> 16);
            g[ng++] = (uint16_t)v4;
            i = len;
            break;
        }
        if (j == i) {
            *why = j < len && gap >= 0 ? "it has '::' twice, or ':::'" : "it has an empty group";
            return false;
        }
        if (j - i > 4) {
            *why = "a group has more than four hex digits";
            return false;
        }
        unsigned v = 0;
        for (size_t k = i; k < j; k++) {
            int h = hexval(s[k]);
            if (h < 0) {
                *why = "it has a character that is not a hex digit, ':' or '.'";
                return false;
            }
            v = v * 16 + (unsigned)h;
        }
        if (ng == 8) {
            *why = "it has more than eight groups";
            return false;
        }
        g[ng++] = (uint16_t)v;
        i = j;
        if (i == len) break;
        /* s[i] == ':' */
        if (i + 1 < len && s[i + 1] == ':') {
            if (gap >= 0) {
                *why = "it has '::' twice (only one run of zeros may be shortened)";
                return false;
            }
            gap = ng;
            i += 2;
        } else if (i + 1 == len) {
            *why = "it ends with a single ':'";
            return false;
        } else {
            i++;
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7) {
        *why = gap < 0 ? "it has fewer than eight groups and no '::'" : "it has more than 128 bits";
        return false;
    }
    uint16_t full[8] = { 0 };
    int tail = gap < 0 ? 0 : ng - gap;
    for (int k = 0; k < ng - tail; k++) full[k] = g[k];
    for (int k = 0; k < tail; k++) full[8 - tail + k] = g[gap + k];
    for (int k = 0; k < 8; k++) {
        out->b[2 * k] = (uint8_t)(full[k] >> 8);
        out->b[2 * k + 1] = (uint8_t)full[k];
    }
    return true;
}

bool ps_in6_mapped(const ps_in6 *a, ps_addr *v4)
{
    for (int k = 0; k < 10; k++)
        if (a->b[k]) return false;
    if (a->b[10] != 0xff || a->b[11] != 0xff) return false;
    *v4 = ((uint32_t)a->b[12] << 24) | ((uint32_t)a->b[13] << 16) | ((uint32_t)a->b[14] << 8) | a->b[15];
    return true;
}

char *ps_in6_str(const ps_in6 *a, char *buf)
{
    ps_addr v4;
    if (ps_in6_mapped(a, &v4)) {
        char t[16];
        snprintf(buf, PS_IN6_STRLEN, "::ffff:%s", ps_addr_str(v4, t));
        return buf;
    }
    unsigned g[8];
    for (int k = 0; k < 8; k++) g[k] = ((unsigned)a->b[2 * k] << 8) | a->b[2 * k + 1];
    /* The longest run of zero groups, at least two long; the first if tied. */
    int best = -1, bestlen = 1;
    for (int k = 0; k < 8;) {
        if (g[k]) {
            k++;
            continue;
        }
        int e = k;
        while (e < 8 && !g[e]) e++;
        if (e - k > bestlen) {
            best = k;
            bestlen = e - k;
        }
        k = e;
    }
    size_t n = 0;
    for (int k = 0; k < 8; k++) {
        if (k == best) {
            n += (size_t)snprintf(buf + n, PS_IN6_STRLEN - n, "::");
            k += bestlen - 1;
            continue;
        }
        n += (size_t)snprintf(buf + n, PS_IN6_STRLEN - n, "%s%x", n && buf[n - 1] != ':' ? ":" : "", g[k]);
    }
    return buf;
}

char *ps_in6_endpoint_str(const ps_in6 *a, uint16_t port, char *buf)
{
    char t[PS_IN6_STRLEN];
    snprintf(buf, PS_ENDPOINT_STRLEN, "[%s]:%u", ps_in6_str(a, t), (unsigned)port);
    return buf;
}

/* ---- errno, state and flag names (declared in base.h) ---- */

static const struct {
    const char *name;
    int number;
    const char *message;
    const char *explain;
} errnos[PS_ERRNO_COUNT] = {
    [PS_OK] = { "OK", 0, "Success", "It worked." },
    [PS_EADDRINUSE] = { "EADDRINUSE", 98, "Address already in use",
                        "Another program already listens on this port: one door, one tenant." },
    [PS_EACCES] = { "EACCES", 13, "Permission denied",
                    "Ports below the host's unprivileged start need root (or CAP_NET_BIND_SERVICE)." },
    [PS_ECONNREFUSED] = { "ECONNREFUSED", 111, "Connection refused",
                          "Nobody listens on that port: TCP's knock got RST back, a UDP datagram an ICMP port unreachable." },
    [PS_ECONNRESET] = { "ECONNRESET", 104, "Connection reset by peer",
                        "The other side tore the connection down with RST." },
    [PS_EADDRNOTAVAIL] = { "EADDRNOTAVAIL", 99, "Cannot assign requested address",
                           "No free source port is left for this destination (or the address is not this host's)." },
    [PS_EHOSTUNREACH] = { "EHOSTUNREACH", 113, "No route to host",
                          "No simulated host has that address, or no link leads to it." },
    [PS_ENOTCONN] = { "ENOTCONN", 107, "Transport endpoint is not connected",
                      "The socket has no connection to send on." },
    [PS_EBADF] = { "EBADF", 9, "Bad file descriptor", "The socket was already closed." },
    [PS_EISCONN] = { "EISCONN", 106, "Transport endpoint is already connected",
                     "This socket is already connected." },
    [PS_ESRCH] = { "ESRCH", 3, "No such process", "No process has that pid." },
    [PS_EAGAIN] = { "EAGAIN", 11, "Resource temporarily unavailable",
                    "Every UDP port of the ephemeral range is taken on this host." },
    [PS_EDESTADDRREQ] = { "EDESTADDRREQ", 89, "Destination address required",
                          "This UDP socket is not connected: say where to send with sendto." },
};

const char *ps_errno_name(ps_errno e) { return e < PS_ERRNO_COUNT ? errnos[e].name : "E?"; }
const char *ps_errno_message(ps_errno e) { return e < PS_ERRNO_COUNT ? errnos[e].message : "?"; }
const char *ps_errno_explain(ps_errno e) { return e < PS_ERRNO_COUNT ? errnos[e].explain : "?"; }
int ps_errno_number(ps_errno e) { return e < PS_ERRNO_COUNT ? errnos[e].number : -1; }

bool ps_errno_parse(const char *name, size_t len, ps_errno *out)
{
    for (int e = 0; e < PS_ERRNO_COUNT; e++) {
        if (strlen(errnos[e].name) == len && memcmp(errnos[e].name, name, len) == 0) {
            *out = (ps_errno)e;
            return true;
        }
    }
    return false;
}

static const struct {
    const char *name, *ss, *netstat;
} states[PS_STATE_COUNT] = {
    [PS_CLOSED] = { "closed", "UNCONN", "CLOSE" },
    [PS_LISTEN] = { "listen", "LISTEN", "LISTEN" },
    [PS_SYN_SENT] = { "syn-sent", "SYN-SENT", "SYN_SENT" },
    [PS_SYN_RECV] = { "syn-recv", "SYN-RECV", "SYN_RECV" },
    [PS_ESTABLISHED] = { "established", "ESTAB", "ESTABLISHED" },
    [PS_FIN_WAIT_1] = { "fin-wait-1", "FIN-WAIT-1", "FIN_WAIT1" },
    [PS_FIN_WAIT_2] = { "fin-wait-2", "FIN-WAIT-2", "FIN_WAIT2" },
    [PS_CLOSE_WAIT] = { "close-wait", "CLOSE-WAIT", "CLOSE_WAIT" },
    [PS_LAST_ACK] = { "last-ack", "LAST-ACK", "LAST_ACK" },
    [PS_TIME_WAIT] = { "time-wait", "TIME-WAIT", "TIME_WAIT" },
};

const char *ps_state_name(ps_tcp_state s) { return s < PS_STATE_COUNT ? states[s].name : "?"; }
const char *ps_state_ss(ps_tcp_state s) { return s < PS_STATE_COUNT ? states[s].ss : "?"; }
const char *ps_state_netstat(ps_tcp_state s) { return s < PS_STATE_COUNT ? states[s].netstat : "?"; }

bool ps_state_parse(const char *name, size_t len, ps_tcp_state *out)
{
    for (int s = 0; s < PS_STATE_COUNT; s++) {
        if (strlen(states[s].name) == len && memcmp(states[s].name, name, len) == 0) {
            *out = (ps_tcp_state)s;
            return true;
        }
    }
    return false;
}

char *ps_flags_str(uint8_t flags, char *buf)
{
    static const struct { uint8_t bit; const char *name; } order[] = {
        { PS_SYN, "SYN" }, { PS_FIN, "FIN" }, { PS_RST, "RST" }, { PS_PSH, "PSH" }, { PS_ACK, "ACK" },
    };
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (flags & order[i].bit) {
            if (buf[0]) strcat(buf, "|");
            strcat(buf, order[i].name);
        }
    }
    return buf;
}
