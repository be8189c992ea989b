#!/usr/bin/env python3
"""ipv6_probe.py: measure the dual-stack facts of docs/reference/ipv6.md.

Run as root in a throw-away network namespace (nothing else is touched):

    unshare -n python3 docs/reference/ipv6_probe.py            # every probe
    unshare -n python3 docs/reference/ipv6_probe.py bind tools # some of them

Probes: bind (every ordered pair of the bind specs below, three ways),
single (one socket alone), accept (which listener takes a connection and
how the accepted socket names its ends), ephemeral (do IPv4 and IPv6
connections share the source-port range), tools (ss, lsof, netstat output).
The addresses live on lo: 192.0.2.80, 192.0.2.81, 192.0.2.10 and
2001:db8::80, 2001:db8::81, 2001:db8::10 (added with nodad: no DAD wait).
"""
import errno
import itertools
import socket
import subprocess
import sys

SOL, RA = socket.SOL_SOCKET, socket.SO_REUSEADDR
V4, V6 = socket.AF_INET, socket.AF_INET6

# name: (family, address, v6only)
SPECS = [
    ("0.0.0.0", V4, "0.0.0.0", None),
    ("192.0.2.80", V4, "192.0.2.80", None),
    ("127.0.0.1", V4, "127.0.0.1", None),
    ("127.0.0.6", V4, "127.0.0.6", None),
    ("[::]", V6, "::", 0),
    ("[::] v6only", V6, "::", 1),
    ("[2001:db8::80]", V6, "2001:db8::80", 0),
    ("[2001:db8::80] v6only", V6, "2001:db8::80", 1),
    ("[2001:db8::81]", V6, "2001:db8::81", 0),
    ("[::ffff:192.0.2.80]", V6, "::ffff:192.0.2.80", 0),
    ("[::ffff:192.0.2.81]", V6, "::ffff:192.0.2.81", 0),
    ("[::1]", V6, "::1", 0),
    ("[::1] v6only", V6, "::1", 1),
]


def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def setup():
    for cmd in ("ip link set lo up",
                "ip addr add 192.0.2.80/32 dev lo", "ip addr add 192.0.2.81/32 dev lo",
                "ip addr add 192.0.2.10/32 dev lo",
                "ip -6 addr add 2001:db8::80/128 dev lo nodad",
                "ip -6 addr add 2001:db8::81/128 dev lo nodad",
                "ip -6 addr add 2001:db8::10/128 dev lo nodad"):
        subprocess.run(cmd.split(), check=True)


def mk(spec, ra=False):
    _, fam, _, v6only = spec
    s = socket.socket(fam, socket.SOCK_STREAM)
    if ra:
        s.setsockopt(SOL, RA, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    return s


def bind(s, spec, port):
    s.bind((spec[2], port))


PORT = [20000]


def nextport():
    PORT[0] += 1
    return PORT[0]


def probe_single():
    """One socket alone: does the bind itself work?"""
    for spec in SPECS:
        s = mk(spec)
        try:
            bind(s, spec, nextport())
            r = "OK"
        except OSError as e:
            r = err(e)
        s.close()
        print(f"single {spec[0]}: {r}")


def probe_bind():
    """first binds (listening, or only bound), then second binds the same port.
    modes: L = first listening, no options; LR = both SO_REUSEADDR, first
    listening; BR = both SO_REUSEADDR, first only bound."""
    for a, b in itertools.product(SPECS, SPECS):
        row = []
        for mode in ("L", "LR", "BR"):
            port = nextport()
            ra = mode != "L"
            s1 = mk(a, ra)
            try:
                bind(s1, a, port)
            except OSError as e:
                row.append(f"{mode}=first:{err(e)}")
                s1.close()
                continue
            if mode != "BR":
                s1.listen()
            s2 = mk(b, ra)
            try:
                bind(s2, b, port)
                r = "OK"
            except OSError as e:
                r = err(e)
            row.append(f"{mode}={r}")
            s1.close()
            s2.close()
        print(f"bind {a[0]} then {b[0]}: {' '.join(row)}")


def probe_accept():
    """Which listener takes a connection, and the accepted socket's names."""
    cases = [
        ("[::] alone", [("[::]", V6, "::", 0)]),
        ("[::] v6only alone", [("[::] v6only", V6, "::", 1)]),
        ("0.0.0.0 + [::] v6only", [("0.0.0.0", V4, "0.0.0.0", None), ("[::] v6only", V6, "::", 1)]),
        ("[::ffff:192.0.2.80] alone", [("m", V6, "::ffff:192.0.2.80", 0)]),
        ("[2001:db8::80] alone", [("x", V6, "2001:db8::80", 0)]),
        ("192.0.2.80 + [::]: not both (EADDRINUSE), so 192.0.2.80 + [::] v6only",
         [("a", V4, "192.0.2.80", None), ("[::] v6only", V6, "::", 1)]),
    ]
    targets = [(V4, "192.0.2.80", "192.0.2.10"), (V6, "2001:db8::80", "2001:db8::10"),
               (V6, "::ffff:192.0.2.80", None), (V4, "127.0.0.1", None), (V6, "::1", None)]
    for label, ls in cases:
        port = nextport()
        lsocks = []
        for spec in ls:
            s = mk(spec)
            bind(s, spec, port)
            s.listen()
            s.setblocking(False)
            lsocks.append((spec[0], s))
        for fam, dst, src in targets:
            c = socket.socket(fam, socket.SOCK_STREAM)
            if src:
                c.bind((src, 0))
            try:
                c.connect((dst, port))
                who, name, peer = "?", None, None
                for n, s in lsocks:
                    try:
                        a, _ = s.accept()
                        who, name, peer = n, a.getsockname()[:2], a.getpeername()[:2]
                        a.close()
                        break
                    except BlockingIOError:
                        pass
                print(f"accept {label}: connect {dst} from {c.getsockname()[:2]} -> "
                      f"{who} accepted local={name} peer={peer}")
            except OSError as e:
                print(f"accept {label}: connect {dst}: {err(e)}")
            c.close()
        for _, s in lsocks:
            s.close()


def probe_ephemeral():
    """With a one-port range, can an IPv4 and an IPv6 connection both use it?"""
    old = open("/proc/sys/net/ipv4/ip_local_port_range").read().split()
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("40000 40000")
    ls = []
    for fam, a in ((V4, "192.0.2.80"), (V6, "2001:db8::80"), (V4, "192.0.2.81"), (V6, "2001:db8::81")):
        s = socket.socket(fam, socket.SOCK_STREAM)
        if fam == V6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((a, 80))
        s.listen()
        ls.append(s)
    conns = []
    for fam, dst in ((V4, "192.0.2.80"), (V6, "2001:db8::80"), (V4, "192.0.2.80"),
                     (V6, "2001:db8::80"), (V4, "192.0.2.81"), (V6, "2001:db8::81")):
        c = socket.socket(fam, socket.SOCK_STREAM)
        try:
            c.connect((dst, 80))
            print(f"ephemeral range 40000-40000: connect {dst}:80 -> source port {c.getsockname()[1]}")
            conns.append(c)
        except OSError as e:
            print(f"ephemeral range 40000-40000: connect {dst}:80 -> {err(e)}")
            c.close()
    for c in conns + ls:
        c.close()
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write(" ".join(old))
    print(f"net.ipv4.ip_local_port_range (also IPv6's) = {' '.join(old)}")


def probe_tools():
    """Real ss, lsof and netstat on v4, v6, v6only and dual-stack listeners
    and on a mapped connection."""
    ls = []
    for fam, a, port, v6only in ((V4, "0.0.0.0", 3000, None), (V6, "::", 3001, 0),
                                 (V6, "::", 3002, 1), (V6, "2001:db8::80", 3003, 1),
                                 (V6, "::1", 3004, 1), (V6, "::ffff:192.0.2.80", 3005, 0)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        if v6only is not None:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
        s.bind((a, port))
        s.listen()
        ls.append(s)
    c1 = socket.create_connection(("192.0.2.80", 3001), source_address=("192.0.2.10", 50000))
    c2 = socket.create_connection(("2001:db8::80", 3001), source_address=("2001:db8::10", 50001))
    a1, _ = ls[1].accept()
    a2, _ = ls[1].accept()
    for cmd in ("ss -tlnp", "ss -tan", "ss -tn", "lsof -nP -i", "lsof -i :3001",
                "netstat -tlnp", "netstat -tan", "netstat -tln -4", "netstat -tln -6"):
        print(f"$ {cmd}")
        print(subprocess.run(cmd.split(), capture_output=True, text=True).stdout, end="")
    for s in ls + [c1, c2, a1, a2]:
        s.close()


PROBES = {"single": probe_single, "bind": probe_bind, "accept": probe_accept,
          "ephemeral": probe_ephemeral, "tools": probe_tools}

if __name__ == "__main__":
    setup()
    for name in sys.argv[1:] or PROBES:
        PROBES[name]()
