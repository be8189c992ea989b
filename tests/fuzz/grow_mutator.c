/* grow_mutator.c — a structure-aware mutator for the libFuzzer build only
 * (mk/robust.mk links it; the corpus replay in `make check` does not need
 * it). Byte-level mutation almost never writes the inputs that make a file
 * expensive: thousands of names, hundreds of thousands of lines naming
 * them, times at the edge of the range. So one mutation in three grows the
 * input instead: a line is copied many times, each copy's numbers and
 * names made unique, or a time near the end of simulated time is spliced
 * in. The rest is libFuzzer's own mutation. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Appends copies of the line starting at `from` (its text in line[0..len)),
 * each with a suffix that makes its last word unique ("s" -> "s17"). */
static size_t copy_line(uint8_t *data, size_t size, size_t max_size, const uint8_t *line, size_t len,
                        unsigned copies)
{
    char tail[24];
    for (unsigned k = 0; k < copies; k++) {
        int n = snprintf(tail, sizeof tail, "%u\n", k);
        if (size + len + (size_t)n > max_size) break;
        memcpy(data + size, line, len);
        memcpy(data + size + len, tail, (size_t)n);
        size += len + (size_t)n;
    }
    return size;
}

static const char *const edges[] = {
    "at 4611686018427387000us ", "at 1ms a p connect 10.0.0.2:80 repeat 2000000 every 0us\n",
    "link a b 4611686018427387903us\n", "repeat 2000000 every 2305843009213693951us",
    "seed 18446744073709551615\n", "at 0us h shell \"ss -tanp\"\n",
};

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint64_t s = seed | 1u;
    if (size == 0 || next(&s) % 3 != 0) return LLVMFuzzerMutate(data, size, max_size);
    if (next(&s) % 4 == 0) { /* splice an edge value at a line start */
        const char *e = edges[next(&s) % (sizeof edges / sizeof edges[0])];
        size_t n = strlen(e);
        if (size + n > max_size) return LLVMFuzzerMutate(data, size, max_size);
        memcpy(data + size, e, n);
        return size + n;
    }
    /* Pick a line, copy it up to 8k times with unique suffixes. */
    size_t at = (size_t)(next(&s) % size);
    while (at > 0 && data[at - 1] != '\n') at--;
    size_t end = at;
    while (end < size && data[end] != '\n') end++;
    if (end == at || end - at > 200) return LLVMFuzzerMutate(data, size, max_size);
    uint8_t line[201];
    memcpy(line, data + at, end - at);
    if (size > 0 && data[size - 1] != '\n' && size < max_size) data[size++] = '\n';
    return copy_line(data, size, max_size, line, end - at, (unsigned)(next(&s) % 8192) + 1);
}
