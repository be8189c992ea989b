/* netns.h — throw-away network namespaces for `portsim verify` (Linux, root).
 *
 * One namespace per scenario host, named portsim-<pid>-<index>-<host>, the
 * host's index in the scenario and its name (left out when longer than 40
 * characters): the index keeps names apart whatever the hosts are called,
 * the name tells people which is which in `ip netns list`. Inside each:
 *   - `lo` up, and every address of the host as a /32 on `lo` (the host owns
 *     them whatever link a segment arrives on, as in the engine);
 *   - for every scenario link, one veth pair "psl<N>" joining the two hosts'
 *     namespaces directly (no bridge), and on each side one /32 route per
 *     address of the other host, with the host's first address as source;
 *   - net.ipv4.ip_local_port_range and ip_unprivileged_port_start set to the
 *     host's ephemeral range and unprivileged start.
 * Nothing else: no default route, no link to the initial namespace, so a
 * packet for any address outside the scenario has no route and connect()
 * fails with ENETUNREACH before anything is sent.
 *
 * Everything created is removed by ps_netns_destroy(): children are killed
 * and reaped, each namespace is unmounted and its /run/netns file unlinked
 * (what `ip netns del` does). It runs at exit, on SIGINT/SIGTERM/SIGHUP, and
 * on every error path; it is idempotent and async-signal-safe. Children
 * also die with their parent (PR_SET_PDEATHSIG).
 *
 * This module never opens a socket itself; children it spawns run their
 * function only after setns() into the namespace succeeded. */
#ifndef PS_NETNS_H
#define PS_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "scenario.h"

/* Whether namespaces can be made here: root, unshare(CLONE_NEWNET) works,
 * /proc/self/ns/net exists and `ip` (iproute2) runs. `ip` is always run by
 * absolute path (/usr/sbin/ip, /sbin/ip, /usr/bin/ip, /bin/ip: the first that
 * exists), never found through PATH. If not, writes the reason into why and
 * returns false. */
bool ps_netns_supported(char *why, size_t n);

/* Creates the namespaces, links, addresses, routes and sysctls for every host
 * of sc (see above) and arms the teardown. First removes any portsim-<pid>-*
 * namespace whose process is gone (a run killed with SIGKILL). On failure writes a message into
 * err, removes whatever was made, and returns false. One set at a time. */
bool ps_netns_create(const ps_scenario *sc, char *err, size_t n);

/* The namespace name of a host ("portsim-4242-0-laptop"), or NULL. */
const char *ps_netns_name(uint32_t host);

/* Forks a child that enters host's namespace and returns fn(ctx) as its
 * exit status (fn never runs if entering fails: status 127). The child
 * keeps the parent's privileges; fn drops them if it must. The pid is
 * tracked for the teardown. Returns the pid, or -1. */
pid_t ps_netns_spawn(uint32_t host, int (*fn)(void *ctx), void *ctx);

/* Waits for a spawned child and forgets it. Returns its exit status, or -1
 * if it was killed by a signal. */
int ps_netns_reap(pid_t pid);

/* SIGKILLs a spawned child, reaps it and forgets it. */
void ps_netns_kill(pid_t pid);

/* Reads a whole file as seen from inside host's namespace (for example
 * /proc/self/net/tcp). Returns a malloc'd NUL-terminated buffer, or NULL. */
char *ps_netns_read(uint32_t host, const char *path, size_t *len);

/* Kills every tracked child and removes every namespace. Safe to call more
 * than once and from a signal handler. */
void ps_netns_destroy(void);

/* The paths /run/netns/portsim-<pid>-* that exist right now, counted (for
 * tests of the teardown: must be 0 after ps_netns_destroy). */
unsigned ps_netns_leftovers(void);

#endif
