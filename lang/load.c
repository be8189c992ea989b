/* load.c — scenario files through the one reader (load.h). */
#include "load.h"

#include "file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ps_scenario_name(const char *path)
{
    return path == NULL ? PS_BUILTIN_NAME : strcmp(path, "-") == 0 ? PS_STDIN_NAME : path;
}

char *ps_scenario_source(const char *path, size_t *len, ps_diag *diag)
{
    memset(diag, 0, sizeof *diag);
    snprintf(diag->file, sizeof diag->file, "%s", ps_scenario_name(path));
    if (path == NULL) {
        *len = strlen(ps_builtin_two_tabs);
        char *s = malloc(*len + 1);
        if (s) memcpy(s, ps_builtin_two_tabs, *len + 1);
        else snprintf(diag->message, sizeof diag->message, "out of memory");
        return s;
    }
    char *text = NULL;
    int err = ps_file_read(path, PS_MAX_FILE_BYTES, &text, len);
    if (err) {
        /* Opening failed (missing, no permission), or reading did. */
        bool whole = err == PS_EFILE_BIG || err == ENOMEM; /* the words say it all */
        bool opening = !whole && err != EISDIR && err != EIO;
        if (whole) snprintf(diag->message, sizeof diag->message, "%s", ps_file_strerror(err));
        else snprintf(diag->message, sizeof diag->message, "cannot %s file: %s", opening ? "open" : "read",
                      ps_file_strerror(err));
        return NULL;
    }
    return text;
}

ps_scenario *ps_scenario_load(const char *path, ps_diag *diag)
{
    size_t len = 0;
    char *text = ps_scenario_source(path, &len, diag);
    if (text == NULL) return NULL;
    char name[sizeof diag->file]; /* the parser resets *diag, name included */
    memcpy(name, diag->file, sizeof name);
    ps_scenario *sc = ps_scenario_parse(text, len, name, diag);
    free(text);
    return sc;
}

ps_scenario *ps_scenario_load_or_report(const char *path)
{
    ps_diag d;
    ps_scenario *sc = ps_scenario_load(path, &d);
    if (!sc) {
        char buf[1024];
        fprintf(stderr, "%s\n", ps_diag_format(&d, buf, sizeof buf));
    }
    return sc;
}
