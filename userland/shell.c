/* shell.c — the simulated shell on each host (see shell.h): splits a command
 * line into words, takes `NAME=value` environment prefixes and `sudo`,
 * dispatches to the tools (shell_ss.c, shell_netstat.c, shell_lsof.c), and
 * itself implements kill, ps, the program launchers (node, npm,
 * python3 -m http.server, nc -l) and the clients (curl, nc HOST PORT). */
#include "shell.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell_internal.h"

/* ---- words ---- */

#define MAX_ENV 8

typedef struct cmd {
    char **argv;      /* the command's words, NULL-terminated */
    int argc;
    char **words;     /* all words, prefixes included (owns the array) */
    char *store;      /* the words' text */
    const char *env[MAX_ENV]; /* "NAME=value" prefixes, last one wins */
    int nenv;
    bool sudo;
} cmd;

static void cmd_free(cmd *c)
{
    free(c->words);
    free(c->store);
}

/* Splits line into words with the shell's quoting ('...', "...", \x).
 * Returns false after writing a message when the line uses something the
 * simulated shell does not have (pipes, redirections, lists). A trailing
 * `&` (run in the background) is accepted: every program started here runs
 * in the background anyway. */
static bool split(const char *line, cmd *c, ps_sbuf *out)
{
    size_t len = strlen(line);
    memset(c, 0, sizeof *c);
    c->store = malloc(2 * len + 2);
    c->argv = c->words = malloc((len / 2 + 2) * sizeof *c->argv);
    if (!c->store || !c->argv) {
        out->failed = true;
        return false;
    }
    char *w = c->store;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        if (strchr("|;&<>", *p)) {
            const char *q = p + 1;
            while (*q == ' ' || *q == '\t') q++;
            if (*p == '&' && p[1] != '&' && !*q) break;
            ps_sbuf_printf(out, "portsim: '%c' (pipes, redirections, lists) is not simulated; "
                                "type one command at a time", *p);
            return false;
        }
        c->argv[c->argc++] = w;
        char quote = 0;
        for (; *p; p++) {
            if (quote) {
                if (*p == quote) quote = 0;
                else if (quote == '"' && *p == '\\' && p[1] && strchr("\"\\$`", p[1])) *w++ = *++p;
                else *w++ = *p;
            } else if (*p == '\'' || *p == '"') {
                quote = *p;
            } else if (*p == '\\' && p[1]) {
                *w++ = *++p;
            } else if (*p == ' ' || *p == '\t' || strchr("|;&<>", *p)) {
                break;
            } else {
                *w++ = *p;
            }
        }
        *w++ = '\0';
        if (quote) {
            ps_sbuf_printf(out, "bash: unexpected EOF while looking for matching `%c'", quote);
            return false;
        }
    }
    c->argv[c->argc] = NULL;
    return true;
}

static bool is_assignment(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_') return false;
    while (isalnum((unsigned char)*s) || *s == '_') s++;
    return *s == '=';
}

/* Takes the `NAME=value` and `sudo` words off the front. */
static void prefixes(cmd *c)
{
    int i = 0;
    for (; i < c->argc; i++) {
        if (is_assignment(c->argv[i])) {
            if (c->nenv < MAX_ENV) c->env[c->nenv++] = c->argv[i];
        } else if (!strcmp(c->argv[i], "sudo") && !c->sudo) {
            c->sudo = true;
        } else {
            break;
        }
    }
    c->argv += i;
    c->argc -= i;
}

static const char *getenv_cmd(const cmd *c, const char *name)
{
    size_t n = strlen(name);
    const char *v = NULL;
    for (int i = 0; i < c->nenv; i++)
        if (!strncmp(c->env[i], name, n) && c->env[i][n] == '=') v = c->env[i] + n + 1;
    return v;
}

/* ---- who and which pid ---- */

const char *ps_shell_user(const ps_engine *e, uint32_t host)
{
    const ps_scenario *sc = ps_engine_scenario(e);
    const ps_proc_spec *best = NULL;
    for (uint32_t i = 0; i < sc->nprocs; i++) {
        const ps_proc_spec *p = &sc->procs[i];
        if (p->host == host && strcmp(p->user, "root") != 0 && (!best || p->pid < best->pid))
            best = p;
    }
    return best ? best->user : "root";
}

uint32_t ps_shell_next_pid(const ps_engine *e, uint32_t host)
{
    uint32_t max = 999;
    for (uint32_t i = 0; i < ps_engine_proc_count(e); i++) {
        const ps_proc *p = ps_engine_proc(e, i);
        if (p->host == host && p->pid > max) max = p->pid;
    }
    return max + 1;
}

/* Starts a program: a new process with the next pid, run by the shell's user. */
static uint32_t spawn(ps_sh *sh, const char *name)
{
    uint32_t proc = ps_engine_spawn(sh->e, sh->host, name, sh->user,
                                    ps_shell_next_pid(sh->e, sh->host));
    if (proc == PS_NONE) sh->out->failed = true;
    return proc;
}

/* A program that could not do its job exits. The engine's only way to end
 * a process is kill, so the trace shows a `kill` event for the exit. */
static void exit_proc(ps_sh *sh, uint32_t proc)
{
    ps_engine_kill(sh->e, sh->host, ps_engine_proc(sh->e, proc)->pid);
}

/* ---- kill ---- */

static bool parse_signal(const char *s, int *sig)
{
    static const struct { const char *name; int num; } sigs[] = {
        { "HUP", 1 }, { "INT", 2 }, { "QUIT", 3 }, { "KILL", 9 }, { "TERM", 15 },
    };
    if (isdigit((unsigned char)*s)) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end || v > 64) return false;
        *sig = (int)v;
        return true;
    }
    if (!strncmp(s, "SIG", 3)) s += 3;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (!strcmp(s, sigs[i].name)) {
            *sig = sigs[i].num;
            return true;
        }
    return false;
}

/* Every signal ends the process: node, python3 and nc keep the default
 * action for TERM, INT and HUP, and nothing can catch KILL. Signal 0 only
 * checks that the pid exists, as in bash. */
static void cmd_kill(ps_sh *sh, int argc, char **argv)
{
    int sig = 15, i = 1;
    if (i < argc && argv[i][0] == '-' && argv[i][1]) {
        const char *s = argv[i] + 1;
        if ((!strcmp(s, "s") || !strcmp(s, "n")) && i + 1 < argc) s = argv[++i];
        if (!parse_signal(s, &sig)) {
            ps_sbuf_printf(sh->out, "bash: kill: %s: invalid signal specification", s);
            return;
        }
        i++;
    }
    if (i >= argc) {
        ps_sbuf_puts(sh->out, "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | "
                              "jobspec ... or kill -l [sigspec]");
        return;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        unsigned long pid = strtoul(a, &end, 10);
        if (!isdigit((unsigned char)*a) || *end || pid > UINT32_MAX) {
            ps_sbuf_line(sh->out);
            ps_sbuf_printf(sh->out, "bash: kill: %s: arguments must be process or job IDs", a);
            continue;
        }
        uint32_t proc = ps_engine_find_pid(sh->e, sh->host, (uint32_t)pid);
        if (proc == PS_NONE) {
            ps_sbuf_line(sh->out);
            ps_sbuf_printf(sh->out, "bash: kill: (%s) - No such process", a);
        } else if (strcmp(sh->user, "root") != 0 &&
                   strcmp(sh->user, ps_engine_proc(sh->e, proc)->user) != 0) {
            ps_sbuf_line(sh->out);
            ps_sbuf_printf(sh->out, "bash: kill: (%s) - Operation not permitted", a);
        } else if (sig != 0) {
            ps_engine_kill(sh->e, sh->host, (uint32_t)pid);
        }
    }
}

/* ---- ps ---- */

static int by_pid(const void *a, const void *b)
{
    uint32_t x = (*(const ps_proc *const *)a)->pid, y = (*(const ps_proc *const *)b)->pid;
    return x < y ? -1 : x > y;
}

/* Whatever the options, prints what `ps -eo pid,user,comm` prints (procps-ng
 * 4): every live process of the host by pid, PID right-aligned in 7, USER
 * left-aligned in 8 (longer names cut to 7 characters and a `+`). */
static void cmd_ps(ps_sh *sh)
{
    uint32_t n = ps_engine_proc_count(sh->e), k = 0;
    const ps_proc **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        sh->out->failed = true;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const ps_proc *p = ps_engine_proc(sh->e, i);
        if (p->host == sh->host && p->alive) v[k++] = p;
    }
    qsort(v, k, sizeof *v, by_pid);
    static const ps_col cols[] = { { "", true, 7 }, { " ", false, 8 }, { " ", false, 0 } };
    ps_grid t;
    ps_grid_init(&t, cols, 3);
    ps_grid_cell(&t, "PID");
    ps_grid_cell(&t, "USER");
    ps_grid_cell(&t, "COMMAND");
    for (uint32_t i = 0; i < k; i++) {
        ps_grid_cell(&t, "%u", v[i]->pid);
        if (strlen(v[i]->user) > 8) ps_grid_cell(&t, "%.7s+", v[i]->user);
        else ps_grid_cell(&t, "%s", v[i]->user);
        ps_grid_cell(&t, "%s", v[i]->name);
    }
    ps_grid_render(&t, sh->out);
    ps_grid_free(&t);
    free(v);
}

/* ---- launchers ---- */

typedef enum prog { PROG_NODE, PROG_PYTHON, PROG_NC } prog;

static bool port_arg(ps_sh *sh, const char *what, const char *s, uint16_t *port)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)*s) || *end || v == 0 || v > 65535) {
        ps_sbuf_line(sh->out);
        ps_sbuf_printf(sh->out, "portsim: %s '%s' is not a port number (1-65535)", what, s);
        return false;
    }
    *port = (uint16_t)v;
    return true;
}

/* What each program prints when its listen fails, as measured (see
 * docs/reference/linux-ports.md, "What a server prints when it cannot
 * listen"): Node.js's unhandled 'error' event (its stack trace cut to the
 * first frame and `...`), the last line of Python's traceback, OpenBSD
 * nc's one line (not measured there). */
static void listen_error(ps_sh *sh, prog kind, uint16_t port, ps_errno err)
{
    ps_sbuf *o = sh->out;
    ps_sbuf_line(o);
    switch (kind) {
    case PROG_NODE:
        ps_sbuf_printf(o,
                       "node:events:502\n"
                       "      throw er; // Unhandled 'error' event\n"
                       "      ^\n"
                       "\n"
                       "Error: listen %s: %s :::%u\n"
                       "    at Server.setupListenHandle [as _listen2] (node:net:1908:16)\n"
                       "    ...\n"
                       "  code: '%s',\n"
                       "  errno: -%d,\n"
                       "  syscall: 'listen',\n"
                       "  address: '::',\n"
                       "  port: %u\n"
                       "}",
                       ps_errno_name(err), ps_node_errmsg(err), port, ps_errno_name(err),
                       ps_errno_number(err), port);
        break;
    case PROG_PYTHON:
        ps_sbuf_printf(o, "Traceback (most recent call last):\n  ...\n%s: [Errno %d] %s",
                       err == PS_EACCES ? "PermissionError" : "OSError", ps_errno_number(err),
                       ps_errno_message(err));
        break;
    case PROG_NC:
        ps_sbuf_printf(o, "nc: %s", ps_errno_message(err));
        break;
    }
}

/* Starts a server program listening on every address at port. Node.js,
 * Python's http.server and nc all set SO_REUSEADDR; Node.js listens on ::
 * without IPV6_V6ONLY (dual-stack: ss shows *:3000, lsof IPv6, netstat
 * tcp6), the others on 0.0.0.0. On success the program
 * prints what it prints (python3) or nothing (node, nc); on failure it
 * prints its error and exits. */
static void launch(ps_sh *sh, prog kind, const char *name, uint16_t port)
{
    uint32_t proc = spawn(sh, name);
    if (proc == PS_NONE) return;
    ps_errno err =
        ps_engine_listen(sh->e, proc, PS_ADDR_ANY, port,
                         PS_SOCK_REUSEADDR | (kind == PROG_NODE ? PS_LISTEN_INET6 : 0u), NULL, PS_NONE, NULL);
    if (err != PS_OK) {
        listen_error(sh, kind, port, err);
        exit_proc(sh, proc);
    } else if (kind == PROG_PYTHON) {
        ps_sbuf_line(sh->out);
        ps_sbuf_printf(sh->out, "Serving HTTP on 0.0.0.0 port %u (http://0.0.0.0:%u/) ...", port,
                       port);
    }
}

/* A Node.js server listens on $PORT, or 3000 without it. */
static void start_node(ps_sh *sh, const cmd *c)
{
    const char *env = getenv_cmd(c, "PORT");
    uint16_t port = 3000;
    if (env && *env && !port_arg(sh, "PORT", env, &port)) return;
    launch(sh, PROG_NODE, "node", port);
}

static void cmd_node(ps_sh *sh, const cmd *c)
{
    if (c->argc < 2 || c->argv[1][0] == '-') {
        ps_sbuf_puts(sh->out, "portsim: node runs a server script here, e.g. node server.js");
        return;
    }
    start_node(sh, c);
}

/* The project's package.json is taken to be
 * {"name":"app","version":"1.0.0","scripts":{"dev":"node server.js","start":"node server.js"}}:
 * npm prints its banner, then node runs (as the process named "node"). */
static void cmd_npm(ps_sh *sh, const cmd *c)
{
    const char *script = NULL;
    if (c->argc >= 2 && !strcmp(c->argv[1], "start")) script = "start";
    else if (c->argc >= 3 && !strcmp(c->argv[1], "run")) script = c->argv[2];
    if (!script) {
        ps_sbuf_puts(sh->out, "portsim: npm runs a script here: npm run dev, npm start");
        return;
    }
    if (strcmp(script, "dev") != 0 && strcmp(script, "start") != 0) {
        ps_sbuf_printf(sh->out, "npm error Missing script: \"%s\"", script);
        return;
    }
    ps_sbuf_printf(sh->out, "\n> app@1.0.0 %s\n> node server.js", script);
    /* What node prints comes after a blank line. */
    ps_sbuf node = { 0 };
    ps_sh sub = *sh;
    sub.out = &node;
    start_node(&sub, c);
    if (node.len) ps_sbuf_printf(sh->out, "\n\n%s", node.s);
    if (node.failed) sh->out->failed = true;
    ps_sbuf_free(&node);
}

static void cmd_python(ps_sh *sh, const cmd *c)
{
    if (c->argc < 3 || strcmp(c->argv[1], "-m") != 0 || strcmp(c->argv[2], "http.server") != 0) {
        ps_sbuf_puts(sh->out, "portsim: python3 runs one program here: python3 -m http.server [PORT]");
        return;
    }
    uint16_t port = 8000;
    if (c->argc >= 4 && !port_arg(sh, "port", c->argv[3], &port)) return;
    launch(sh, PROG_PYTHON, "python3", port);
}

/* ---- clients ---- */

/* Resolves a host the way a name lookup on the simulated box would:
 * `localhost`, a dotted address, or a scenario host's name (its first
 * address, as if listed in /etc/hosts). */
static bool resolve(const ps_sh *sh, const char *name, ps_addr *out)
{
    if (!strcmp(name, "localhost")) {
        *out = PS_ADDR_LOOPBACK;
        return true;
    }
    if (ps_addr_parse(name, strlen(name), out)) return true;
    const ps_scenario *sc = ps_engine_scenario(sh->e);
    uint32_t h = ps_scenario_host(sc, name);
    if (h == PS_NONE) return false;
    *out = sc->hosts[h].addrs[0];
    return true;
}

/* Starts a client's connection. The connect is asynchronous: the SYN leaves
 * now and the answer arrives later, in later events. So a client prints
 * only what is known now: a failure the kernel reports at once (no route,
 * no free port), after which the client exits. Returns that error. */
static ps_errno connect_client(ps_sh *sh, const char *name, ps_addr addr, uint16_t port)
{
    uint32_t proc = spawn(sh, name);
    if (proc == PS_NONE) return PS_OK;
    ps_errno err = ps_engine_connect(sh->e, proc, addr, port, 0, PS_NONE, NULL);
    if (err != PS_OK) exit_proc(sh, proc);
    return err;
}

/* curl URL: http://HOST[:PORT][/PATH] or https://...; default port 80/443. */
static void cmd_curl(ps_sh *sh, const cmd *c)
{
    const char *url = NULL;
    bool verbose = false;
    for (int i = 1; i < c->argc; i++) {
        if (!strcmp(c->argv[i], "-v") || !strcmp(c->argv[i], "--verbose")) verbose = true;
        else if (c->argv[i][0] != '-') url = c->argv[i];
    }
    if (!url) {
        ps_sbuf_puts(sh->out, "curl: try 'curl --help' or 'curl --manual' for more information");
        return;
    }
    uint16_t port = 80;
    const char *rest = strstr(url, "://");
    if (rest) {
        size_t n = (size_t)(rest - url);
        if (n == 5 && !strncmp(url, "https", 5)) port = 443;
        else if (n != 4 || strncmp(url, "http", 4) != 0) {
            ps_sbuf_printf(sh->out, "curl: (1) Protocol \"%.*s\" not supported or disabled in libcurl",
                           (int)n, url);
            return;
        }
        rest += 3;
    } else {
        rest = url;
    }
    /* An IPv6 address goes in brackets (http://[2001:db8::80]:3000/). */
    const char *close = rest[0] == '[' ? strchr(rest, ']') : NULL;
    if (rest[0] == '[' && !close) {
        ps_sbuf_printf(sh->out, "curl: (3) URL using bad/illegal format or missing URL");
        return;
    }
    size_t hn = close ? (size_t)(close - rest) + 1 : strcspn(rest, ":/");
    char host[256];
    if (close) snprintf(host, sizeof host, "%.*s", (int)(hn - 2 < 255 ? hn - 2 : 255), rest + 1);
    else snprintf(host, sizeof host, "%.*s", (int)(hn < 255 ? hn : 255), rest);
    if (rest[hn] == ':') {
        char pbuf[16];
        size_t pn = strcspn(rest + hn + 1, "/");
        snprintf(pbuf, sizeof pbuf, "%.*s", (int)(pn < 15 ? pn : 15), rest + hn + 1);
        char *end;
        unsigned long v = strtoul(pbuf, &end, 10);
        if (!isdigit((unsigned char)pbuf[0]) || *end || v > 65535) {
            ps_sbuf_printf(sh->out, "curl: (3) URL using bad/illegal format or missing URL");
            return;
        }
        port = (uint16_t)v;
    }
    ps_addr addr;
    ps_in6 a6;
    bool v6 = close != NULL;
    if (v6 && !ps_in6_parse(host, strlen(host), &a6, NULL)) {
        ps_sbuf_printf(sh->out, "curl: (3) URL using bad/illegal format or missing URL");
        return;
    }
    if (!v6 && !resolve(sh, host, &addr)) {
        ps_sbuf_printf(sh->out, "curl: (6) Could not resolve host: %s", host);
        return;
    }
    /* An IPv6 address no host has: no route, as for an unknown IPv4 one. */
    if (v6) addr = ps_scenario_find6(ps_engine_scenario(sh->e), &a6);
    char ab[PS_ENDPOINT_STRLEN];
    if (verbose && v6) ps_sbuf_printf(sh->out, "*   Trying [%s]:%u...", host, port);
    else if (verbose) ps_sbuf_printf(sh->out, "*   Trying %s:%u...", ps_addr_str(addr, ab), port);
    if (addr == PS_NONE || addr == PS_ADDR_ANY || connect_client(sh, "curl", addr, port) != PS_OK) {
        ps_sbuf_line(sh->out);
        ps_sbuf_printf(sh->out,
                       "curl: (7) Failed to connect to %s port %u after 0 ms: "
                       "Couldn't connect to server",
                       host, port);
    }
}

/* nc -l PORT (or -l -p PORT) listens; nc HOST PORT connects. OpenBSD nc
 * says nothing about a connection unless -v is given. */
static void cmd_nc(ps_sh *sh, const cmd *c)
{
    bool listen = false, verbose = false;
    const char *pos[2] = { NULL, NULL };
    int npos = 0;
    for (int i = 1; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (a[0] == '-' && a[1]) {
            for (const char *f = a + 1; *f; f++) {
                if (*f == 'l') listen = true;
                else if (*f == 'v') verbose = true;
                else if (*f == 'p' && i + 1 < c->argc && npos < 2) pos[npos++] = c->argv[++i];
            }
        } else if (npos < 2) {
            pos[npos++] = a;
        }
    }
    uint16_t port;
    if (listen) {
        if (npos < 1) {
            ps_sbuf_puts(sh->out, "usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] ...");
            return;
        }
        if (port_arg(sh, "port", pos[npos - 1], &port)) launch(sh, PROG_NC, "nc", port);
        return;
    }
    if (npos < 2) {
        ps_sbuf_puts(sh->out, "usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] ...");
        return;
    }
    ps_addr addr;
    if (!resolve(sh, pos[0], &addr)) {
        ps_sbuf_printf(sh->out,
                       "nc: getaddrinfo for host \"%s\" port %s: Name or service not known", pos[0],
                       pos[1]);
        return;
    }
    if (!port_arg(sh, "port", pos[1], &port)) return;
    ps_errno err = connect_client(sh, "nc", addr, port);
    if (err != PS_OK && verbose) {
        ps_sbuf_printf(sh->out, "nc: connect to %s port %u (tcp) failed: %s", pos[0], port,
                       ps_errno_message(err));
    }
}

/* ---- dispatch ---- */

static void run(ps_sh *sh, cmd *c)
{
    const char *name = c->argv[0];
    if (!strcmp(name, "ss")) ps_tool_ss(sh, c->argc, c->argv);
    else if (!strcmp(name, "netstat")) ps_tool_netstat(sh, c->argc, c->argv);
    else if (!strcmp(name, "lsof")) ps_tool_lsof(sh, c->argc, c->argv);
    else if (!strcmp(name, "conntrack")) ps_tool_conntrack(sh, c->argc, c->argv);
    else if (!strcmp(name, "nft")) ps_tool_nft(sh, c->argc, c->argv);
    else if (!strcmp(name, "kill")) cmd_kill(sh, c->argc, c->argv);
    else if (!strcmp(name, "ps")) cmd_ps(sh);
    else if (!strcmp(name, "node")) cmd_node(sh, c);
    else if (!strcmp(name, "npm")) cmd_npm(sh, c);
    else if (!strcmp(name, "python3") || !strcmp(name, "python")) cmd_python(sh, c);
    else if (!strcmp(name, "nc") || !strcmp(name, "netcat")) cmd_nc(sh, c);
    else if (!strcmp(name, "curl")) cmd_curl(sh, c);
    else if (!strcmp(name, "whoami")) ps_sbuf_puts(sh->out, sh->user);
    else if (!strcmp(name, "hostname"))
        ps_sbuf_puts(sh->out, ps_engine_scenario(sh->e)->hosts[sh->host].name);
    else if (!strcmp(name, "help"))
        ps_sbuf_puts(sh->out, "portsim shell: ss, netstat, lsof -i, ps, kill, node FILE, "
                              "npm run dev, python3 -m http.server [PORT], nc -l PORT, "
                              "nc HOST PORT, curl URL, conntrack -L, nft list ruleset, whoami, hostname "
                              "(see docs/shell.md)");
    else ps_sbuf_printf(sh->out, "bash: %s: command not found", name);
}

char *ps_shell_exec(ps_engine *e, uint32_t host, const char *cmdline)
{
    ps_sbuf out = { 0 };
    ps_sbuf_putn(&out, "", 0);
    /* A command may look at every socket and process: it pays for that up
     * front, and for its output after, so no command line runs unbounded. */
    uint64_t scan = 1 + (uint64_t)ps_engine_socket_slots(e) + ps_engine_proc_count(e);
    if (!ps_engine_charge(e, scan)) return out.s; /* the run has stopped: say nothing */
    cmd c;
    if (split(cmdline, &c, &out)) {
        prefixes(&c);
        ps_sh sh = { e, host, c.sudo ? "root" : ps_shell_user(e, host), &out };
        if (c.argc > 0) run(&sh, &c);
        else if (c.sudo) ps_sbuf_puts(&out, "usage: sudo command");
    }
    cmd_free(&c);
    if (out.failed) {
        ps_sbuf_free(&out);
        return NULL;
    }
    if (!ps_engine_charge(e, out.len)) out.len = 0, out.s[0] = '\0';
    return out.s;
}

bool ps_shell_run(ps_engine *e, uint32_t host, const char *cmdline)
{
    char *out = ps_shell_exec(e, host, cmdline);
    ps_sbuf text = { 0 };
    ps_sbuf_printf(&text, "$ %s", cmdline);
    if (out && *out) ps_sbuf_printf(&text, "\n%s", out);
    bool ok = out != NULL && !text.failed;
    /* Out of memory is not something the shell said: no event, and the
     * caller stops the run. A spent work budget has stopped it already. */
    if (ok && ps_engine_status(e) == PS_RUN_OK) ps_engine_note(e, PS_EV_SHELL, host, text.s);
    free(out);
    ps_sbuf_free(&text);
    return ok;
}

static bool command_hook(void *ctx, ps_engine *e, uint32_t host, const char *cmdline)
{
    (void)ctx;
    return ps_shell_run(e, host, cmdline);
}

void ps_shell_attach(ps_engine *e) { ps_engine_set_command_hook(e, command_hook, NULL); }
