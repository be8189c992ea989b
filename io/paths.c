/* paths.c — finding the data folders (see paths.h). */
#include "paths.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const k_env[] = { "PORTSIM_ASSETS", "PORTSIM_LESSONS" };
static const char *const k_sub[] = { "assets", "scenarios" };

const char *ps_data_env(ps_data_kind kind)
{
    return k_env[kind];
}

/* Whether dir is kind's folder: see paths.h for the markers. */
static bool holds_marker(ps_data_kind kind, const char *dir)
{
    if (kind == PS_DATA_ASSETS) {
        char path[PS_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/DejaVuSans.ttf", dir);
        return access(path, R_OK) == 0;
    }
    DIR *d = opendir(dir);
    if (!d) return false;
    struct dirent *e;
    bool any = false;
    while (!any && (e = readdir(d)) != NULL) any = e->d_name[0] != '.';
    closedir(d);
    return any;
}

/* Writes dir + tail to buf and says whether it is kind's folder; false
 * too when the path does not fit (a cut path would name another folder). */
static bool candidate(ps_data_kind kind, char *buf, size_t n, const char *dir, const char *tail)
{
    int len = snprintf(buf, n, "%s%s", dir, tail);
    return len > 0 && (size_t)len < n && holds_marker(kind, buf);
}

bool ps_data_find(ps_data_kind kind, const char *exe, char *buf, size_t n)
{
    const char *env = getenv(k_env[kind]);
    if (env && *env) { /* as given, even when wrong: the error then names it */
        snprintf(buf, n, "%s", env);
        return holds_marker(kind, buf);
    }
    char tail[64];
    const char *slash = exe ? strrchr(exe, '/') : NULL;
    if (slash && (size_t)(slash - exe) < PS_PATH_MAX) {
        char dir[PS_PATH_MAX];
        memcpy(dir, exe, (size_t)(slash - exe));
        dir[slash - exe] = '\0';
        snprintf(tail, sizeof tail, "/%s", k_sub[kind]);
        if (candidate(kind, buf, n, dir, tail)) return true;
        snprintf(tail, sizeof tail, "/../share/portsim/%s", k_sub[kind]);
        if (candidate(kind, buf, n, dir, tail)) return true;
    }
#ifdef PS_DATADIR
    snprintf(tail, sizeof tail, "/%s", k_sub[kind]);
    if (candidate(kind, buf, n, PS_DATADIR, tail)) return true;
#endif
    return candidate(kind, buf, n, k_sub[kind], "");
}

bool ps_data_dir(ps_data_kind kind, char *buf, size_t n)
{
    char exe[PS_PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) exe[len] = '\0';
    return ps_data_find(kind, len > 0 ? exe : NULL, buf, n);
}
