/* pcap/pcap.h — the part of libpcap's dump API that trace/pcap.c uses, for
 * the WebAssembly build (web/pcap_dump.c implements it). Emscripten has no
 * libpcap, and these few calls only write the classic pcap file format, so
 * trace/pcap.c compiles unchanged and the browser and node builds write the
 * same capture bytes as the native one. Not a general libpcap. */
#ifndef PS_WEB_PCAP_H
#define PS_WEB_PCAP_H

#include <stdio.h>
#include <sys/time.h>
#include <sys/types.h>

typedef unsigned int bpf_u_int32;
typedef unsigned char u_char;
typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

struct pcap_pkthdr {
    struct timeval ts;
    bpf_u_int32 caplen;
    bpf_u_int32 len;
};

#define DLT_RAW 12 /* Linux's value; the file says LINKTYPE_RAW (101), as libpcap writes */

pcap_t *pcap_open_dead(int linktype, int snaplen);
void pcap_close(pcap_t *p);
char *pcap_geterr(pcap_t *p);
pcap_dumper_t *pcap_dump_fopen(pcap_t *p, FILE *f);
void pcap_dump(u_char *dumper, const struct pcap_pkthdr *h, const u_char *bytes);
int pcap_dump_flush(pcap_dumper_t *d);
FILE *pcap_dump_file(pcap_dumper_t *d);
void pcap_dump_close(pcap_dumper_t *d);

#endif
