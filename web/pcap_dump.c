/* pcap_dump.c — libpcap's dump API as trace/pcap.c uses it (pcap/pcap.h
 * here), for the WebAssembly build: the classic pcap file format, written
 * the way libpcap writes it (host byte order, version 2.4, DLT_RAW mapped
 * to LINKTYPE_RAW, 32-bit seconds and microseconds per record), so a
 * capture made in the browser or under node equals the native one byte for
 * byte (tests/web/web_trace.sh compares them). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcap/pcap.h"

enum { LINKTYPE_RAW = 101 };

struct pcap {
    uint32_t linktype, snaplen;
    char err[64];
};

struct pcap_dumper {
    FILE *f;
};

pcap_t *pcap_open_dead(int linktype, int snaplen)
{
    if (linktype != DLT_RAW || snaplen <= 0) return NULL; /* the only use portsim has */
    pcap_t *p = calloc(1, sizeof *p);
    if (p) {
        p->linktype = LINKTYPE_RAW;
        p->snaplen = (uint32_t)snaplen;
    }
    return p;
}

void pcap_close(pcap_t *p) { free(p); }

char *pcap_geterr(pcap_t *p) { return p->err; }

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); } /* host order, like libpcap */

pcap_dumper_t *pcap_dump_fopen(pcap_t *p, FILE *f)
{
    pcap_dumper_t *d = malloc(sizeof *d);
    if (!d) {
        snprintf(p->err, sizeof p->err, "%s", strerror(ENOMEM));
        return NULL;
    }
    d->f = f;
    put32(f, 0xa1b2c3d4u);                          /* magic: microsecond timestamps */
    uint16_t version[2] = { 2, 4 };
    fwrite(version, sizeof version, 1, f);
    put32(f, 0);                                    /* thiszone */
    put32(f, 0);                                    /* sigfigs */
    put32(f, p->snaplen);
    put32(f, p->linktype);
    return d;
}

void pcap_dump(u_char *dumper, const struct pcap_pkthdr *h, const u_char *bytes)
{
    FILE *f = ((pcap_dumper_t *)(void *)dumper)->f;
    put32(f, (uint32_t)h->ts.tv_sec);
    put32(f, (uint32_t)h->ts.tv_usec);
    put32(f, h->caplen);
    put32(f, h->len);
    fwrite(bytes, 1, h->caplen, f);
}

int pcap_dump_flush(pcap_dumper_t *d) { return fflush(d->f) == 0 ? 0 : -1; }

FILE *pcap_dump_file(pcap_dumper_t *d) { return d->f; }

void pcap_dump_close(pcap_dumper_t *d)
{
    fclose(d->f);
    free(d);
}
