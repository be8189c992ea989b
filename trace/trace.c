/* trace.c — the text and JSON Lines trace writers (see trace.h). */
#include "trace.h"

#include <stdio.h>
#include <string.h>

#include "engine_view.h"
#include "units.h"

/* Appends s[0..n) so that no byte of it can steer a terminal: C0 controls
 * and DEL as \xNN, C1 controls and bidirectional overrides as \u{XXXX}.
 * The lexer refuses these in scenario files; this holds for any text that
 * reaches a trace (a title, a caption, a command and its output). Returns
 * nothing: quotes and newlines are the callers' business. */
/* The length of the UTF-8 C1 control or bidirectional override at u[0..n)
 * (2 or 3 bytes, its code point in *cp), or 0 if there is none. */
static size_t steering_seq(const unsigned char *u, size_t n, unsigned *cp)
{
    if (n >= 2 && u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F) return *cp = u[1], 2;
    if (n >= 3 && u[0] == 0xE2 &&
        ((u[1] == 0x80 && u[2] >= 0xAA && u[2] <= 0xAE) || (u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9)))
        return *cp = 0x2000u | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu), 3;
    return 0;
}

static void put_safe(ps_sbuf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned cp;
        size_t k = steering_seq(u + i, n - i, &cp);
        if (u[i] < 0x20 || u[i] == 0x7F) ps_sbuf_printf(out, "\\x%02x", u[i]);
        else if (k) ps_sbuf_printf(out, "\\u{%04x}", cp), i += k - 1;
        else ps_sbuf_putc(out, (char)u[i]);
    }
}

/* Appends s on one line: newlines as \n, with quote: '"' as \", the rest
 * through put_safe. */
static void put_one_line(ps_sbuf *out, const char *s, bool quote)
{
    for (;;) {
        size_t run = strcspn(s, quote ? "\n\"" : "\n");
        put_safe(out, s, run);
        s += run;
        if (!*s) return;
        ps_sbuf_puts(out, *s == '\n' ? "\\n" : "\\\"");
        s++;
    }
}

/* Hands the formatted line to the writer and empties the buffer. */
static void flush(ps_trace *t)
{
    if (t->buf.failed) t->nomem = true;
    else if (t->write) t->write(t->ctx, t->buf.s, t->buf.len);
    ps_sbuf_clear(&t->buf);
    t->buf.failed = false;
}

bool ps_trace_format_parse(const char *s, ps_trace_format *out)
{
    static const char *names[] = { "text", "jsonl", "none" };
    for (int i = 0; i < 3; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (ps_trace_format)i;
            return true;
        }
    }
    return false;
}

void ps_trace_init(ps_trace *t, ps_trace_format format, const ps_scenario *sc, uint64_t seed,
                   ps_trace_write_fn write, void *ctx)
{
    memset(t, 0, sizeof *t);
    t->sc = sc;
    t->write = write;
    t->ctx = ctx;
    t->format = format;
    t->host_width = 1;
    for (uint32_t h = 0; h < sc->nhosts; h++) {
        int w = (int)strlen(sc->hosts[h].name);
        if (w > t->host_width) t->host_width = w;
    }
    if (format == PS_TRACE_TEXT) {
        /* One line whatever the title holds: a title cannot add a line. */
        ps_sbuf_puts(&t->buf, "# portsim trace: ");
        put_one_line(&t->buf, sc->title ? sc->title : sc->file, false);
        ps_sbuf_printf(&t->buf, " (seed %llu)\n", (unsigned long long)seed);
        flush(t);
    }
}

void ps_trace_free(ps_trace *t) { ps_sbuf_free(&t->buf); }

void ps_trace_to_file(void *file, const char *bytes, size_t n)
{
    if (n) fwrite(bytes, 1, n, file);
}

void ps_trace_to_sbuf(void *sbuf, const char *bytes, size_t n) { ps_sbuf_putn(sbuf, bytes, n); }

void ps_json_string(ps_sbuf *out, const char *s)
{
    ps_sbuf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': ps_sbuf_puts(out, "\\\""); break;
        case '\\': ps_sbuf_puts(out, "\\\\"); break;
        case '\n': ps_sbuf_puts(out, "\\n"); break;
        case '\r': ps_sbuf_puts(out, "\\r"); break;
        case '\t': ps_sbuf_puts(out, "\\t"); break;
        default: {
            /* Valid JSON either way; escaped, a jq or cat of the file cannot
             * steer the terminal (DEL, C1 controls, bidi overrides). */
            unsigned cp;
            size_t k = steering_seq(p, strnlen((const char *)p, 3), &cp);
            if (*p < 0x20 || *p == 0x7F) ps_sbuf_printf(out, "\\u%04x", *p);
            else if (k) ps_sbuf_printf(out, "\\u%04x", cp), p += k - 1;
            else ps_sbuf_putc(out, (char)*p);
        }
        }
    }
    ps_sbuf_putc(out, '"');
}

/* ---- text ----
 * A line is: time, host, kind, then items separated by one space. Each item
 * writer starts with sep(), so no line ends in a space. */

typedef struct line {
    ps_sbuf *out;
    bool first; /* no item written yet */
    const ps_scenario *sc;
} line;

static ps_sbuf *sep(line *l)
{
    if (!l->first) ps_sbuf_putc(l->out, ' ');
    l->first = false;
    return l->out;
}

static void text_tuple(line *l, const ps_event *ev)
{
    char a[PS_ENDPOINT_STRLEN], b[PS_ENDPOINT_STRLEN];
    if (!ev->has_src && !ev->has_dst) return;
    ps_sbuf *out = sep(l);
    bool v6 = ev->family == PS_FAM_INET6;
    if (ev->has_src) ps_sbuf_puts(out, ps_sc_endpoint_str(l->sc, ev->src_addr, v6, ev->src_port, a));
    if (ev->has_src && ev->has_dst) ps_sbuf_puts(out, " -> ");
    if (ev->has_dst) ps_sbuf_puts(out, ps_sc_endpoint_str(l->sc, ev->dst_addr, v6, ev->dst_port, b));
}

static void text_who(line *l, const ps_event *ev)
{
    if (ev->proc) ps_sbuf_printf(sep(l), "%s[%u]", ev->proc, ev->pid);
    else if (ev->pid) ps_sbuf_printf(sep(l), "pid %u", ev->pid);
    if (ev->sock) ps_sbuf_puts(sep(l), ev->sock);
}

/* Quotes a payload or caption on one line (newlines shown as \n). */
static void text_quoted(line *l, const char *s)
{
    ps_sbuf *out = sep(l);
    ps_sbuf_putc(out, '"');
    put_one_line(out, s, true);
    ps_sbuf_putc(out, '"');
}

/* Shell output: the command on the event's line, the output indented below. */
static void text_shell(line *l, const char *text)
{
    const char *nl = strchr(text, '\n');
    put_safe(sep(l), text, nl ? (size_t)(nl - text) : strlen(text));
    while (nl && nl[1]) {
        const char *q = strchr(nl + 1, '\n');
        size_t n = q ? (size_t)(q - nl - 1) : strlen(nl + 1);
        ps_sbuf_puts(l->out, n ? "\n    | " : "\n    |");
        put_safe(l->out, nl + 1, n);
        nl = q;
    }
}

/* The UDP kinds: bind and connect (no packet), datagrams and ICMP port
 * unreachable, each ending with what became of it. */
static void text_udp(line *l, const ps_event *ev)
{
    bool arrival = ev->kind == PS_EV_UDP_DELIVER || ev->kind == PS_EV_ICMP_DELIVER;
    if (!arrival) text_who(l, ev);
    text_tuple(l, ev);
    switch (ev->kind) {
    case PS_EV_UDP_BIND:
    case PS_EV_UDP_CONNECT:
        ps_sbuf_puts(l->out, ev->ephemeral ? " (port picked by the OS)" : " (port chosen)");
        return;
    case PS_EV_ICMP:
    case PS_EV_ICMP_DELIVER:
        ps_sbuf_puts(sep(l), "port unreachable");
        break;
    default:
        ps_sbuf_printf(sep(l), "len=%u", ev->len);
        break;
    }
    if (arrival) {
        ps_sbuf_printf(sep(l), "to %s", ps_deliver_to_name(ev->to));
        if (ev->to != PS_TO_NONE) text_who(l, ev);
    }
    if (ev->kind == PS_EV_UDP_DELIVER && ev->to == PS_TO_NONE)
        ps_sbuf_puts(sep(l), "(no UDP socket on that port: ICMP)");
    else if (ev->kind == PS_EV_ICMP_DELIVER)
        ps_sbuf_puts(sep(l), ev->to == PS_TO_NONE ? "(no socket: ignored)"
                             : ev->state == PS_ESTABLISHED ? "(connected: its next call gets ECONNREFUSED)"
                                                           : "(not connected: ignored)");
    if (ev->text && (ev->kind == PS_EV_DATAGRAM || ev->kind == PS_EV_UDP_DELIVER)) text_quoted(l, ev->text);
}

/* What a rewrite event's packet is: its TCP flags, or the datagram kind. */
static const char *nat_packet(const ps_event *ev, char fl[24])
{
    if (ev->flags & PS_SEG_ICMP) return "ICMP port unreachable";
    if (ev->flags & PS_SEG_UDP) return "UDP";
    return ps_flags_str(ev->flags, fl);
}

/* A router's rewrite: the segment (datagram) as it came, then what changed. */
static void text_nat(line *l, const ps_event *ev)
{
    char fl[24], a[22];
    text_tuple(l, ev);
    ps_sbuf_printf(sep(l), "%s:", nat_packet(ev, fl));
    if (strcmp(ev->op, "drop") == 0) {
        ps_sbuf_printf(sep(l), "dropped, %s", ev->text);
        return;
    }
    if (ev->nat_src_addr != ev->src_addr || ev->nat_src_port != ev->src_port)
        ps_sbuf_printf(sep(l), "source now %s", ps_endpoint_str(ev->nat_src_addr, ev->nat_src_port, a));
    if (ev->nat_dst_addr != ev->dst_addr || ev->nat_dst_port != ev->dst_port)
        ps_sbuf_printf(sep(l), "destination now %s", ps_endpoint_str(ev->nat_dst_addr, ev->nat_dst_port, a));
    ps_sbuf_printf(sep(l), "(%s%s)", ev->op, ev->nat_new ? ", new entry" : "");
}

/* A page load's step: who, the page, what happened and on which stream or
 * request, the connection, then the details. */
static void text_http(line *l, const ps_event *ev)
{
    text_who(l, ev);
    if (ev->page) ps_sbuf_puts(sep(l), ev->page);
    ps_sbuf_puts(sep(l), ev->op);
    if (ev->stream) ps_sbuf_printf(sep(l), "stream %u", ev->stream);
    else if (strcmp(ev->op, "fetch") != 0 && strcmp(ev->op, "done") != 0)
        ps_sbuf_printf(sep(l), "#%u", ev->request); /* HTTP/1.1: the request's number */
    text_tuple(l, ev);
    if (ev->text) {
        ps_sbuf_putc(l->out, ':');
        put_safe(sep(l), ev->text, strlen(ev->text));
    }
}

static void text_event(ps_trace *t, const ps_event *ev)
{
    char tb[32], fl[24];
    ps_sbuf_printf((&t->buf), "%s ms  %-*s  %-11s", ps_time_ms(ev->t, 10, tb), t->host_width,
            ev->host_name ? ev->host_name : "-", ps_event_kind_name(ev->kind));
    line l = { (&t->buf), false, t->sc };
    switch (ev->kind) {
    case PS_EV_LISTEN:
    case PS_EV_ESTABLISHED:
    case PS_EV_KILL:
    case PS_EV_BIND:
        text_who(&l, ev);
        text_tuple(&l, ev);
        break;
    case PS_EV_CONNECT:
        text_who(&l, ev);
        text_tuple(&l, ev);
        ps_sbuf_puts((&t->buf), ev->ephemeral ? " (source port picked by the OS)" : " (source port pinned)");
        break;
    case PS_EV_ACCEPT:
        text_who(&l, ev);
        ps_sbuf_puts(sep(&l), "new connection");
        text_tuple(&l, ev);
        break;
    case PS_EV_SEGMENT:
    case PS_EV_DELIVER:
        text_tuple(&l, ev);
        ps_sbuf_puts(sep(&l), ps_flags_str(ev->flags, fl));
        if (ev->len) ps_sbuf_printf(sep(&l), "len=%u", ev->len);
        if (ev->kind == PS_EV_DELIVER) {
            ps_sbuf_printf(sep(&l), "to %s", ps_deliver_to_name(ev->to));
            if (ev->to != PS_TO_NONE) text_who(&l, ev);
            else ps_sbuf_puts(sep(&l), "(nobody listens: RST)");
        }
        if (ev->text) text_quoted(&l, ev->text);
        break;
    case PS_EV_CLOSE:
        text_who(&l, ev);
        text_tuple(&l, ev);
        ps_sbuf_printf(sep(&l), "now %s", ps_state_name(ev->state));
        break;
    case PS_EV_RELEASE:
        text_who(&l, ev);
        text_tuple(&l, ev);
        ps_sbuf_printf(sep(&l), ev->port_free ? "(port %u free)" : "(port %u still in use)", ev->port);
        break;
    case PS_EV_ERROR:
        text_who(&l, ev);
        ps_sbuf_puts(sep(&l), ev->op);
        text_tuple(&l, ev);
        ps_sbuf_printf((&t->buf), ": %s (%s)", ps_errno_name(ev->err), ps_errno_message(ev->err));
        break;
    case PS_EV_SAY:
        text_quoted(&l, ev->text);
        break;
    case PS_EV_SHELL:
        text_shell(&l, ev->text);
        break;
    case PS_EV_UDP_BIND:
    case PS_EV_UDP_CONNECT:
    case PS_EV_DATAGRAM:
    case PS_EV_UDP_DELIVER:
    case PS_EV_ICMP:
    case PS_EV_ICMP_DELIVER:
        text_udp(&l, ev);
        break;
    case PS_EV_NAT:
        text_nat(&l, ev);
        break;
    case PS_EV_HTTP:
        text_http(&l, ev);
        break;
    case PS_EV_KIND_COUNT:
        break;
    }
    ps_sbuf_putc((&t->buf), '\n');
}

/* ---- JSON Lines ---- */

static void json_key(ps_sbuf *out, const char *k) { ps_sbuf_printf(out, ",\"%s\":", k); }

static void json_str_field(ps_sbuf *out, const char *k, const char *v)
{
    json_key(out, k);
    ps_json_string(out, v);
}

static void json_endpoint(ps_trace *t, const char *k, const ps_event *ev, ps_addr a, uint16_t p)
{
    char b[PS_ENDPOINT_STRLEN];
    json_str_field(&t->buf, k, ps_sc_endpoint_str(t->sc, a, ev->family == PS_FAM_INET6, p, b));
}

/* A segment of a page load: its HTTP/2 stream or HTTP/1.1 request. */
static void json_http_tag(ps_sbuf *out, const ps_event *ev)
{
    if (ev->http_tag == 1) ps_sbuf_printf(out, ",\"stream\":%u", ev->stream);
    else if (ev->http_tag == 2) ps_sbuf_printf(out, ",\"request\":%u", ev->request);
}

static void json_event(ps_trace *t, const ps_event *ev)
{
    ps_sbuf *out = (&t->buf);
    char fl[24];
    ps_sbuf_printf(out, "{\"t_us\":%llu,\"kind\":\"%s\"", (unsigned long long)ev->t,
            ps_event_kind_name(ev->kind));
    if (ev->host_name) json_str_field(out, "host", ev->host_name);
    if (ev->proc) {
        ps_sbuf_printf(out, ",\"pid\":%u", ev->pid);
        json_str_field(out, "proc", ev->proc);
    } else if (ev->pid) {
        ps_sbuf_printf(out, ",\"pid\":%u", ev->pid);
    }
    if (ev->sock) json_str_field(out, "sock", ev->sock);
    if (ev->has_src) json_endpoint(t, "src", ev, ev->src_addr, ev->src_port);
    if (ev->has_dst) json_endpoint(t, "dst", ev, ev->dst_addr, ev->dst_port);
    switch (ev->kind) {
    case PS_EV_SEGMENT:
    case PS_EV_DELIVER:
        json_str_field(out, "flags", ps_flags_str(ev->flags, fl));
        ps_sbuf_printf(out, ",\"len\":%u,\"seq\":%u,\"ack\":%u", ev->len, ev->tcp_seq, ev->tcp_ack);
        if (ev->kind == PS_EV_DELIVER) json_str_field(out, "to", ps_deliver_to_name(ev->to));
        json_http_tag(out, ev);
        break;
    case PS_EV_CONNECT:
        ps_sbuf_printf(out, ",\"ephemeral\":%s", ev->ephemeral ? "true" : "false");
        break;
    case PS_EV_LISTEN:
    case PS_EV_BIND:
        ps_sbuf_printf(out, ",\"port\":%u", ev->port);
        break;
    case PS_EV_ERROR:
        json_str_field(out, "op", ev->op);
        json_str_field(out, "errno", ps_errno_name(ev->err));
        break;
    case PS_EV_CLOSE:
        json_str_field(out, "state", ps_state_name(ev->state));
        break;
    case PS_EV_RELEASE:
        ps_sbuf_printf(out, ",\"port\":%u,\"port_free\":%s", ev->port, ev->port_free ? "true" : "false");
        break;
    case PS_EV_UDP_BIND:
    case PS_EV_UDP_CONNECT:
        ps_sbuf_printf(out, ",\"ephemeral\":%s", ev->ephemeral ? "true" : "false");
        break;
    case PS_EV_DATAGRAM:
    case PS_EV_ICMP:
        ps_sbuf_printf(out, ",\"len\":%u", ev->len);
        break;
    case PS_EV_UDP_DELIVER:
    case PS_EV_ICMP_DELIVER:
        ps_sbuf_printf(out, ",\"len\":%u", ev->len);
        json_str_field(out, "to", ps_deliver_to_name(ev->to));
        if (ev->kind == PS_EV_ICMP_DELIVER)
            ps_sbuf_printf(out, ",\"refused\":%s",
                           ev->to != PS_TO_NONE && ev->state == PS_ESTABLISHED ? "true" : "false");
        break;
    case PS_EV_NAT:
        /* A datagram's rewrite says its protocol; a segment's, its flags. */
        if (ev->flags & (PS_SEG_UDP | PS_SEG_ICMP))
            json_str_field(out, "proto", (ev->flags & PS_SEG_ICMP) ? "icmp" : "udp");
        else
            json_str_field(out, "flags", ps_flags_str(ev->flags, fl));
        json_str_field(out, "op", ev->op);
        if (strcmp(ev->op, "drop") != 0) {
            json_endpoint(t, "nat_src", ev, ev->nat_src_addr, ev->nat_src_port);
            json_endpoint(t, "nat_dst", ev, ev->nat_dst_addr, ev->nat_dst_port);
            ps_sbuf_printf(out, ",\"new\":%s", ev->nat_new ? "true" : "false");
        }
        break;
    case PS_EV_HTTP:
        json_str_field(out, "op", ev->op);
        if (ev->page) json_str_field(out, "page", ev->page);
        ps_sbuf_printf(out, ",\"stream\":%u,\"request\":%u", ev->stream, ev->request);
        break;
    default:
        break;
    }
    if (ev->text) json_str_field(out, "text", ev->text);
    ps_sbuf_puts(out, "}\n");
}

void ps_trace_event(void *trace, const ps_event *ev)
{
    ps_trace *t = trace;
    if (t->format == PS_TRACE_TEXT) text_event(t, ev);
    else if (t->format == PS_TRACE_JSONL) json_event(t, ev);
    else return;
    flush(t);
}

const char *ps_event_kind_name(ps_event_kind k)
{
    static const char *names[PS_EV_KIND_COUNT] = {
        "listen", "connect", "segment", "deliver", "accept", "established",
        "close", "release", "error", "kill", "say", "shell", "bind",
        "udp-bind", "udp-connect", "datagram", "udp-deliver", "icmp", "icmp-deliver", "rewrite", "http",
    };
    return k < PS_EV_KIND_COUNT ? names[k] : "?";
}

const char *ps_deliver_to_name(ps_deliver_to to)
{
    static const char *names[] = { "none", "listener", "connection", "socket" };
    return to <= PS_TO_SOCKET ? names[to] : "?";
}
