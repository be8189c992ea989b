/* scene.h — what the picture shows at one instant, as plain data: hosts
 * (buildings), their doors (listening, temporary, empty), the established
 * connections between doors and the envelopes in flight.
 *
 * pv_scene_build() reads an engine through its read-only views (it never
 * changes engine state); tests may fill a pv_scene by hand. Every array is
 * bounded: extra doors, links and envelopes are counted, not stored, so a
 * scene of 10,000 connections costs no more to draw than one of 60. No SDL. */
#ifndef PV_SCENE_H
#define PV_SCENE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine_ops.h"

#define PV_MAX_HOSTS 24      /* buildings drawn; more hosts are counted */
#define PV_MAX_DOORS 64      /* doors listed per host; more are counted */
#define PV_MAX_LINKS 2048    /* connection lines (aggregated beyond) */
#define PV_MAX_ENVELOPES 40  /* envelopes drawn; the rest show as "+N more" */
#define PV_MAX_CONVS 256     /* conversations named and coloured; more go grey */
#define PV_NO_CONV UINT16_MAX
#define PV_CONV_ID (2 * PS_ENDPOINT_STRLEN) /* "tab1", or "192.0.2.10:50674>93.184.216.34:443" */
#define PV_MAX_NAT_ROWS 8    /* translation entries listed per router; more are counted */

/* A door reference that is not a door index: */
#define PV_DOOR_MORE  (PS_NONE - 1) /* the host's "+N more" tile */
#define PV_DOOR_FRONT PS_NONE       /* the building's front at street level */

typedef enum pv_door_kind {
    PV_DOOR_LISTEN, /* a listening socket: solid outline */
    PV_DOOR_TEMP,   /* a client connection's local port: dashed outline */
    PV_DOOR_EMPTY,  /* a port the lesson uses where nobody listens now */
    PV_DOOR_UDP,    /* a UDP socket with no peer (a server): solid outline, ":53/udp" */
} pv_door_kind;

typedef struct pv_door {
    uint16_t port;
    uint8_t kind;        /* pv_door_kind */
    uint8_t state;       /* ps_tcp_state of the socket behind it */
    bool privileged;     /* port below the host's unprivileged start */
    uint32_t conns;      /* LISTEN: connections accepted through it, alive now */
    uint32_t socket;     /* engine socket index, PS_NONE for EMPTY */
    uint16_t conv;       /* TEMP: its conversation (index into convs), else PV_NO_CONV */
    char title[16];      /* ":443" or "52114" */
    char sub[48];        /* "nginx 812", "tab1 · firefox", "nobody home" */
    char note[40];       /* "LISTEN · 2 conns", "temporary · ESTAB" */
    bool udp;            /* a UDP socket's door (UDP, or TEMP for a connected one,
                            or EMPTY for a UDP port nobody holds): UDP has its own ports */
} pv_door;

/* A conversation: one connection seen from its client's listed door. Its
 * id is the scenario's socket name, else the client-side 4-tuple; its colour
 * follows the order of creation (declaration order for named sockets, the
 * engine's allocation order for the others), so it never changes while the
 * connection lives. The server's side of it carries the same colour. */
typedef struct pv_conv {
    char id[PV_CONV_ID];
    bool named;            /* id is the scenario's name (else the 4-tuple) */
    ps_addr caddr, saddr;  /* client and server address */
    uint16_t cport, sport;
    uint8_t colour;        /* index into pv_conv_palette */
} pv_conv;

typedef struct pv_host {
    char name[32];       /* "laptop" */
    char addr[16 + PS_IN6_STRLEN + 8]; /* "192.0.2.10", or "192.0.2.10 · 2001:db8::10"
                                          for a host with IPv6: the street address */
    char procs[96];      /* "firefox 4242" ... for the name plate */
    uint16_t unpriv_start;
    uint32_t first_door; /* into pv_scene.doors */
    uint32_t ndoors;
    uint32_t hidden;     /* doors not listed (beyond PV_MAX_DOORS) */
    bool priv_floor;     /* some listed door is privileged */
    /* A router: its inside address and its translation table, oldest
     * entry first (the rows are pv_scene.nats[first_nat ..]). */
    bool router;
    char inside[16];     /* "192.168.1.1" (addr is the outside one) */
    uint32_t first_nat, nnat;
    uint32_t hidden_nat; /* live entries not listed (beyond PV_MAX_NAT_ROWS) */
} pv_host;

/* One translation entry, as the router's table shows it: the inside end
 * and the public end it is known by outside. */
typedef struct pv_nat_row {
    char in[24];         /* "192.168.1.10:50000" */
    char out[24];        /* "203.0.113.5:60693" */
    bool forward;        /* a forwarding rule's entry (else masquerade) */
    bool udp;            /* a UDP entry (else TCP) */
    uint16_t conv;       /* its conversation, or PV_NO_CONV */
} pv_nat_row;

/* An established connection (or a bundle of them) between two doors. */
typedef struct pv_link {
    uint32_t host_a, door_a; /* door: index into doors, or PV_DOOR_MORE */
    uint32_t host_b, door_b;
    uint32_t count;
    uint16_t conv;           /* the single connection's, PV_NO_CONV for a bundle */
} pv_link;

#define PV_TO_UNKNOWN 255    /* demux result not known (yet) */

enum { PV_SLOT_SRC_IP, PV_SLOT_SRC_PORT, PV_SLOT_DST_IP, PV_SLOT_DST_PORT, PV_SLOTS };

typedef struct pv_envelope {
    uint32_t host_from, door_from; /* door: index, PV_DOOR_MORE or PV_DOOR_FRONT */
    uint32_t host_to, door_to;
    ps_time sent, arrives;
    uint8_t flags;       /* PS_SYN | ... */
    uint8_t to;          /* ps_deliver_to on arrival, or PV_TO_UNKNOWN */
    uint64_t id;
    uint16_t conv;       /* its conversation, or PV_NO_CONV */
    ps_addr src_addr, dst_addr;
    uint16_t src_port, dst_port;
    char conv_id[PV_CONV_ID]; /* conv's id, or the client-side 4-tuple */
    char flags_str[24];  /* "SYN", "PSH|ACK" */
    char slot[PV_SLOTS][PS_IN6_STRLEN]; /* the 4-tuple: "192.0.2.10", "52337", "2001:db8::80", "443" */
    uint8_t keys;        /* bit per slot: those that tell it from its nearest sibling
                            conversation's (the one sharing the most), 0 if none */
    char detail[64];     /* payload or where demux sends it */
    uint8_t rewritten;   /* bit per slot the router it is leaving rewrote, 0 if none */
    char tag[24];        /* a page load's segment: "stream 3" (HTTP/2), "request 3" or
                            "page" (HTTP/1.1); "" otherwise */
} pv_envelope;

/* The demux decision on screen: for the envelope arriving soonest, once it
 * is past halfway, the questions the receiving kernel asks in order and
 * the one that answers, the door and the socket it chooses. */
enum { PV_ASK_CONNECTION, PV_ASK_LISTENER, PV_ASK_RST, PV_ASKS };

typedef struct pv_lookup {
    bool active;
    uint32_t env;           /* index into envs */
    uint32_t host;          /* the receiving host */
    uint32_t door;          /* the chosen door (index, PV_DOOR_MORE or PV_DOOR_FRONT) */
    uint32_t socket;        /* the chosen socket, PS_NONE for RST */
    uint8_t answer;         /* the PV_ASK_* that answers */
    char head[176];         /* "demux on server: SYN from tab2" (IPv6 addresses are long) */
    char ask[PV_ASKS][256]; /* each question with its answer */
} pv_lookup;

typedef struct pv_scene {
    ps_time now;
    pv_host hosts[PV_MAX_HOSTS];
    uint32_t nhosts, hidden_hosts;
    pv_door doors[PV_MAX_HOSTS * PV_MAX_DOORS];
    uint32_t ndoors;
    pv_link links[PV_MAX_LINKS];
    uint32_t nlinks;
    uint32_t conns;      /* established connections in the scene */
    pv_envelope envs[PV_MAX_ENVELOPES]; /* oldest first */
    uint32_t nenvs, hidden_envs;
    pv_conv convs[PV_MAX_CONVS];
    uint32_t nconvs;
    pv_lookup lookup;
    pv_nat_row nats[PV_MAX_HOSTS * PV_MAX_NAT_ROWS];
    uint32_t nnats;
    uint8_t addr_chars;  /* the widest address:port the socket table may show,
                            in characters (IPv6 ones are long): its columns */
} pv_scene;

/* How the scene learns where demux will send an in-flight segment (the
 * recorded run knows): returns a ps_deliver_to or PV_TO_UNKNOWN. */
typedef uint8_t (*pv_demux_fn)(void *ctx, uint32_t segment_slot, ps_time arrives);

/* Fills *s from the engine's state at its current time. */
void pv_scene_build(pv_scene *s, const ps_engine *e, pv_demux_fn demux, void *ctx);

/* The door of host h that port belongs to, PV_DOOR_MORE when the host has
 * unlisted doors, else PV_DOOR_FRONT. */
uint32_t pv_scene_door_for(const pv_scene *s, uint32_t h, uint16_t port);
/* The same among the doors of one protocol: UDP's (udp) or TCP's. */
uint32_t pv_scene_door_of(const pv_scene *s, uint32_t h, uint16_t port, bool udp);

/* The conversation a socket or segment with this 4-tuple belongs to,
 * either way round, or PV_NO_CONV. */
uint16_t pv_scene_conv_for(const pv_scene *s, ps_addr a, uint16_t ap, ps_addr b, uint16_t bp);
/* Conversation i, or NULL for PV_NO_CONV (or any index not in the scene). */
const pv_conv *pv_scene_conv(const pv_scene *s, uint16_t i);

/* Appends a door to host h (the last host added); false when full. Used by
 * pv_scene_build and by tests. */
bool pv_scene_add_door(pv_scene *s, uint32_t h, const pv_door *d);
bool pv_scene_add_host(pv_scene *s, const char *name, const char *addr, uint16_t unpriv);

#endif
