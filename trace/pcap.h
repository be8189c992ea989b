/* pcap.h — the pcap writer: a sink that turns every SEGMENT event into a real
 * IPv4/TCP packet in a capture file Wireshark and tshark can open.
 *
 * Three layers, each usable alone:
 *   - checksums and packet building: pure functions over byte buffers (no
 *     libpcap, no I/O), so tests can check them against known vectors;
 *   - ps_pcap: the writer, a ps_event_fn sink like ps_trace_event, writing
 *     through libpcap's dump API (pcap_open_dead + pcap_dump_fopen);
 *   - ps_pcap_write_scenario: runs a scenario from the start and writes its
 *     whole capture (what the GUI's `P` key calls).
 * Plus ps_sink_tee, which passes one event stream to two sinks (a run that
 * prints a trace and writes a pcap at once).
 *
 * Everything written is a function of the events: the packet timestamp is the
 * simulated time, the IP ID is the packet's number in the file, and the
 * window is fixed, so equal runs give byte-identical files. See docs/pcap.md. */
#ifndef PS_PCAP_H
#define PS_PCAP_H


#include "event.h"
#include "file.h"
#include "scenario.h"

/* ---- checksums (RFC 1071) ---- */

/* Adds bytes to a running one's-complement sum, as 16-bit big-endian words
 * (an odd last byte is padded with a zero). Start with sum = 0. */
uint32_t ps_csum_add(uint32_t sum, const uint8_t *data, size_t len);
/* Folds the carries back in and complements: the value to store in a header. */
uint16_t ps_csum_fold(uint32_t sum);
/* The Internet checksum of a buffer: ps_csum_fold(ps_csum_add(0, data, len)).
 * Over a header whose checksum field is filled in correctly it gives 0. */
uint16_t ps_inet_checksum(const uint8_t *data, size_t len);
/* The TCP checksum of a segment (header + payload, checksum field included as
 * it stands) with the IPv4 pseudo-header for src -> dst (host byte order). */
uint16_t ps_tcp_checksum(ps_addr src, ps_addr dst, const uint8_t *seg, size_t len);
/* The same for a UDP datagram (protocol 17 in the pseudo-header). */
uint16_t ps_udp_checksum(ps_addr src, ps_addr dst, const uint8_t *seg, size_t len);
/* The same with the IPv6 pseudo-header (RFC 8200 section 8.1). */
uint16_t ps_tcp6_checksum(const ps_in6 *src, const ps_in6 *dst, const uint8_t *seg, size_t len);

/* ---- packet building ---- */

enum {
    PS_PCAP_IP_HLEN = 20,      /* IPv4 header without options (IHL 5) */
    PS_PCAP_TCP_HLEN = 20,     /* TCP header without options (data offset 5) */
    PS_PCAP_HLEN = PS_PCAP_IP_HLEN + PS_PCAP_TCP_HLEN,
    PS_PCAP_SNAPLEN = 65535,   /* the largest IPv4 packet */
    PS_PCAP_TTL = 64,          /* Linux's default TTL */
    PS_PCAP_WINDOW = 64240,    /* Linux's usual receive window; portsim has no flow control */
    PS_PCAP_UDP_HLEN = 8,      /* UDP header */
    PS_PCAP_ICMP_HLEN = 8,     /* ICMP destination unreachable: type, code, checksum, unused */
};

/* Writes the IPv4/TCP packet for a SEGMENT event into buf: addresses, ports,
 * flags, seq, ack and the ev->len payload bytes of ev->text, with the given
 * IP ID, both checksums computed. A DATAGRAM event becomes an IPv4/UDP
 * packet, an ICMP event an ICMP port unreachable quoting the datagram (its
 * IP and UDP headers and data), every checksum computed. Returns the packet length, or 0 if buf
 * (cap bytes) is too small or the payload does not fit one IPv4 packet. */
size_t ps_pcap_packet(const ps_event *ev, uint16_t ip_id, uint8_t *buf, size_t cap);

enum { PS_PCAP_IP6_HLEN = 40 }; /* the IPv6 header (no extension headers) */
/* The same for a segment between IPv6 addresses (sc's table, base.h): an
 * IPv6/TCP packet, hop limit 64, flow label 0. LINKTYPE_RAW carries both
 * families: the first nibble says which. */
size_t ps_pcap_packet6(const ps_scenario *sc, const ps_event *ev, uint8_t *buf, size_t cap);

/* ---- the writer ---- */

typedef struct ps_pcap {
    const char *path;    /* the file (the caller's string: keep it alive) */
    void *pcap;          /* pcap_t * (a "dead" handle: only for writing) */
    void *dumper;        /* pcap_dumper_t * */
    uint8_t *buf;        /* one packet, PS_PCAP_SNAPLEN bytes */
    uint32_t packets;    /* packets written so far */
    bool failed;         /* a packet could not be written (see error) */
    char error[256];     /* the first failure, for ps_pcap_close */
    ps_file_out out;     /* the file, renamed into place by a good close */
    const ps_scenario *sc; /* the run's scenario, whose IPv6 addresses the
                              packets need: set it after ps_pcap_open
                              (NULL: a segment between IPv6 addresses fails) */
} ps_pcap;

/* Creates (or truncates) the capture file at path. On failure writes a
 * message naming the path into err (n bytes) and returns false; w then needs
 * no ps_pcap_close. */
bool ps_pcap_open(ps_pcap *w, const char *path, char *err, size_t n);
/* The sink: writes one packet per SEGMENT event, ignores the other kinds. */
void ps_pcap_event(void *w, const ps_event *ev);
/* Flushes and closes the file, frees w's buffers. Returns false (message in
 * err) if any packet or the final write failed. */
bool ps_pcap_close(ps_pcap *w, char *err, size_t n);

/* Runs sc from the start with seed to the end (or max_steps queue steps) and
 * writes every segment to path. Returns false with a message in err on any
 * failure (file, memory, step limit). For the GUI's `P` key. */
bool ps_pcap_write_scenario(const ps_scenario *sc, uint64_t seed, uint64_t max_steps,
                            const char *path, char *err, size_t n);

/* ---- two sinks in one ---- */

/* Passes each event to fn[0](ctx[0], ev), then to fn[1](ctx[1], ev); a NULL
 * fn is skipped. Use ps_sink_tee_event with a ps_sink_tee as its context. */
typedef struct ps_sink_tee {
    ps_event_fn fn[2];
    void *ctx[2];
} ps_sink_tee;

void ps_sink_tee_event(void *tee, const ps_event *ev);

#endif
