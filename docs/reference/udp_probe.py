#!/usr/bin/env python3
"""udp_probe.py: measure the UDP facts of docs/reference/udp.md.

Run it as root in a throw-away network namespace (only lo exists there):

    unshare -n python3 docs/reference/udp_probe.py            # every probe
    unshare -n python3 docs/reference/udp_probe.py demux icmp # some of them

Probes: bind, demux, icmp, ephemeral, tools. Every socket is on 127.0.0.0/8.
"""
import errno
import os
import socket
import subprocess
import sys
import time

SOL, RA, RP = socket.SOL_SOCKET, socket.SO_REUSEADDR, socket.SO_REUSEPORT
A, B, C = "127.0.0.1", "127.0.0.2", "127.0.0.3"


def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def udp(addr=None, port=0, ra=False, rp=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if ra:
        s.setsockopt(SOL, RA, 1)
    if rp:
        s.setsockopt(SOL, RP, 1)
    if addr is not None:
        s.bind((addr, port))
    return s


def tcp_listen(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((addr, port))
    s.listen()
    return s


def try_bind(s, addr, port):
    try:
        s.bind((addr, port))
        return "ok"
    except OSError as e:
        return err(e)


def probe_bind():
    """A first UDP socket is bound; does a second bind the same port?"""
    cases = [
        ("0.0.0.0 + 0.0.0.0, no options", ("0.0.0.0", {}), ("0.0.0.0", {})),
        ("0.0.0.0 + 127.0.0.2, no options", ("0.0.0.0", {}), (B, {})),
        ("127.0.0.1 + 127.0.0.2, no options", (A, {}), (B, {})),
        ("both SO_REUSEADDR, 0.0.0.0 + 0.0.0.0", ("0.0.0.0", {"ra": True}), ("0.0.0.0", {"ra": True})),
        ("only the second SO_REUSEADDR", ("0.0.0.0", {}), ("0.0.0.0", {"ra": True})),
        ("both SO_REUSEPORT, same user", ("0.0.0.0", {"rp": True}), ("0.0.0.0", {"rp": True})),
        ("first connected, second unconnected, no options", ("0.0.0.0", {"connect": True}), ("0.0.0.0", {})),
    ]
    for name, (a1, o1), (a2, o2) in cases:
        s1 = udp(ra=o1.get("ra", False), rp=o1.get("rp", False))
        s1.bind((a1, 5300))
        if o1.get("connect"):
            s1.connect((A, 9))
        s2 = udp(ra=o2.get("ra", False), rp=o2.get("rp", False))
        print(f"bind {name}: {try_bind(s2, a2, 5300)}")
        s1.close()
        s2.close()
    t = tcp_listen("0.0.0.0", 5301)
    u = udp()
    print(f"bind UDP 0.0.0.0:5301 while TCP listens on 0.0.0.0:5301: {try_bind(u, '0.0.0.0', 5301)}")
    t2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print(f"bind TCP 0.0.0.0:5301 while UDP is bound there and TCP listens: {try_bind(t2, '0.0.0.0', 5301)}")
    u2 = udp("0.0.0.0", 5302)
    t3 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    print(f"bind TCP 0.0.0.0:5302 while only UDP holds 5302: {try_bind(t3, '0.0.0.0', 5302)}")
    for s in (t, u, t2, u2, t3):
        s.close()


def who(socks, timeout=0.3):
    """Which of the named sockets got a datagram, and what it said."""
    got = []
    for name, s in socks:
        s.settimeout(timeout)
        try:
            data, frm = s.recvfrom(100)
            got.append(f"{name} <- {frm[0]}:{frm[1]} {data.decode()}")
        except socket.timeout:
            pass
    return ", ".join(got) or "nobody"


def probe_demux():
    """Which socket a datagram reaches when several share a port."""
    # one unconnected server, two clients: both reach it
    srv = udp("0.0.0.0", 5353)
    c1, c2 = udp(), udp()
    c1.sendto(b"one", (A, 5353))
    c2.sendto(b"two", (A, 5353))
    print("one unconnected server, two clients:", who([("srv", srv)]), "|", who([("srv", srv)]))
    srv.close(); c1.close(); c2.close()
    # unconnected bound first, then a connected one on the same port (both SO_REUSEADDR)
    for order in ("unconnected first", "connected first"):
        u = udp(ra=True)
        k = udp(ra=True)
        peer = udp(B, 6000)
        other = udp(C, 6001)
        if order == "unconnected first":
            u.bind(("0.0.0.0", 5354)); k.bind(("0.0.0.0", 5354))
        else:
            k.bind(("0.0.0.0", 5354)); u.bind(("0.0.0.0", 5354))
        k.connect((B, 6000))
        peer.sendto(b"from-peer", (A, 5354))
        r1 = who([("unconnected", u), ("connected", k)])
        other.sendto(b"from-other", (A, 5354))
        r2 = who([("unconnected", u), ("connected", k)])
        print(f"{order}: datagram from the connected peer -> {r1}; from another -> {r2}")
        for s in (u, k, peer, other):
            s.close()
    # two unconnected SO_REUSEADDR sockets on one port
    s1 = udp("0.0.0.0", 5355, ra=True)
    s2 = udp("0.0.0.0", 5355, ra=True)
    c = udp()
    c.sendto(b"x", (A, 5355))
    print("two unconnected SO_REUSEADDR on one port:", who([("first-bound", s1), ("second-bound", s2)]))
    for s in (s1, s2, c):
        s.close()
    # specific address vs wildcard, both SO_REUSEADDR
    w = udp("0.0.0.0", 5356, ra=True)
    sp = udp(A, 5356, ra=True)
    c = udp()
    c.sendto(b"x", (A, 5356))
    print("0.0.0.0 and 127.0.0.1 on one port, datagram to 127.0.0.1:", who([("wildcard", w), ("specific", sp)]))
    for s in (w, sp, c):
        s.close()
    # only a connected socket holds the port; a stranger sends
    k = udp(A, 5357)
    k.connect((B, 6002))
    stranger = udp(C, 6003)
    stranger.connect((A, 5357))
    stranger.send(b"x")
    r = who([("connected", k)])
    time.sleep(0.05)
    try:
        stranger.send(b"y")
        after = "next send ok"
    except OSError as e:
        after = f"next send {err(e)}"
    print(f"only a connected socket (peer 127.0.0.2:6002) on the port, a stranger sends: {r}; stranger's {after}")
    k.close(); stranger.close()
    # 4-tuple does not pick: two clients, one server, the server answers each
    srv = udp("0.0.0.0", 5358)
    c1, c2 = udp(B, 0), udp(C, 0)
    c1.connect((A, 5358)); c2.connect((A, 5358))
    c1.send(b"q1"); c2.send(b"q2")
    for _ in range(2):
        data, frm = srv.recvfrom(100)
        srv.sendto(b"answer-" + data, frm)
    print("server answers both:", who([("c1", c1), ("c2", c2)]))
    for s in (srv, c1, c2):
        s.close()


def probe_icmp():
    """A datagram to a port nobody holds: who learns, and when."""
    # connected: send, then recv
    k = udp(); k.connect((A, 5399)); k.send(b"q")
    k.settimeout(0.5)
    try:
        k.recv(100); r = "data"
    except socket.timeout:
        r = "timeout"
    except OSError as e:
        r = err(e)
    print(f"connected, send then recv: recv {r}")
    try:
        k.recv(100); r = "data"
    except socket.timeout:
        r = "timeout"
    except OSError as e:
        r = err(e)
    print(f"connected, a second recv: {r}")
    k.close()
    # connected: send, wait, send again
    k = udp(); k.connect((A, 5399)); k.send(b"q"); time.sleep(0.05)
    try:
        k.send(b"q2"); r = "ok"
    except OSError as e:
        r = err(e)
    try:
        k.send(b"q3"); r2 = "ok"
    except OSError as e:
        r2 = err(e)
    print(f"connected, send, wait, send: second send {r}, third send {r2}")
    so = k.getsockopt(SOL, socket.SO_ERROR)
    print(f"  SO_ERROR after that: {errno.errorcode.get(so, so)}")
    k.close()
    # connected: the error pending, read with SO_ERROR
    k = udp(); k.connect((A, 5399)); k.send(b"q"); time.sleep(0.05)
    so = k.getsockopt(SOL, socket.SO_ERROR)
    print(f"connected, send, wait, SO_ERROR: {errno.errorcode.get(so, so)}")
    k.close()
    # unconnected: sendto, then recv and sendto
    u = udp(); u.sendto(b"q", (A, 5399)); time.sleep(0.05)
    u.settimeout(0.3)
    try:
        u.recvfrom(100); r = "data"
    except socket.timeout:
        r = "timeout (nothing)"
    except OSError as e:
        r = err(e)
    try:
        u.sendto(b"q2", (A, 5399)); r2 = "ok"
    except OSError as e:
        r2 = err(e)
    print(f"unconnected, sendto closed port: recv {r}, next sendto {r2}")
    u.close()


def probe_ephemeral():
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
    ports = []
    for _ in range(5):
        s = udp(); s.sendto(b"x", (A, 9)); ports.append(s.getsockname()[1]); s.close()
    print(f"range {lo}-{hi}; sendto without bind: ports {ports}")
    s = udp(); s.connect((A, 9))
    print(f"connect without bind: {s.getsockname()}")
    s.close()
    s = udp(); print(f"fresh socket, getsockname: {s.getsockname()}"); s.close()
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("40000 40001")
    a, b = udp(), udp()
    a.sendto(b"x", (A, 9)); b.sendto(b"x", (B, 9))
    c = udp()
    try:
        c.sendto(b"x", (C, 9)); r = f"ok {c.getsockname()}"
    except OSError as e:
        r = err(e)
    print(f"range 40000-40001, two sockets hold both ports, a third sendto to another destination: {r}")
    for s in (a, b, c):
        s.close()
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write(f"{lo} {hi}")


def probe_tools():
    srv = udp("0.0.0.0", 53)
    k = udp(A, 40100); k.connect((B, 53))
    sp = udp(B, 5353)
    t = tcp_listen("0.0.0.0", 53)
    for cmd in ("ss -u", "ss -ua", "ss -uan", "ss -tuan", "ss -uanp", "ss -ulnp", "ss -tu", "ss -ul", "ss",
                "ss -an", "netstat -u", "netstat -uan", "netstat -ul", "netstat -tu", "netstat -an",
                "netstat -uanp", "netstat -tuan", "lsof -i UDP", "lsof -i UDP:53", "lsof -nP -i UDP", "lsof -i :53", "lsof -i -sTCP:LISTEN"):
        out = subprocess.run(cmd.split(), capture_output=True, text=True)
        print(f"$ {cmd}\n{out.stdout}{out.stderr}", end="")
    for s in (srv, k, sp, t):
        s.close()


PROBES = {"bind": probe_bind, "demux": probe_demux, "icmp": probe_icmp,
          "ephemeral": probe_ephemeral, "tools": probe_tools}

if __name__ == "__main__":
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for name in sys.argv[1:] or list(PROBES):
        print(f"== {name}")
        PROBES[name]()
