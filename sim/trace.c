/* trace.c — the text and JSON Lines trace writers (see trace.h). */
#include "trace.h"

#include <string.h>

#include "units.h"

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

void ps_trace_init(ps_trace *t, FILE *out, ps_trace_format format, const ps_scenario *sc,
                   uint64_t seed)
{
    t->out = out;
    t->format = format;
    t->host_width = 1;
    for (uint32_t h = 0; h < sc->nhosts; h++) {
        int w = (int)strlen(sc->hosts[h].name);
        if (w > t->host_width) t->host_width = w;
    }
    if (format == PS_TRACE_TEXT)
        fprintf(out, "# portsim trace: %s (seed %llu)\n", sc->title ? sc->title : sc->file,
                (unsigned long long)seed);
}

void ps_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20) fprintf(out, "\\u%04x", *p);
            else fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* ---- text ----
 * A line is: time, host, kind, then items separated by one space. Each item
 * writer starts with sep(), so no line ends in a space. */

typedef struct line {
    FILE *out;
    bool first; /* no item written yet */
} line;

static FILE *sep(line *l)
{
    if (!l->first) fputc(' ', l->out);
    l->first = false;
    return l->out;
}

static void text_tuple(line *l, const ps_event *ev)
{
    char a[22], b[22];
    if (!ev->has_src && !ev->has_dst) return;
    FILE *out = sep(l);
    if (ev->has_src) fputs(ps_endpoint_str(ev->src_addr, ev->src_port, a), out);
    if (ev->has_src && ev->has_dst) fputs(" -> ", out);
    if (ev->has_dst) fputs(ps_endpoint_str(ev->dst_addr, ev->dst_port, b), out);
}

static void text_who(line *l, const ps_event *ev)
{
    if (ev->proc) fprintf(sep(l), "%s[%u]", ev->proc, ev->pid);
    else if (ev->pid) fprintf(sep(l), "pid %u", ev->pid);
    if (ev->sock) fputs(ev->sock, sep(l));
}

/* Quotes a payload or caption on one line (newlines shown as \n). */
static void text_quoted(line *l, const char *s)
{
    FILE *out = sep(l);
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '\n') fputs("\\n", out);
        else if (*s == '"') fputs("\\\"", out);
        else fputc(*s, out);
    }
    fputc('"', out);
}

/* Shell output: the command on the event's line, the output indented below. */
static void text_shell(line *l, const char *text)
{
    const char *nl = strchr(text, '\n');
    fprintf(sep(l), "%.*s", nl ? (int)(nl - text) : (int)strlen(text), text);
    while (nl && nl[1]) {
        const char *q = strchr(nl + 1, '\n');
        int n = q ? (int)(q - nl - 1) : (int)strlen(nl + 1);
        fprintf(l->out, n ? "\n    | %.*s" : "\n    |", n, nl + 1);
        nl = q;
    }
}

static void text_event(const ps_trace *t, const ps_event *ev)
{
    char tb[32], fl[24];
    fprintf(t->out, "%s ms  %-*s  %-11s", ps_time_ms(ev->t, 10, tb), t->host_width,
            ev->host_name ? ev->host_name : "-", ps_event_kind_name(ev->kind));
    line l = { t->out, false };
    switch (ev->kind) {
    case PS_EV_LISTEN:
    case PS_EV_ESTABLISHED:
    case PS_EV_KILL:
        text_who(&l, ev);
        text_tuple(&l, ev);
        break;
    case PS_EV_CONNECT:
        text_who(&l, ev);
        text_tuple(&l, ev);
        fputs(ev->ephemeral ? " (source port picked by the OS)" : " (source port pinned)", t->out);
        break;
    case PS_EV_ACCEPT:
        text_who(&l, ev);
        fputs("new connection", sep(&l));
        text_tuple(&l, ev);
        break;
    case PS_EV_SEGMENT:
    case PS_EV_DELIVER:
        text_tuple(&l, ev);
        fputs(ps_flags_str(ev->flags, fl), sep(&l));
        if (ev->len) fprintf(sep(&l), "len=%u", ev->len);
        if (ev->kind == PS_EV_DELIVER) {
            fprintf(sep(&l), "to %s", ps_deliver_to_name(ev->to));
            if (ev->to != PS_TO_NONE) text_who(&l, ev);
            else fputs("(nobody listens: RST)", sep(&l));
        }
        if (ev->text) text_quoted(&l, ev->text);
        break;
    case PS_EV_CLOSE:
        text_who(&l, ev);
        text_tuple(&l, ev);
        fprintf(sep(&l), "now %s", ps_state_name(ev->state));
        break;
    case PS_EV_RELEASE:
        text_who(&l, ev);
        text_tuple(&l, ev);
        fprintf(sep(&l), ev->port_free ? "(port %u free)" : "(port %u still in use)", ev->port);
        break;
    case PS_EV_ERROR:
        text_who(&l, ev);
        fputs(ev->op, sep(&l));
        text_tuple(&l, ev);
        fprintf(t->out, ": %s (%s)", ps_errno_name(ev->err), ps_errno_message(ev->err));
        break;
    case PS_EV_SAY:
        text_quoted(&l, ev->text);
        break;
    case PS_EV_SHELL:
        text_shell(&l, ev->text);
        break;
    case PS_EV_KIND_COUNT:
        break;
    }
    fputc('\n', t->out);
}

/* ---- JSON Lines ---- */

static void json_key(FILE *out, const char *k) { fprintf(out, ",\"%s\":", k); }

static void json_str_field(FILE *out, const char *k, const char *v)
{
    json_key(out, k);
    ps_json_string(out, v);
}

static void json_endpoint(FILE *out, const char *k, ps_addr a, uint16_t p)
{
    char b[22];
    json_str_field(out, k, ps_endpoint_str(a, p, b));
}

static void json_event(const ps_trace *t, const ps_event *ev)
{
    FILE *out = t->out;
    char fl[24];
    fprintf(out, "{\"t_us\":%llu,\"kind\":\"%s\"", (unsigned long long)ev->t,
            ps_event_kind_name(ev->kind));
    if (ev->host_name) json_str_field(out, "host", ev->host_name);
    if (ev->proc) {
        fprintf(out, ",\"pid\":%u", ev->pid);
        json_str_field(out, "proc", ev->proc);
    } else if (ev->pid) {
        fprintf(out, ",\"pid\":%u", ev->pid);
    }
    if (ev->sock) json_str_field(out, "sock", ev->sock);
    if (ev->has_src) json_endpoint(out, "src", ev->src_addr, ev->src_port);
    if (ev->has_dst) json_endpoint(out, "dst", ev->dst_addr, ev->dst_port);
    switch (ev->kind) {
    case PS_EV_SEGMENT:
    case PS_EV_DELIVER:
        json_str_field(out, "flags", ps_flags_str(ev->flags, fl));
        fprintf(out, ",\"len\":%u,\"seq\":%u,\"ack\":%u", ev->len, ev->tcp_seq, ev->tcp_ack);
        if (ev->kind == PS_EV_DELIVER) json_str_field(out, "to", ps_deliver_to_name(ev->to));
        break;
    case PS_EV_CONNECT:
        fprintf(out, ",\"ephemeral\":%s", ev->ephemeral ? "true" : "false");
        break;
    case PS_EV_LISTEN:
        fprintf(out, ",\"port\":%u", ev->port);
        break;
    case PS_EV_ERROR:
        json_str_field(out, "op", ev->op);
        json_str_field(out, "errno", ps_errno_name(ev->err));
        break;
    case PS_EV_CLOSE:
        json_str_field(out, "state", ps_state_name(ev->state));
        break;
    case PS_EV_RELEASE:
        fprintf(out, ",\"port\":%u,\"port_free\":%s", ev->port, ev->port_free ? "true" : "false");
        break;
    default:
        break;
    }
    if (ev->text) json_str_field(out, "text", ev->text);
    fputs("}\n", out);
}

void ps_trace_event(void *trace, const ps_event *ev)
{
    const ps_trace *t = trace;
    if (t->format == PS_TRACE_TEXT) text_event(t, ev);
    else if (t->format == PS_TRACE_JSONL) json_event(t, ev);
}

const char *ps_event_kind_name(ps_event_kind k)
{
    static const char *names[PS_EV_KIND_COUNT] = {
        "listen", "connect", "segment", "deliver", "accept", "established",
        "close", "release", "error", "kill", "say", "shell",
    };
    return k < PS_EV_KIND_COUNT ? names[k] : "?";
}

const char *ps_deliver_to_name(ps_deliver_to to)
{
    static const char *names[] = { "none", "listener", "connection" };
    return to <= PS_TO_CONNECTION ? names[to] : "?";
}
