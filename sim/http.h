/* http.h — page loads: the second level of multiplexing, many requests
 * over one TCP connection (sim/http.c owns it).
 *
 * A `fetch` action is a browser loading one page from one origin, then N
 * resources the page names:
 *   - HTTP/1.1 keep-alive: up to `pool` connections (6 by default, as
 *     browsers open per origin), each carrying one request at a time; the
 *     next request on a connection goes out only after the previous
 *     response has fully arrived, so requests beyond the pool wait in a
 *     queue (head-of-line waiting);
 *   - HTTP/2: one connection, every request on its own stream (client ids
 *     1, 3, 5, ...: RFC 9113, section 5.1.1), the responses' frames
 *     interleaved on that connection.
 * A `serve` listener answers both: a response body goes out in `parts`
 * segments, one segment per host per PS_HTTP_TICK_US, round-robin over the
 * responses in progress, so HTTP/2 frames of different streams interleave.
 *
 * Everything runs on the engine's TCP (tcp.c): real handshakes, ephemeral
 * ports, data segments with sequence numbers. The payloads are text:
 * HTTP/1.1 exactly as on the wire, HTTP/2 frames written as readable
 * stand-ins, `[HEADERS stream=3 END_STREAM] GET /img/1.png` (the binary
 * framing is not modelled; docs/reference/http-reuse.md). */
#ifndef PS_HTTP_H
#define PS_HTTP_H

#include "engine.h"
#include "engine_view.h"

/* Bounds, so no page load costs unbounded memory or time. */
#define PS_HTTP_MAX_RESOURCES 64u  /* per page; below HTTP/2's usual 100 concurrent streams */
#define PS_HTTP_MAX_POOL 16u       /* HTTP/1.1 connections per page */
#define PS_HTTP_DEFAULT_POOL 6u    /* what browsers open per origin */
#define PS_HTTP_MAX_PARTS 4u       /* segments per response body (`serve parts N`) */
#define PS_HTTP_MAX_PAGES 256u     /* `fetch` lines per scenario */
#define PS_HTTP_MAX_PENDING 4096u  /* responses a run's servers have in progress */
#define PS_HTTP_TICK_US 1000u      /* a serving host sends one response segment per tick */

/* What one page load did so far (the `expect PAGE ...` counts). */
typedef struct ps_http_stats {
    uint32_t handshakes;   /* SYNs sent: connects that got a socket */
    uint32_t connections;  /* connections that reached ESTABLISHED */
    uint32_t ports;        /* distinct source ports among them */
    uint32_t streams;      /* HTTP/2 streams opened */
    uint32_t queued;       /* HTTP/1.1 requests that waited for a busy connection */
    uint32_t responses;    /* responses fully received (the page counts) */
    uint32_t total;        /* responses it needs: 1 + resources */
    ps_time done;          /* when the last one arrived, PS_TIME_NEVER before */
} ps_http_stats;

/* The page load of `fetch` action `action` so far (zero counts before it
 * runs, and for an action that is not a fetch). */
ps_http_stats ps_engine_http_page(const ps_engine *e, uint32_t action);

/* What an HTTP payload belongs to, for labels: an HTTP/2 stream, or an
 * HTTP/1.1 request's number in its page (0 = the page itself). */
typedef enum ps_http_tag_kind { PS_HTTP_TAG_NONE, PS_HTTP_TAG_STREAM, PS_HTTP_TAG_REQUEST } ps_http_tag_kind;
typedef struct ps_http_tag {
    ps_http_tag_kind kind;
    uint32_t n;            /* the stream id or the request number */
    bool get;              /* the segment carries the request (GET) */
    uint8_t part, parts;   /* a response's piece: part of parts (1-based), 0 if none */
} ps_http_tag;

/* The path of request number r of a page: "/" (r = 0), "/img/R.png".
 * buf: at least 32 bytes. Returns buf. */
char *ps_http_path(uint32_t r, char *buf);

/* The request number an HTTP/2 stream carries (client streams 1, 3, 5...). */
static inline uint32_t ps_http_stream_request(uint32_t stream) { return (stream - 1) / 2; }

/* Reads the tag of a payload written by http.c (NULL or other text: NONE). */
ps_http_tag ps_http_payload_tag(const char *payload);

/* The tag of a segment in flight when a page load or a server sent it (its
 * payload is one of http.c's texts), else NONE: a lesson's own "GET /"
 * on a plain connection has none. */
ps_http_tag ps_engine_http_segment_tag(const ps_engine *e, const ps_segment *g);

#endif
