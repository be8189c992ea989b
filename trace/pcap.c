/* pcap.c — SEGMENT events as IPv4/TCP packets in a pcap file (see pcap.h),
 * DATAGRAM events as IPv4/UDP and ICMP events as ICMP port unreachable.
 *
 * Link type: DLT_RAW (LINKTYPE_RAW, 101 in the file). Each record is the IPv4
 * packet itself, with no link-layer header. Wireshark's packet list looks the
 * same as it would for Ethernet (Source and Destination columns show the IP
 * addresses, Protocol TCP, Info "52114 → 443 [SYN] Seq=0 ..."); the details
 * pane shows one "Raw packet data" line where Ethernet would show a frame
 * header. Ethernet would mean inventing MAC addresses: portsim models no link
 * layer (no ARP, no switches), so made-up MACs would be numbers that mean
 * nothing in the simulation, with made-up vendor names beside them, and one
 * more layer to explain away. Raw IP shows exactly what the simulation has:
 * addresses, ports, flags, sequence numbers and the bytes sent.
 *
 * libpcap maps DLT_RAW (whose value differs between platforms) to the one
 * portable LINKTYPE_RAW when it writes the file header: one reason to write
 * through its dump API rather than by hand. */
#include "pcap.h"

#include <errno.h>
#include <stdarg.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "shell.h"

/* ---- checksums ---- */

uint32_t ps_csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    uint64_t s = sum;
    size_t i = 0;
    for (; i + 1 < len; i += 2) s += (uint32_t)data[i] << 8 | data[i + 1];
    if (i < len) s += (uint32_t)data[i] << 8;
    while (s >> 32) s = (s & 0xffffffffu) + (s >> 32); /* keep the end-around carries */
    return (uint32_t)s;
}

uint16_t ps_csum_fold(uint32_t sum)
{
    while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t ps_inet_checksum(const uint8_t *data, size_t len)
{
    return ps_csum_fold(ps_csum_add(0, data, len));
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* The checksum of a transport segment with its IPv4 pseudo-header. */
static uint16_t pseudo_checksum(ps_addr src, ps_addr dst, uint8_t proto, const uint8_t *seg, size_t len)
{
    uint8_t pseudo[12]; /* source, destination, zero, protocol, length */
    put32(pseudo, src);
    put32(pseudo + 4, dst);
    pseudo[8] = 0;
    pseudo[9] = proto;
    put16(pseudo + 10, (uint32_t)len);
    return ps_csum_fold(ps_csum_add(ps_csum_add(0, pseudo, sizeof pseudo), seg, len));
}

uint16_t ps_tcp_checksum(ps_addr src, ps_addr dst, const uint8_t *seg, size_t len)
{
    return pseudo_checksum(src, dst, 6, seg, len);
}

uint16_t ps_udp_checksum(ps_addr src, ps_addr dst, const uint8_t *seg, size_t len)
{
    return pseudo_checksum(src, dst, 17, seg, len);
}

uint16_t ps_tcp6_checksum(const ps_in6 *src, const ps_in6 *dst, const uint8_t *seg, size_t len)
{
    uint8_t pseudo[40]; /* source, destination, upper-layer length, 3 zeros, next header */
    memcpy(pseudo, src->b, 16);
    memcpy(pseudo + 16, dst->b, 16);
    put32(pseudo + 32, (uint32_t)len);
    put32(pseudo + 36, 6);
    return ps_csum_fold(ps_csum_add(ps_csum_add(0, pseudo, sizeof pseudo), seg, len));
}

/* ---- packet building ---- */

/* IPv4 header: version 4, IHL 5, TTL 64, checksum over the 20 bytes. TCP
 * and UDP: no DSCP, Don't Fragment (as Linux sets them); an ICMP error: DSCP
 * CS6 (TOS 0xc0) and no DF, as a capture of Linux's shows
 * (docs/reference/udp.md). */
static void ip_header(uint8_t *ip, uint8_t proto, ps_addr src, ps_addr dst, uint16_t id, size_t total)
{
    ip[0] = 0x45;
    ip[1] = proto == 1 ? 0xc0 : 0;
    put16(ip + 2, (uint32_t)total);
    put16(ip + 4, id);
    put16(ip + 6, proto == 1 ? 0 : 0x4000); /* DF, fragment offset 0 */
    ip[8] = PS_PCAP_TTL;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, ps_inet_checksum(ip, PS_PCAP_IP_HLEN));
}

/* UDP header and payload from sport to dport, checksum with the
 * pseudo-header (0 becomes 0xffff: 0 means "none" in UDP). */
static void udp_datagram(uint8_t *udp, ps_addr src, uint16_t sport, ps_addr dst, uint16_t dport,
                         const char *payload, size_t paylen)
{
    put16(udp, sport);
    put16(udp + 2, dport);
    put16(udp + 4, (uint32_t)(PS_PCAP_UDP_HLEN + paylen));
    put16(udp + 6, 0);
    if (paylen) memcpy(udp + PS_PCAP_UDP_HLEN, payload, paylen);
    uint16_t c = ps_udp_checksum(src, dst, udp, PS_PCAP_UDP_HLEN + paylen);
    put16(udp + 6, c ? c : 0xffff);
}

/* TCP header and payload, checksum field zero. The ACK field is written as
 * the engine gives it (0 when ACK is not set). */
static void tcp_segment(uint8_t *tcp, const ps_event *ev, size_t paylen)
{
    put16(tcp, ev->src_port);
    put16(tcp + 2, ev->dst_port);
    put32(tcp + 4, ev->tcp_seq);
    put32(tcp + 8, ev->tcp_ack);
    tcp[12] = (PS_PCAP_TCP_HLEN / 4) << 4; /* data offset, in 32-bit words */
    tcp[13] = ev->flags;                   /* PS_FIN.. have the wire bit values */
    put16(tcp + 14, PS_PCAP_WINDOW);
    put16(tcp + 16, 0);
    put16(tcp + 18, 0); /* urgent pointer */
    if (paylen) memcpy(tcp + PS_PCAP_TCP_HLEN, ev->text, paylen);
}

size_t ps_pcap_packet(const ps_event *ev, uint16_t ip_id, uint8_t *buf, size_t cap)
{
    size_t paylen = ev->text ? ev->len : 0;
    /* An ICMP error quotes the datagram: its IP header, UDP header and data. */
    size_t quoted = PS_PCAP_IP_HLEN + PS_PCAP_UDP_HLEN + paylen;
    size_t total = ev->kind == PS_EV_DATAGRAM ? PS_PCAP_IP_HLEN + PS_PCAP_UDP_HLEN + paylen
                   : ev->kind == PS_EV_ICMP   ? PS_PCAP_IP_HLEN + PS_PCAP_ICMP_HLEN + quoted
                                              : PS_PCAP_HLEN + paylen;
    if (total > PS_PCAP_SNAPLEN || total > cap) return 0;
    if (ev->kind == PS_EV_DATAGRAM) {
        ip_header(buf, 17, ev->src_addr, ev->dst_addr, ip_id, total);
        udp_datagram(buf + PS_PCAP_IP_HLEN, ev->src_addr, ev->src_port, ev->dst_addr, ev->dst_port,
                     ev->text, paylen);
    } else if (ev->kind == PS_EV_ICMP) {
        /* From the closed address to the sender; the quoted datagram went
         * the other way: sender's port (dst_port) to the closed one
         * (src_port). Its IP ID is not known here: 0. */
        ip_header(buf, 1, ev->src_addr, ev->dst_addr, ip_id, total);
        uint8_t *icmp = buf + PS_PCAP_IP_HLEN;
        memset(icmp, 0, PS_PCAP_ICMP_HLEN);
        icmp[0] = 3; /* destination unreachable */
        icmp[1] = 3; /* port unreachable */
        uint8_t *inner = icmp + PS_PCAP_ICMP_HLEN;
        ip_header(inner, 17, ev->dst_addr, ev->src_addr, 0, quoted);
        udp_datagram(inner + PS_PCAP_IP_HLEN, ev->dst_addr, ev->dst_port, ev->src_addr, ev->src_port,
                     ev->text, paylen);
        put16(icmp + 2, ps_inet_checksum(icmp, PS_PCAP_ICMP_HLEN + quoted));
    } else {
        ip_header(buf, 6, ev->src_addr, ev->dst_addr, ip_id, total);
        uint8_t *tcp = buf + PS_PCAP_IP_HLEN;
        tcp_segment(tcp, ev, paylen);
        put16(tcp + 16, ps_tcp_checksum(ev->src_addr, ev->dst_addr, tcp, PS_PCAP_TCP_HLEN + paylen));
    }
    return total;
}

size_t ps_pcap_packet6(const ps_scenario *sc, const ps_event *ev, uint8_t *buf, size_t cap)
{
    size_t paylen = ev->text ? ev->len : 0;
    size_t seglen = PS_PCAP_TCP_HLEN + paylen;
    size_t total = PS_PCAP_IP6_HLEN + seglen;
    if (total > PS_PCAP_SNAPLEN || total > cap) return 0;
    ps_in6 src = ps_sc_in6(sc, ev->src_addr), dst = ps_sc_in6(sc, ev->dst_addr);
    put32(buf, 6u << 28);          /* version 6, traffic class 0, flow label 0 */
    put16(buf + 4, (uint32_t)seglen); /* payload length */
    buf[6] = 6;                    /* next header: TCP */
    buf[7] = PS_PCAP_TTL;          /* hop limit: Linux's default, as IPv4's TTL */
    memcpy(buf + 8, src.b, 16);
    memcpy(buf + 24, dst.b, 16);
    uint8_t *tcp = buf + PS_PCAP_IP6_HLEN;
    tcp_segment(tcp, ev, paylen);
    put16(tcp + 16, ps_tcp6_checksum(&src, &dst, tcp, seglen));
    return total;
}

/* ---- the writer ---- */

/* Formats a message into err (n bytes); err may be NULL. */
static void set_error(char *err, size_t n, const char *fmt, ...)
{
    if (!err || !n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

bool ps_pcap_open(ps_pcap *w, const char *path, char *err, size_t n)
{
    *w = (ps_pcap){ 0 };
    pcap_t *p = pcap_open_dead(DLT_RAW, PS_PCAP_SNAPLEN);
    w->buf = malloc(PS_PCAP_SNAPLEN);
    if (!p || !w->buf) {
        if (p) pcap_close(p);
        free(w->buf);
        set_error(err, n, "cannot write %s: %s", path, "out of memory");
        return false;
    }
    /* Our own file: written atomically, with clear errno messages. */
    int oerr = ps_file_out_open(&w->out, path);
    pcap_dumper_t *d = oerr ? NULL : pcap_dump_fopen(p, w->out.f);
    if (!d) {
        set_error(err, n, "cannot write %s: %s", path, oerr ? ps_file_strerror(oerr) : pcap_geterr(p));
        if (!oerr) ps_file_out_abort(&w->out);
        pcap_close(p);
        free(w->buf);
        w->buf = NULL;
        return false;
    }
    w->path = path;
    w->pcap = p;
    w->dumper = d;
    return true;
}

void ps_pcap_event(void *writer, const ps_event *ev)
{
    ps_pcap *w = writer;
    bool packet = ev->kind == PS_EV_SEGMENT || ev->kind == PS_EV_DATAGRAM || ev->kind == PS_EV_ICMP;
    if (!packet || w->failed) return;
    /* The IP ID is the packet's number in the file, so frame N has ID N. */
    bool v6 = ps_addr_is_v6(ev->src_addr);
    size_t len = !v6     ? ps_pcap_packet(ev, (uint16_t)(w->packets + 1), w->buf, PS_PCAP_SNAPLEN)
                 : w->sc ? ps_pcap_packet6(w->sc, ev, w->buf, PS_PCAP_SNAPLEN)
                         : 0;
    if (len == 0) {
        w->failed = true;
        if (v6 && !w->sc)
            snprintf(w->error, sizeof w->error, "an IPv6 segment without its scenario's addresses");
        else
            snprintf(w->error, sizeof w->error, "a %s of %u bytes does not fit one IP packet",
                     ev->kind == PS_EV_SEGMENT ? "segment" : "datagram", ev->len);
        return;
    }
    struct pcap_pkthdr h = { 0 };
    h.ts.tv_sec = (time_t)(ev->t / 1000000u); /* the simulated time: t is in µs */
    h.ts.tv_usec = (suseconds_t)(ev->t % 1000000u);
    h.caplen = h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)w->dumper, &h, w->buf);
    w->packets++;
}

bool ps_pcap_close(ps_pcap *w, char *err, size_t n)
{
    bool ok = !w->failed;
    if (!ok) set_error(err, n, "cannot write %s: %s", w->path, w->error);
    if (pcap_dump_flush(w->dumper) != 0 && ok) {
        set_error(err, n, "cannot write %s: %s", w->path, strerror(errno));
        ok = false;
    }
    FILE *f = pcap_dump_file(w->dumper);
    if (ferror(f) && ok) {
        set_error(err, n, "cannot write %s: write error", w->path);
        ok = false;
    }
    if (ok && f != stdout && fsync(fileno(f)) != 0) {
        set_error(err, n, "cannot write %s: %s", w->path, strerror(errno));
        ok = false;
    }
    pcap_dump_close(w->dumper); /* also closes the file */
    w->out.f = NULL;
    w->out.err = ok ? 0 : EIO;
    int perr = ps_file_out_publish(&w->out);
    if (perr && ok) {
        set_error(err, n, "cannot write %s: %s", w->path, ps_file_strerror(perr));
        ok = false;
    }
    pcap_close(w->pcap);
    free(w->buf);
    *w = (ps_pcap){ 0 };
    return ok;
}

/* ---- a whole scenario ---- */

bool ps_pcap_write_scenario(const ps_scenario *sc, uint64_t seed, uint64_t max_steps,
                            const char *path, char *err, size_t n)
{
    ps_pcap w;
    if (!ps_pcap_open(&w, path, err, n)) return false;
    w.sc = sc;
    ps_engine *e = ps_engine_new(sc, seed);
    if (!e) {
        ps_pcap_close(&w, NULL, 0);
        set_error(err, n, "cannot write %s: %s", path, "out of memory");
        return false;
    }
    ps_engine_set_sink(e, ps_pcap_event, &w);
    ps_engine_set_max_steps(e, max_steps);
    ps_shell_attach(e);
    ps_engine_run(e);
    ps_run_status st = ps_engine_status(e);
    ps_engine_free(e);
    if (!ps_pcap_close(&w, err, n)) return false;
    if (st == PS_RUN_OK) return true;
    set_error(err, n, "%s: the run stopped early (%s); the capture is incomplete", path,
              ps_run_status_message(st));
    return false;
}

/* ---- two sinks in one ---- */

void ps_sink_tee_event(void *tee, const ps_event *ev)
{
    const ps_sink_tee *t = tee;
    for (int i = 0; i < 2; i++)
        if (t->fn[i]) t->fn[i](t->ctx[i], ev);
}
