/* umask.c — the umask system call emscripten 3.1.6 declares but does not
 * implement (its musl umask() calls it; io/file.c asks for the mask to give
 * written files the usual mode). A browser or node's raw file system has no
 * process mask to query, so this keeps one, starting at the common 022. */
long __syscall_umask(long mask);

long __syscall_umask(long mask)
{
    static long current = 022;
    long old = current;
    current = mask & 0777;
    return old;
}
