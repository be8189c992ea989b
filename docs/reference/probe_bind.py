#!/usr/bin/env python3
"""probe_bind.py: re-measure the kernel facts of docs/reference/bind.md:
bind() as its own step before listen(), a client's source address, and
SO_REUSEADDR / SO_REUSEPORT on a client that pins its port.

Run it as root in a throw-away network namespace (nothing else is touched):

    unshare -n python3 docs/reference/probe_bind.py          # every probe
    unshare -n python3 docs/reference/probe_bind.py tools    # some of them

Probes: split, source, pinned, tools. It brings lo up and gives it a second
address, 10.0.0.1/32 (only inside the namespace). Every line it prints is one
measured fact: "case: result".
"""
import errno
import os
import socket
import subprocess
import sys
import time

SOL, RA, RP = socket.SOL_SOCKET, socket.SO_REUSEADDR, socket.SO_REUSEPORT
IP_BIND_ADDRESS_NO_PORT = 24


def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def tcp(ra=False, rp=False):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if ra:
        s.setsockopt(SOL, RA, 1)
    if rp:
        s.setsockopt(SOL, RP, 1)
    return s


def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return err(e)


def show(label, result):
    print(f"{label}: {result}")


def probe_split():
    """bind() and listen() as two steps: when is EADDRINUSE decided?"""
    port = 3000
    # Two sockets with SO_REUSEADDR bind the same port; neither listens.
    a, b = tcp(ra=True), tcp(ra=True)
    show("A reuseaddr bind 0.0.0.0:3000", attempt(lambda: a.bind(("0.0.0.0", port))))
    show("B reuseaddr bind 0.0.0.0:3000 (A bound, not listening)", attempt(lambda: b.bind(("0.0.0.0", port))))
    c = tcp(ra=True)
    show("C reuseaddr bind 127.0.0.1:3000 (A, B bound)", attempt(lambda: c.bind(("127.0.0.1", port))))
    show("A listen (B, C bound, not listening)", attempt(lambda: a.listen()))
    show("B listen (A listening)", attempt(lambda: b.listen()))
    show("C listen (A listening on 0.0.0.0)", attempt(lambda: c.listen()))
    d = tcp(ra=True)
    show("D reuseaddr bind 0.0.0.0:3000 (A listening)", attempt(lambda: d.bind(("0.0.0.0", port))))
    show("B getsockname after its failed listen", b.getsockname())
    a.close()
    show("B listen again after A closed", attempt(lambda: b.listen()))
    for s in (b, c, d):
        s.close()

    # Without SO_REUSEADDR on both, the second bind fails at once.
    a, b = tcp(), tcp(ra=True)
    a.bind(("0.0.0.0", port + 1))
    show("A plain bind, then B reuseaddr bind the same port", attempt(lambda: b.bind(("0.0.0.0", port + 1))))
    a.close(); b.close()
    a, b = tcp(ra=True), tcp()
    a.bind(("0.0.0.0", port + 1))
    show("A reuseaddr bind, then B plain bind the same port", attempt(lambda: b.bind(("0.0.0.0", port + 1))))
    a.close(); b.close()

    # SO_REUSEPORT (same user): both bind, both listen.
    a, b = tcp(rp=True), tcp(rp=True)
    a.bind(("0.0.0.0", port + 2))
    show("A, B reuseport bind the same port", attempt(lambda: b.bind(("0.0.0.0", port + 2))))
    show("A listen", attempt(lambda: a.listen()))
    show("B listen (A listening, both reuseport)", attempt(lambda: b.listen()))
    a.close(); b.close()

    # Misuse of one socket.
    a = tcp()
    a.bind(("0.0.0.0", port + 3))
    show("bind a socket that is already bound", attempt(lambda: a.bind(("0.0.0.0", port + 4))))
    a.close()
    a = tcp()
    a.listen()
    show("listen without bind: the kernel picks a port", "port %d" % a.getsockname()[1])
    a.close()
    a = tcp()
    show("bind 192.0.2.77:3000 (not an address of this host)", attempt(lambda: a.bind(("192.0.2.77", port))))
    a.close()
    a = tcp()
    a.bind(("0.0.0.0", port + 5))
    a.close()
    b = tcp()
    show("bind a port whose bound-only socket was closed", attempt(lambda: b.bind(("0.0.0.0", port + 5))))
    b.close()


def probe_source():
    """A client's source address: bind(ADDR[:PORT]) before connect()."""
    srv = tcp()
    srv.bind(("0.0.0.0", 4000))
    srv.listen()
    c = tcp()
    c.bind(("10.0.0.1", 0))
    show("bind 10.0.0.1:0 (own address) picks a port at bind time", "port %d" % c.getsockname()[1])
    c.connect(("127.0.0.1", 4000))
    show("connect 127.0.0.1:4000 from 10.0.0.1", "%s:%d" % c.getsockname())
    c.close()
    c = tcp()
    c.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
    c.bind(("10.0.0.1", 0))
    show("IP_BIND_ADDRESS_NO_PORT, bind 10.0.0.1:0: port before connect", c.getsockname()[1])
    c.connect(("10.0.0.1", 4000))
    show("then connect 10.0.0.1:4000", "%s:%d" % c.getsockname())
    c.close()
    c = tcp()
    show("bind 10.0.0.1:51000 then connect", attempt(lambda: (c.bind(("10.0.0.1", 51000)), c.connect(("127.0.0.1", 4000)))))
    show("  source", "%s:%d" % c.getsockname())
    c.close()
    c = tcp()
    show("bind 192.0.2.77:0 (not this host's)", attempt(lambda: c.bind(("192.0.2.77", 0))))
    c.close()
    c = tcp()
    show("bind 192.0.2.77:51001 (not this host's)", attempt(lambda: c.bind(("192.0.2.77", 51001))))
    c.close()
    c = tcp()
    show("bind 127.0.0.5:0 (lo owns 127/8) then connect 127.0.0.1:4000",
         attempt(lambda: (c.bind(("127.0.0.5", 0)), c.connect(("127.0.0.1", 4000)))))
    c.close()
    srv.close()


def timewait_on(port, ra):
    """A client pinned to `port` closes first: its end sits in TIME-WAIT."""
    srv = tcp(ra=True)
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    c = tcp(ra=ra)
    c.bind(("0.0.0.0", port))
    c.connect(srv.getsockname())
    conn, _ = srv.accept()
    c.close()
    time.sleep(0.05)
    conn.close()
    time.sleep(0.05)
    return srv


def probe_pinned():
    """SO_REUSEADDR / SO_REUSEPORT on a client that pins its source port."""
    lst = tcp()
    lst.bind(("0.0.0.0", 5000))
    lst.listen()
    for ra, rp, addr in ((False, False, "0.0.0.0"), (True, False, "0.0.0.0"), (True, False, "127.0.0.1"),
                         (False, True, "0.0.0.0")):
        c = tcp(ra=ra, rp=rp)
        show(f"client bind {addr}:5000 reuseaddr={int(ra)} reuseport={int(rp)}, plain listener on 0.0.0.0:5000",
             attempt(lambda: c.bind((addr, 5000))))
        c.close()
    lst.close()
    lst = tcp(ra=True)
    lst.bind(("0.0.0.0", 5001))
    lst.listen()
    c = tcp(ra=True)
    show("client reuseaddr bind 0.0.0.0:5001, reuseaddr listener on it", attempt(lambda: c.bind(("0.0.0.0", 5001))))
    c.close()
    lst.close()
    lst = tcp(rp=True)
    lst.bind(("0.0.0.0", 5002))
    lst.listen()
    c = tcp(rp=True)
    show("client reuseport bind 0.0.0.0:5002, reuseport listener (same user)", attempt(lambda: c.bind(("0.0.0.0", 5002))))
    c.close()
    lst.close()

    for old_ra, new_ra in ((False, False), (False, True), (True, False), (True, True)):
        port = 5100 + 2 * old_ra + new_ra
        srv = timewait_on(port, old_ra)
        c = tcp(ra=new_ra)
        show(f"bind 0.0.0.0:{port} reuseaddr={int(new_ra)}, old client (reuseaddr={int(old_ra)}) in TIME-WAIT on it",
             attempt(lambda: c.bind(("0.0.0.0", port))))
        c.close()
        srv.close()
    srv = timewait_on(5110, True)
    c = tcp(ra=True)
    c.bind(("0.0.0.0", 5110))
    other = tcp()
    other.bind(("127.0.0.1", 0))
    other.listen()
    show("then connect to another destination from it", attempt(lambda: c.connect(other.getsockname())))
    c.close(); other.close(); srv.close()
    # A client whose port connect() chose, with SO_REUSEADDR set before.
    lst = tcp()
    lst.bind(("127.0.0.1", 0))
    lst.listen()
    for ra in (True, False):
        c = tcp(ra=ra)
        c.connect(lst.getsockname())
        port = c.getsockname()[1]
        for new_ra in (True, False):
            d = tcp(ra=new_ra)
            show(f"bind 0.0.0.0:<its port> reuseaddr={int(new_ra)}, a connected client (port chosen by connect, "
                 f"reuseaddr={int(ra)}) holds it", attempt(lambda: d.bind(("0.0.0.0", port))))
            d.close()
        c.close()
    lst.close()
    srv = timewait_on(5111, False)
    c = tcp(rp=True)
    show("bind 0.0.0.0:5111 reuseport=1, old client (no options) in TIME-WAIT on it",
         attempt(lambda: c.bind(("0.0.0.0", 5111))))
    c.close(); srv.close()


def probe_tools():
    """What ss, netstat and lsof print for a bound TCP socket that does not listen."""
    a = tcp(ra=True)
    a.bind(("0.0.0.0", 3000))
    b = tcp(ra=True)
    b.bind(("127.0.0.1", 3000))
    fds = "%d,%d" % (a.fileno(), b.fileno())
    for cmd in (["ss", "-tan"], ["ss", "-tln"], ["ss", "-ta", "state", "bound-inactive"],
                ["netstat", "-tan"], ["lsof", "-nP", "-iTCP:3000"],
                ["lsof", "-nP", "-a", "-p", str(os.getpid()), "-d", fds]):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            out = r.stdout + r.stderr
        except OSError as e:
            out = f"({e})\n"
        print("$ " + " ".join(cmd))
        print(out, end="")
    with open("/proc/net/tcp") as f:
        print("/proc/net/tcp rows:", len(f.read().splitlines()) - 1)
    a.close(); b.close()


PROBES = {"split": probe_split, "source": probe_source, "pinned": probe_pinned, "tools": probe_tools}

if __name__ == "__main__":
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "10.0.0.1/32", "dev", "lo"], check=False)
    names = sys.argv[1:] or list(PROBES)
    for n in names:
        print(f"== {n}")
        PROBES[n]()
