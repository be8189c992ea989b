/* file.h — every file portsim reads or writes goes through here.
 *
 * Reading: one whole-file reader with one size cap and one set of errors, so
 * the command line, the window and the tests agree on what "missing",
 * "unreadable" and "too large" mean.
 *
 * Writing: atomically. Bytes go to a fresh temporary file in the target's
 * folder (O_CREAT|O_EXCL|O_NOFOLLOW), every write and the close are checked,
 * and only a complete file is renamed over the target. A crash or a full
 * disk leaves the old file as it was. A symbolic link at the target is
 * refused, never followed.
 *
 * Errors are errno values (0 = success); ps_file_strerror() words them,
 * including the two this module adds (PS_EFILE_BIG, PS_EFILE_SYMLINK). */
#ifndef PS_IO_FILE_H
#define PS_IO_FILE_H

#include <stddef.h>
#include <stdio.h>

/* The largest file portsim reads: scenarios and golden traces. */
#define PS_MAX_FILE_BYTES (16u * 1024u * 1024u)

/* Errors of our own, beyond errno's range. */
enum {
    PS_EFILE_BIG = 100000,  /* more than the reader's cap */
    PS_EFILE_SYMLINK,       /* the target of a write is a symbolic link */
};

/* Reads the whole of path ("-" is standard input) into a new NUL-terminated
 * buffer *data (length *len, the NUL not counted), refusing more than max
 * bytes. Returns 0, or ENOENT when it does not exist, PS_EFILE_BIG, ENOMEM,
 * or the errno that opening or reading failed with. */
int ps_file_read(const char *path, size_t max, char **data, size_t *len);

/* Words for an error of this module: strerror(), or ours. */
const char *ps_file_strerror(int err);

/* An atomic write in progress. */
typedef struct ps_file_out {
    FILE *f;         /* write here (or through ps_file_out_fd) */
    char *target;    /* the final path */
    char *tmp;       /* the temporary file beside it */
    int err;         /* the first error seen, 0 while all is well */
} ps_file_out;

/* Starts writing path: returns 0 and an open out->f, or an error (nothing is
 * created then). "-" means standard output, written in place. */
int ps_file_out_open(ps_file_out *out, const char *path);
/* Finishes: flushes, checks every error, closes, renames over the target.
 * On any error the temporary file is removed and the target is untouched.
 * Returns 0 or the first error. */
int ps_file_out_commit(ps_file_out *out);
/* For a stream that its user closed itself (libpcap closes its FILE): set
 * out->f = NULL and out->err to the first error seen (0 if none; the user
 * checked its writes, flush and close), then this renames or cleans up.
 * Returns 0 or the error. */
int ps_file_out_publish(ps_file_out *out);
/* Gives up: removes the temporary file, leaves the target as it was. */
void ps_file_out_abort(ps_file_out *out);

/* Writes len bytes to path atomically. Returns 0 or an error. */
int ps_file_write(const char *path, const void *data, size_t len);

#endif
