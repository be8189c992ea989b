/* file.c — whole-file reads with a cap, atomic checked writes (file.h). */
#include "file.h"

#include "mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *ps_file_strerror(int err)
{
    switch (err) {
    case PS_EFILE_BIG: return "file is too large (the limit is 16 MiB)";
    case PS_EFILE_SYMLINK: return "it is a symbolic link (portsim does not write through links)";
    case ENOMEM: return "out of memory";
    default: return strerror(err);
    }
}

/* Reads f to its end into a NUL-terminated buffer of at most max bytes. */
static int read_stream(FILE *f, size_t max, char **data, size_t *len)
{
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max)
        return PS_EFILE_BIG;
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        if (n + 1 >= cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            if (ncap > max + 2) ncap = max + 2; /* room for one byte too many, and the NUL */
            char *grown = realloc(buf, ncap);
            if (grown == NULL) return free(buf), ENOMEM;
            buf = grown;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max) return free(buf), PS_EFILE_BIG;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int err = errno ? errno : EIO;
        free(buf);
        return err;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int ps_file_read(const char *path, size_t max, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (strcmp(path, "-") == 0) return read_stream(stdin, max, data, len);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return errno;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return EISDIR;
    }
    errno = 0;
    int err = read_stream(f, max, data, len);
    fclose(f);
    return err;
}

/* ---- atomic writes ---- */

int ps_file_out_open(ps_file_out *out, const char *path)
{
    memset(out, 0, sizeof *out);
    if (strcmp(path, "-") == 0) {
        out->f = stdout;
        return 0;
    }
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) return PS_EFILE_SYMLINK;
        if (S_ISDIR(st.st_mode)) return EISDIR;
        if (!S_ISREG(st.st_mode)) {
            /* A device or a pipe (/dev/full, a FIFO): nothing to replace, so
             * it is written in place, every write still checked. */
            out->f = fopen(path, "wb");
            return out->f ? 0 : errno;
        }
    }
    /* The temporary file sits beside the target, so rename() stays within
     * one file system and is atomic: "DIR/.NAME.XXXXXX". */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + 16;
    out->tmp = malloc(n);
    out->target = ps_strdup(path);
    if (!out->tmp || !out->target) {
        ps_file_out_abort(out);
        return ENOMEM;
    }
    snprintf(out->tmp, n, "%.*s.%s.XXXXXX", (int)dir_len, path, path + dir_len);
    int fd = mkstemp(out->tmp); /* O_CREAT|O_EXCL: never an existing file or link */
    if (fd < 0) {
        int err = errno;
        free(out->tmp);
        out->tmp = NULL;
        ps_file_out_abort(out);
        return err;
    }
    /* mkstemp makes 0600; a written file gets the usual 0666 & ~umask. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || (out->f = fdopen(fd, "wb")) == NULL) {
        int err = errno;
        close(fd);
        ps_file_out_abort(out);
        return err;
    }
    return 0;
}

int ps_file_out_commit(ps_file_out *out)
{
    int err = out->err;
    if (out->f == stdout) {
        if (fflush(stdout) != 0 || ferror(stdout)) err = err ? err : (errno ? errno : EIO);
        out->f = NULL;
        return err;
    }
    if (out->f == NULL) return err ? err : EBADF;
    if (fflush(out->f) != 0 || ferror(out->f)) err = err ? err : (errno ? errno : EIO);
    if (!err && out->tmp && fsync(fileno(out->f)) != 0 && errno != EINVAL) err = errno;
    if (fclose(out->f) != 0 && !err) err = errno ? errno : EIO;
    out->f = NULL;
    out->err = err;
    return ps_file_out_publish(out);
}

int ps_file_out_publish(ps_file_out *out)
{
    PS_ASSERT(out->f == NULL);
    int err = out->err;
    if (!err && out->tmp && rename(out->tmp, out->target) != 0) err = errno;
    if (err) {
        ps_file_out_abort(out);
        return err;
    }
    free(out->tmp);
    free(out->target);
    out->tmp = out->target = NULL;
    return 0;
}

void ps_file_out_abort(ps_file_out *out)
{
    if (out->f && out->f != stdout) fclose(out->f);
    out->f = NULL;
    if (out->tmp) unlink(out->tmp);
    free(out->tmp);
    free(out->target);
    out->tmp = out->target = NULL;
}

int ps_file_write(const char *path, const void *data, size_t len)
{
    ps_file_out out;
    int err = ps_file_out_open(&out, path);
    if (err) return err;
    if (len && fwrite(data, 1, len, out.f) != len) out.err = errno ? errno : EIO;
    return ps_file_out_commit(&out);
}
