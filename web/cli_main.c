/* cli_main.c — main() of build-web/portsim-cli.js: `portsim run` and
 * `portsim check` from cli/cli.c, the same code as the native binary, run
 * by node on the real file system (NODERAWFS). It exists to prove that the
 * engine compiled to WebAssembly prints the native trace byte for byte
 * (tests/web/web_trace.sh). No window, no verify: those need a machine. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "run") == 0) return ps_cmd_run(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "check") == 0) return ps_cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "usage: node portsim-cli.js run FILE [--seed N] [--format text|jsonl|none] [--until T] [--pcap OUT]\n"
                    "       node portsim-cli.js check FILE...\n");
    return PS_EXIT_USAGE;
}
