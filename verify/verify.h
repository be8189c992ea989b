/* verify.h — `portsim verify`: replays a scenario's socket operations on the
 * real Linux kernel, each host in a network namespace of its own, and shows
 * per operation whether portsim and the kernel agree (docs/verify.md). */
#ifndef PS_VERIFY_H
#define PS_VERIFY_H

/* Exit codes beyond cli.h's: the kernel cannot be asked here (not root, no
 * network namespaces, iproute2 missing). Never a pass. */

/* `portsim verify FILE` or `portsim verify --self-test`. Returns 0 when every
 * compared row agrees (or the self-test passed), 1 when any differs, 2 for a
 * usage or scenario error, 3 when verification is not possible here. */
int ps_cmd_verify(int argc, char **argv);

#endif
