/* test_shell.c — the simulated shell: each command's exact output (column
 * alignment included) for engine states built from small scenarios, the
 * effects of kill and the launchers on the engine (a killed server frees its
 * port, a failed launcher exits), the error texts (Node.js EADDRINUSE, bash's
 * kill and command-not-found, curl), and a host with thousands of sockets. */
#include "shell_fixture.h"

/* ---- helpers ---- */

static uint32_t host(const world *w, const char *name)
{
    uint32_t h = ps_scenario_host(w->sc, name);
    assert_int_not_equal(h, PS_NONE);
    return h;
}

static void advance(world *w, unsigned ms)
{
    ps_engine_run_until(w->e, ps_engine_now(w->e) + (ps_time)ms * 1000);
}

/* ---- the reference situations (docs/reference/linux-ports.md, "What the
 * tools print") ---- */

/* Python http.server on 0.0.0.0:3000 and node on 127.0.0.1:8080. */
#define TWO_SERVERS                                   \
    "host box 192.0.2.7\n"                             \
    "proc box python3 pid=7181 user=root\n"            \
    "proc box node pid=7182 user=root\n"               \
    "at 0ms box python3 listen 3000\n"                 \
    "at 1ms box node listen 127.0.0.1:8080\n"

static void test_ss_tlnp_two_servers(void **state)
{
    (void)state;
    world *w = start(TWO_SERVERS, 5);
    expect_out(w, "ss -tlnp",
               "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
               "LISTEN 0      5            0.0.0.0:3000      0.0.0.0:*    "
               "users:((\"python3\",pid=7181,fd=3))\n"
               "LISTEN 0      511        127.0.0.1:8080      0.0.0.0:*    "
               "users:((\"node\",pid=7182,fd=3))");
    /* The same with separate and long options. */
    expect_out(w, "ss -t -l -n",
               "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
               "LISTEN 0      5            0.0.0.0:3000      0.0.0.0:*\n"
               "LISTEN 0      511        127.0.0.1:8080      0.0.0.0:*");
    expect_out(w, "ss --tcp --listening --numeric",
               "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
               "LISTEN 0      5            0.0.0.0:3000      0.0.0.0:*\n"
               "LISTEN 0      511        127.0.0.1:8080      0.0.0.0:*");
    /* Without -n, 8080 is http-alt; without -t, a Netid column. */
    expect_out(w, "ss -l",
               "Netid State  Recv-Q Send-Q Local Address:Port     Peer Address:PortProcess\n"
               "tcp   LISTEN 0      5            0.0.0.0:3000          0.0.0.0:*\n"
               "tcp   LISTEN 0      511        127.0.0.1:http-alt      0.0.0.0:*");
    finish(w);
}

static void test_netstat_tlnp_two_servers(void **state)
{
    (void)state;
    world *w = start(TWO_SERVERS, 5);
    expect_out(w, "netstat -tlnp",
               "Active Internet connections (only servers)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
               "PID/Program name\n"
               "tcp        0      0 0.0.0.0:3000            0.0.0.0:*               LISTEN      "
               "7181/python3\n"
               "tcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN      "
               "7182/node");
    expect_out(w, "netstat -tl",
               "Active Internet connections (only servers)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
               "tcp        0      0 0.0.0.0:3000            0.0.0.0:*               LISTEN\n"
               "tcp        0      0 localhost:http-alt      0.0.0.0:*               LISTEN");
    finish(w);
}

/* Node listening on 3000 (dual-stack) and one IPv4 client. */
#define NODE_AND_CLIENT                                   \
    "host box 192.0.2.7\n"                                 \
    "proc box node pid=7362 user=root\n"                   \
    "proc box python3 pid=7380 user=root\n"                \
    "at 0ms box node listen [::]:3000\n"                   \
    "at 1ms box python3 connect 127.0.0.1:3000 from 49850\n"

static void test_node_dual_stack(void **state)
{
    (void)state;
    world *w = start(NODE_AND_CLIENT, 5);
    expect_out(w, "ss -tlnp",
               "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
               "LISTEN 0      511                *:3000            *:*    "
               "users:((\"node\",pid=7362,fd=3))");
    expect_out(w, "ss -tn",
               "State Recv-Q Send-Q      Local Address:Port        Peer Address:Port Process\n"
               "ESTAB 0      0               127.0.0.1:49850          127.0.0.1:3000\n"
               "ESTAB 0      0      [::ffff:127.0.0.1]:3000  [::ffff:127.0.0.1]:49850");
    expect_out(w, "lsof -i :3000",
               "COMMAND  PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
               "node    7362 root    3u  IPv6  20000      0t0  TCP *:3000 (LISTEN)\n"
               "node    7362 root    4u  IPv6  20002      0t0  TCP "
               "localhost:3000->localhost:49850 (ESTABLISHED)\n"
               "python3 7380 root    3u  IPv4  20001      0t0  TCP "
               "localhost:49850->localhost:3000 (ESTABLISHED)");
    expect_out(w, "lsof -nP -i :3000",
               "COMMAND  PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
               "node    7362 root    3u  IPv6  20000      0t0  TCP *:3000 (LISTEN)\n"
               "node    7362 root    4u  IPv6  20002      0t0  TCP "
               "127.0.0.1:3000->127.0.0.1:49850 (ESTABLISHED)\n"
               "python3 7380 root    3u  IPv4  20001      0t0  TCP "
               "127.0.0.1:49850->127.0.0.1:3000 (ESTABLISHED)");
    expect_out(w, "netstat -tnp",
               "Active Internet connections (w/o servers)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
               "PID/Program name\n"
               "tcp        0      0 127.0.0.1:49850         127.0.0.1:3000          ESTABLISHED "
               "7380/python3\n"
               "tcp6       0      0 127.0.0.1:3000          127.0.0.1:49850         ESTABLISHED "
               "7362/node");
    expect_out(w, "netstat -tlnp",
               "Active Internet connections (only servers)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
               "PID/Program name\n"
               "tcp6       0      0 :::3000                 :::*                    LISTEN      "
               "7362/node");
    /* -a: listeners first within each family, IPv4 before IPv6. */
    expect_out(w, "ss -tanp",
               "State  Recv-Q Send-Q      Local Address:Port        Peer Address:Port Process\n"
               "ESTAB  0      0               127.0.0.1:49850          127.0.0.1:3000  "
               "users:((\"python3\",pid=7380,fd=3))\n"
               "LISTEN 0      511                     *:3000                   *:*     "
               "users:((\"node\",pid=7362,fd=3))\n"
               "ESTAB  0      0      [::ffff:127.0.0.1]:3000  [::ffff:127.0.0.1]:49850 "
               "users:((\"node\",pid=7362,fd=4))");
    finish(w);
}

static void test_lsof_options(void **state)
{
    (void)state;
    world *w = start(NODE_AND_CLIENT, 5);
    expect_out(w, "lsof -t -i :3000", "7362\n7380");
    expect_out(w, "lsof -nP -iTCP -sTCP:LISTEN",
               "COMMAND  PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
               "node    7362 root    3u  IPv6  20000      0t0  TCP *:3000 (LISTEN)");
    expect_out(w, "lsof -i :4000", "");        /* nothing matches: nothing printed */
    expect_out(w, "lsof -i UDP", "");          /* no UDP sockets are simulated */
    expect_out(w, "lsof -i :3000-3000 -t", "7362\n7380");
    expect_out(w, "lsof -i :zz", "lsof: unknown service: :zz");
    expect_out(w, "lsof", "portsim: only network files are simulated: use lsof -i");
    finish(w);
}

/* ---- the port-conflict lesson's steps ---- */

#define LAPTOP                                    \
    "host laptop 192.0.2.50\n"                     \
    "proc laptop node pid=8421 user=alice\n"       \
    "at 0ms laptop node listen [::]:3000\n"

static void test_launcher_eaddrinuse(void **state)
{
    (void)state;
    world *w = start(LAPTOP, 1);
    expect_out(w, "node server.js",
               "node:events:502\n"
               "      throw er; // Unhandled 'error' event\n"
               "      ^\n"
               "\n"
               "Error: listen EADDRINUSE: address already in use :::3000\n"
               "    at Server.setupListenHandle [as _listen2] (node:net:1908:16)\n"
               "    ...\n"
               "  code: 'EADDRINUSE',\n"
               "  errno: -98,\n"
               "  syscall: 'listen',\n"
               "  address: '::',\n"
               "  port: 3000\n"
               "}");
    assert_int_equal(w->errors[PS_EADDRINUSE], 1);
    /* The failed server exited: pid 8422 is gone, ps shows only the first. */
    assert_int_equal(w->kills, 1);
    assert_int_equal(ps_engine_find_pid(w->e, 0, 8422), PS_NONE);
    expect_out(w, "ps", "    PID USER     COMMAND\n   8421 alice    node");
    /* Pids are not reused: the next program gets 8423. */
    assert_int_equal(ps_shell_next_pid(w->e, 0), 8423);
    finish(w);
}

static void test_kill_frees_port(void **state)
{
    (void)state;
    world *w = start(LAPTOP, 1);
    uint32_t h = host(w, "laptop");
    expect_out(w, "lsof -i :3000",
               "COMMAND  PID  USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n"
               "node    8421 alice    3u  IPv6  20000      0t0  TCP *:3000 (LISTEN)");
    assert_int_equal(ps_engine_port_state(w->e, h, 3000), PS_PORT_LISTENING);
    expect_out(w, "kill 8421", "");
    assert_int_equal(ps_engine_port_state(w->e, h, 3000), PS_PORT_FREE);
    assert_int_equal(ps_engine_find_pid(w->e, h, 8421), PS_NONE);
    expect_out(w, "lsof -i :3000", "");
    /* A new server now gets the port. */
    expect_out(w, "node server.js", "");
    assert_int_equal(ps_engine_port_state(w->e, h, 3000), PS_PORT_LISTENING);
    expect_out(w, "ss -tlnp",
               "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
               "LISTEN 0      511                *:3000            *:*    "
               "users:((\"node\",pid=8422,fd=3))");
    /* kill -9 works the same; a second kill finds nobody. */
    expect_out(w, "kill -9 8422", "");
    assert_int_equal(ps_engine_port_state(w->e, h, 3000), PS_PORT_FREE);
    expect_out(w, "kill -9 8422", "bash: kill: (8422) - No such process");
    finish(w);
}

static void test_npm_port_env(void **state)
{
    (void)state;
    world *w = start(LAPTOP, 1);
    uint32_t h = host(w, "laptop");
    expect_out(w, "PORT=3001 npm run dev", "\n> app@1.0.0 dev\n> node server.js");
    assert_int_equal(ps_engine_port_state(w->e, h, 3001), PS_PORT_LISTENING);
    expect_out(w, "npm start",
               "\n> app@1.0.0 start\n> node server.js\n"
               "\n"
               "node:events:502\n"
               "      throw er; // Unhandled 'error' event\n"
               "      ^\n"
               "\n"
               "Error: listen EADDRINUSE: address already in use :::3000\n"
               "    at Server.setupListenHandle [as _listen2] (node:net:1908:16)\n"
               "    ...\n"
               "  code: 'EADDRINUSE',\n"
               "  errno: -98,\n"
               "  syscall: 'listen',\n"
               "  address: '::',\n"
               "  port: 3000\n"
               "}");
    expect_out(w, "npm run build", "npm error Missing script: \"build\"");
    expect_out(w, "PORT=abc node server.js", "portsim: PORT 'abc' is not a port number (1-65535)");
    expect_out(w, "ps",
               "    PID USER     COMMAND\n"
               "   8421 alice    node\n"
               "   8422 alice    node");
    finish(w);
}

static void test_privileged_and_sudo(void **state)
{
    (void)state;
    world *w = start(LAPTOP, 1);
    uint32_t h = host(w, "laptop");
    expect_out(w, "PORT=80 node server.js",
               "node:events:502\n"
               "      throw er; // Unhandled 'error' event\n"
               "      ^\n"
               "\n"
               "Error: listen EACCES: permission denied :::80\n"
               "    at Server.setupListenHandle [as _listen2] (node:net:1908:16)\n"
               "    ...\n"
               "  code: 'EACCES',\n"
               "  errno: -13,\n"
               "  syscall: 'listen',\n"
               "  address: '::',\n"
               "  port: 80\n"
               "}");
    expect_out(w, "python3 -m http.server 80",
               "Traceback (most recent call last):\n  ...\n"
               "PermissionError: [Errno 13] Permission denied");
    expect_out(w, "sudo python3 -m http.server 80",
               "Serving HTTP on 0.0.0.0 port 80 (http://0.0.0.0:80/) ...");
    assert_int_equal(ps_engine_port_state(w->e, h, 80), PS_PORT_LISTENING);
    expect_out(w, "whoami", "alice");
    expect_out(w, "sudo whoami", "root");
    /* alice may not kill root's server; root may. */
    uint32_t pid = ps_shell_next_pid(w->e, h) - 1;
    char cmd[64], want[96];
    snprintf(cmd, sizeof cmd, "kill %u", pid);
    snprintf(want, sizeof want, "bash: kill: (%u) - Operation not permitted", pid);
    expect_out(w, cmd, want);
    snprintf(cmd, sizeof cmd, "sudo kill %u", pid);
    expect_out(w, cmd, "");
    assert_int_equal(ps_engine_port_state(w->e, h, 80), PS_PORT_FREE);
    finish(w);
}

static void test_python_and_nc(void **state)
{
    (void)state;
    world *w = start(LAPTOP, 1);
    expect_out(w, "python3 -m http.server",
               "Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...");
    expect_out(w, "python3 -m http.server 8000",
               "Traceback (most recent call last):\n  ...\n"
               "OSError: [Errno 98] Address already in use");
    expect_out(w, "nc -l 4000", "");
    expect_out(w, "nc -l -p 4000", "nc: Address already in use");
    expect_out(w, "nc -v 127.0.0.1 4000", "");
    advance(w, 1);
    expect_out(w, "ss -tnp",
               "State Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n"
               "ESTAB 0      0          127.0.0.1:4000     127.0.0.1:57820 "
               "users:((\"nc\",pid=8424,fd=4))\n"
               "ESTAB 0      0          127.0.0.1:57820    127.0.0.1:4000  "
               "users:((\"nc\",pid=8426,fd=3))");
    finish(w);
}

/* ---- clients ---- */

static void test_curl(void **state)
{
    (void)state;
    world *w = start("host laptop 192.0.2.50\n"
                     "host server 93.184.216.34\n"
                     "link laptop server 20ms\n"
                     "proc laptop firefox pid=4242 user=alice\n"
                     "proc server nginx pid=812 user=root\n"
                     "at 0ms server nginx listen 80\n",
                     1);
    /* The connect is asynchronous: curl prints nothing now... */
    expect_out(w, "curl http://127.0.0.1:3999", "");
    expect_out(w, "curl -v localhost:3999", "*   Trying 127.0.0.1:3999...");
    assert_int_equal(w->errors[PS_ECONNREFUSED], 0);
    /* ...and the refusal arrives a loopback round trip later. */
    advance(w, 1);
    assert_int_equal(w->errors[PS_ECONNREFUSED], 2);
    /* Failures known at once are printed at once. */
    expect_out(w, "curl http://10.9.9.9/",
               "curl: (7) Failed to connect to 10.9.9.9 port 80 after 0 ms: "
               "Couldn't connect to server");
    expect_out(w, "curl http://nowhere/", "curl: (6) Could not resolve host: nowhere");
    expect_out(w, "curl ftp://server/",
               "curl: (1) Protocol \"ftp\" not supported or disabled in libcurl");
    /* A scenario host's name resolves to its address. */
    expect_out(w, "curl http://server/", "");
    advance(w, 50);
    expect_out(w, "ss -tn",
               "State Recv-Q Send-Q Local Address:Port   Peer Address:PortProcess\n"
               "ESTAB 0      0         192.0.2.50:39322 93.184.216.34:80");
    expect_out(w, "ss -t",
               "State Recv-Q Send-Q Local Address:Port   Peer Address:PortProcess\n"
               "ESTAB 0      0         192.0.2.50:39322 93.184.216.34:http");
    finish(w);
}

/* ---- states, orders and misc ---- */

static void test_time_wait_visibility(void **state)
{
    (void)state;
    world *w = start("host box 192.0.2.7\n"
                     "proc box srv pid=10 user=root\n"
                     "proc box cli pid=20 user=root\n"
                     "at 0ms box srv listen 5000\n"
                     "at 1ms box cli connect 127.0.0.1:5000 from 40000 as c\n"
                     "at 2ms c close\n",
                     5);
    /* The client closed first: it sits in TIME-WAIT without a process; ss
     * shows it only with -a, netstat always (with "-" for the program). */
    expect_out(w, "ss -tn", "State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess");
    expect_out(w, "ss -tan",
               "State     Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n"
               "LISTEN    0      4096         0.0.0.0:5000       0.0.0.0:*\n"
               "TIME-WAIT 0      0          127.0.0.1:40000    127.0.0.1:5000");
    expect_out(w, "netstat -tnp",
               "Active Internet connections (w/o servers)\n"
               "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
               "PID/Program name\n"
               "tcp        0      0 127.0.0.1:40000         127.0.0.1:5000          TIME_WAIT   -");
    finish(w);
}

static void test_errors_and_words(void **state)
{
    (void)state;
    world *w = start(LAPTOP, 1);
    expect_out(w, "foo --bar", "bash: foo: command not found");
    expect_out(w, "", "");
    expect_out(w, "kill 99999", "bash: kill: (99999) - No such process");
    expect_out(w, "kill abc", "bash: kill: abc: arguments must be process or job IDs");
    expect_out(w, "kill -FOO 8421", "bash: kill: FOO: invalid signal specification");
    expect_out(w, "kill",
               "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or "
               "kill -l [sigspec]");
    expect_out(w, "kill -0 8421", ""); /* signal 0 only checks */
    assert_int_not_equal(ps_engine_find_pid(w->e, 0, 8421), PS_NONE);
    expect_out(w, "ss -tlnp | grep 3000",
               "portsim: '|' (pipes, redirections, lists) is not simulated; "
               "type one command at a time");
    expect_out(w, "ss -x", "ss: invalid option -- 'x'");
    expect_out(w, "ss -tn state established",
               "portsim: ss filters such as 'state' are not simulated; "
               "use the options -t -u -l -a -n -p -4 -6");
    expect_out(w, "echo 'unterminated", "bash: unexpected EOF while looking for matching `''");
    expect_out(w, "'n'\"o\"de server.js &", "node:events:502\n"
               "      throw er; // Unhandled 'error' event\n"
               "      ^\n"
               "\n"
               "Error: listen EADDRINUSE: address already in use :::3000\n"
               "    at Server.setupListenHandle [as _listen2] (node:net:1908:16)\n"
               "    ...\n"
               "  code: 'EADDRINUSE',\n"
               "  errno: -98,\n"
               "  syscall: 'listen',\n"
               "  address: '::',\n"
               "  port: 3000\n"
               "}");
    expect_out(w, "hostname", "laptop");
    finish(w);
}

static void test_users_and_ps(void **state)
{
    (void)state;
    world *w = start("host a 192.0.2.1\n"
                     "host b 192.0.2.2\n"
                     "proc a nginx pid=5 user=root\n"
                     "proc a worker pid=900 user=verylongusername\n"
                     "proc a app pid=300 user=bob\n",
                     0);
    assert_string_equal(ps_shell_user(w->e, 0), "bob");
    assert_string_equal(ps_shell_user(w->e, 1), "root");
    assert_int_equal(ps_shell_next_pid(w->e, 0), 1000);
    assert_int_equal(ps_shell_next_pid(w->e, 1), 1000);
    expect_out(w, "ps -ef",
               "    PID USER     COMMAND\n"
               "      5 root     nginx\n"
               "    300 bob      app\n"
               "    900 verylon+ worker");
    finish(w);
}

static void test_shell_event(void **state)
{
    (void)state;
    world *w = start(LAPTOP, 1);
    ps_shell_run(w->e, 0, "kill 8421");
    assert_string_equal(w->shell_text, "$ kill 8421");
    ps_shell_run(w->e, 0, "nope");
    assert_string_equal(w->shell_text, "$ nope\nbash: nope: command not found");
    finish(w);
    /* From a scenario line, at its time. */
    w = start(LAPTOP "at 2ms laptop shell \"ps\"\n", 5);
    assert_string_equal(w->shell_text, "$ ps\n    PID USER     COMMAND\n   8421 alice    node");
    finish(w);
    /* The engine knows no tools: without the userland's hook a scenario's
     * command is echoed alone, and nothing runs. */
    w = start(LAPTOP "at 2ms laptop shell \"kill 8421\"\n", 0);
    ps_engine_set_command_hook(w->e, NULL, NULL);
    ps_engine_run_until(w->e, 5000);
    assert_string_equal(w->shell_text, "$ kill 8421");
    assert_int_not_equal(ps_engine_find_pid(w->e, 0, 8421), PS_NONE);
    finish(w);
}

/* A busy host: thousands of sockets, output far beyond any fixed buffer. */
static void test_busy_host(void **state)
{
    (void)state;
    world *w = start("host server 203.0.113.80\n"
                     "host campus 198.51.100.1\n"
                     "link campus server 4ms\n"
                     "proc server nginx pid=812 user=root\n"
                     "proc campus browser pid=100 user=student\n"
                     "at 0ms server nginx listen 443\n"
                     "at 1ms campus browser connect https://203.0.113.80 repeat 3000 every 10us\n",
                     100);
    char *out = ps_shell_exec(w->e, 0, "ss -tanp");
    assert_non_null(out);
    size_t lines = 1;
    for (const char *p = out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 1 + 3000);
    assert_non_null(strstr(out, "users:((\"nginx\",pid=812,fd=3002))"));
    free(out);
    out = ps_shell_exec(w->e, 0, "lsof -nP -i :443");
    assert_non_null(out);
    /* A four-digit fd fills the FD column it is right-aligned in. */
    assert_non_null(strstr(out, "COMMAND PID USER   FD   TYPE"));
    assert_non_null(strstr(out, "nginx   812 root 3002u  IPv4"));
    free(out);
    finish(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ss_tlnp_two_servers),
        cmocka_unit_test(test_netstat_tlnp_two_servers),
        cmocka_unit_test(test_node_dual_stack),
        cmocka_unit_test(test_lsof_options),
        cmocka_unit_test(test_launcher_eaddrinuse),
        cmocka_unit_test(test_kill_frees_port),
        cmocka_unit_test(test_npm_port_env),
        cmocka_unit_test(test_privileged_and_sudo),
        cmocka_unit_test(test_python_and_nc),
        cmocka_unit_test(test_curl),
        cmocka_unit_test(test_time_wait_visibility),
        cmocka_unit_test(test_errors_and_words),
        cmocka_unit_test(test_users_and_ps),
        cmocka_unit_test(test_shell_event),
        cmocka_unit_test(test_busy_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
