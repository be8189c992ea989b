#!/usr/bin/env python3
"""probe.py: re-measure the kernel facts of docs/reference/linux-ports.md.

Run it as root inside a throw-away network namespace, so that nothing on
the machine is touched and only the loopback interface exists:

    unshare -n python3 docs/reference/probe.py            # every probe
    unshare -n python3 docs/reference/probe.py bind demux # some of them

Probes: sysctl, bind, privileged, ephemeral, exhaust, reserved, demux, refused,
loopback, tools, node, servers, timewait. `timewait` waits for TIME-WAIT to end (about a minute).
Every socket is on 127.0.0.0/8 or ::1; nothing leaves the namespace.
"""
import errno
import os
import select
import socket
import subprocess
import sys
import time

SOL, RA, RP = socket.SOL_SOCKET, socket.SO_REUSEADDR, socket.SO_REUSEPORT
V4, V6 = socket.AF_INET, socket.AF_INET6


def sysctl(name):
    with open("/proc/sys/" + name.replace(".", "/")) as f:
        return " ".join(f.read().split())


def set_sysctl(name, value):
    with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
        f.write(value)


def err(e):
    return errno.errorcode.get(e.errno, str(e.errno))


def sock(fam=V4, ra=False, rp=False, v6only=None):
    s = socket.socket(fam, socket.SOCK_STREAM)
    if ra:
        s.setsockopt(SOL, RA, 1)
    if rp:
        s.setsockopt(SOL, RP, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    return s


def probe_sysctl():
    for n in ("net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
              "net.ipv4.ip_local_reserved_ports", "net.ipv6.bindv6only"):
        print(f"{n} = {sysctl(n) or '(empty)'}")


def probe_bind():
    """A first socket binds (and maybe listens); does a second one bind?"""
    cases = [
        ("0.0.0.0 listening + 0.0.0.0, no options", (V4, "0.0.0.0", {}), (V4, "0.0.0.0", {}), True),
        ("0.0.0.0 listening + 0.0.0.0, both SO_REUSEADDR", (V4, "0.0.0.0", {"ra": 1}), (V4, "0.0.0.0", {"ra": 1}), True),
        ("0.0.0.0 bound only + 0.0.0.0, both SO_REUSEADDR", (V4, "0.0.0.0", {"ra": 1}), (V4, "0.0.0.0", {"ra": 1}), False),
        ("0.0.0.0 listening + 0.0.0.0, both SO_REUSEPORT", (V4, "0.0.0.0", {"rp": 1}), (V4, "0.0.0.0", {"rp": 1}), True),
        ("0.0.0.0 listening + 0.0.0.0, only the second SO_REUSEPORT", (V4, "0.0.0.0", {}), (V4, "0.0.0.0", {"rp": 1}), True),
        ("127.0.0.1 listening + 0.0.0.0", (V4, "127.0.0.1", {}), (V4, "0.0.0.0", {}), True),
        ("0.0.0.0 listening + 127.0.0.1", (V4, "0.0.0.0", {}), (V4, "127.0.0.1", {}), True),
        ("127.0.0.1 listening + 127.0.0.2", (V4, "127.0.0.1", {}), (V4, "127.0.0.2", {}), True),
        ("[::] v6only=0 listening + 0.0.0.0", (V6, "::", {"v6only": 0}), (V4, "0.0.0.0", {}), True),
        ("0.0.0.0 listening + [::] v6only=0", (V4, "0.0.0.0", {}), (V6, "::", {"v6only": 0}), True),
        ("[::] v6only=1 listening + 0.0.0.0", (V6, "::", {"v6only": 1}), (V4, "0.0.0.0", {}), True),
        ("[::1] listening + 127.0.0.1", (V6, "::1", {}), (V4, "127.0.0.1", {}), True),
    ]
    for label, (f1, a1, o1), (f2, a2, o2), listen_first in cases:
        s1 = sock(f1, **o1)
        s1.bind((a1, 3000))
        if listen_first:
            s1.listen()
        s2 = sock(f2, **o2)
        try:
            s2.bind((a2, 3000))
            r = "bind OK"
        except OSError as e:
            r = f"bind fails: {err(e)}"
        print(f"port 3000: {label:58s} -> {r}")
        s1.close()
        s2.close()
    # SO_REUSEPORT shares a port only between sockets of one user.
    s1 = sock(rp=True)
    s1.bind(("0.0.0.0", 3000))
    s1.listen()
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        s2 = sock(rp=True)
        try:
            s2.bind(("0.0.0.0", 3000))
            r = "bind OK"
        except OSError as e:
            r = f"bind fails: {err(e)}"
        print(f"port 3000: {'0.0.0.0 listening (root) + 0.0.0.0 (uid 65534), both SO_REUSEPORT':58s} -> {r}")
        os._exit(0)
    os.waitpid(pid, 0)
    s1.close()


def probe_privileged():
    """Binds below and at ip_unprivileged_port_start as user nobody."""
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        for p in (80, 1023, 1024):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", p))
                print(f"uid 65534 bind 127.0.0.1:{p} -> OK")
            except OSError as e:
                print(f"uid 65534 bind 127.0.0.1:{p} -> {err(e)}")
            s.close()
        os._exit(0)
    os.waitpid(pid, 0)


def listeners(ports):
    out = []
    for p in ports:
        s = socket.socket()
        s.bind(("127.0.0.1", p))
        s.listen(4096)
        out.append(s)
    return out


def probe_ephemeral():
    """Source ports connect() and bind(port 0) choose in the default range."""
    ls = listeners((5001, 5002))
    keep, seq = [], []
    for _ in range(4):
        for dport in (5001, 5002):
            c = socket.create_connection(("127.0.0.1", dport))
            keep.append(c)
            seq.append((c.getsockname()[1], dport))
    print("connect() source ports (sport, dport):", seq)
    b = []
    for _ in range(6):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        keep.append(s)
        b.append(s.getsockname()[1])
    print("bind(port 0) ports:", b, "parities:", [p % 2 for p in b])
    for s in keep + ls:
        s.close()


def probe_exhaust():
    """A ten-port range: connect() until it fails, to two destinations."""
    old = sysctl("net.ipv4.ip_local_port_range")
    set_sysctl("net.ipv4.ip_local_port_range", "40000 40009")
    ls = listeners((5001, 5002))
    keep = []
    for dport in (5001, 5002):
        used = []
        while True:
            c = socket.socket()
            try:
                c.connect(("127.0.0.1", dport))
            except OSError as e:
                print(f"to {dport}: {len(used)} connections, then connect() fails: {err(e)}")
                c.close()
                break
            keep.append(c)
            used.append(c.getsockname()[1])
        print(f"  source ports to {dport}: {used}")
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        print("bind(port 0) with every port used by connect() -> OK", s.getsockname()[1])
    except OSError as e:
        print("bind(port 0) with every port used by connect() ->", err(e))
    s.close()
    # The same 4-tuple twice: only possible with an explicit bind.
    a = sock(ra=True)
    a.bind(("127.0.0.1", 45000))
    a.connect(("127.0.0.1", 5001))
    b = sock(ra=True)
    b.bind(("127.0.0.1", 45000))
    try:
        b.connect(("127.0.0.1", 5001))
        print("second connect() with an identical 4-tuple -> OK")
    except OSError as e:
        print("second connect() with an identical 4-tuple ->", err(e))
    for x in keep + ls + [a, b]:
        x.close()
    set_sysctl("net.ipv4.ip_local_port_range", old.replace(" ", "\t"))


def probe_reserved():
    """connect() skips ip_local_reserved_ports; an explicit bind() does not."""
    old_range = sysctl("net.ipv4.ip_local_port_range")
    set_sysctl("net.ipv4.ip_local_port_range", "40000 40009")
    set_sysctl("net.ipv4.ip_local_reserved_ports", "40000-40003,40008")
    ls = listeners((5001,))
    keep, used = [], []
    while True:
        c = socket.socket()
        try:
            c.connect(("127.0.0.1", 5001))
        except OSError as e:
            print(f"reserved {sysctl('net.ipv4.ip_local_reserved_ports')}: connect() used {used}, then {err(e)}")
            c.close()
            break
        keep.append(c)
        used.append(c.getsockname()[1])
    s = socket.socket()
    s.bind(("127.0.0.1", 40001))
    print("explicit bind to reserved port 40001 -> OK")
    for x in keep + ls + [s]:
        x.close()
    set_sysctl("net.ipv4.ip_local_reserved_ports", "")
    set_sysctl("net.ipv4.ip_local_port_range", old_range.replace(" ", "\t"))


def probe_demux():
    """Listeners on 127.0.0.1:3030 and 0.0.0.0:3030: who takes which SYN?"""
    ls = {}
    for a in ("0.0.0.0", "127.0.0.1"):
        s = sock(rp=True)
        s.bind((a, 3030))
        s.listen()
        s.setblocking(False)
        ls[a] = s
    for dst in ("127.0.0.1", "127.0.0.2") * 3:
        c = socket.create_connection((dst, 3030))
        r, _, _ = select.select(list(ls.values()), [], [], 1)
        who = [k for k, v in ls.items() if v in r]
        print(f"connect to {dst}:3030 -> accepted by the listener on {who}")
        for s in r:
            s.accept()[0].close()
        c.close()


def probe_refused():
    """connect() to a port nobody listens on, with the segments captured."""
    cap = subprocess.Popen(["tshark", "-i", "lo", "-n", "-f", "tcp port 3999", "-c", "2", "-a", "duration:5"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(2)
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 3999))
    except OSError as e:
        print("connect to 127.0.0.1:3999 ->", err(e), e.strerror)
    s.close()
    print(cap.communicate()[0], end="")


def probe_timewait():
    """Who keeps TIME-WAIT, how long, and what it blocks."""
    def pair(port, server_first, ra_old):
        l = sock(ra=ra_old)
        l.bind(("127.0.0.1", port))
        l.listen()
        c = socket.create_connection(("127.0.0.1", port))
        a, _ = l.accept()
        first, second = (a, c) if server_first else (c, a)
        first.close()
        closed[port] = time.monotonic()
        time.sleep(0.1)
        second.close()
        l.close()
        time.sleep(0.2)

    def rebind(port, ra):
        n = sock(ra=ra)
        try:
            n.bind(("127.0.0.1", port))
            n.listen()
            return "rebind OK"
        except OSError as e:
            return "rebind fails: " + err(e)
        finally:
            n.close()

    closed = {}
    for port, server_first, ra_old, ra_new in ((3011, True, True, True), (3012, True, True, False),
                                              (3013, True, False, True), (3014, True, False, False),
                                              (3015, False, False, False)):
        pair(port, server_first, ra_old)
        side = "server" if server_first else "client"
        print(f":{port} {side} closed first, old SO_REUSEADDR={ra_old}, new SO_REUSEADDR={ra_new}: "
              f"{rebind(port, ra_new)}")
    print(subprocess.run("ss -tano state time-wait", shell=True, capture_output=True, text=True).stdout, end="")
    while subprocess.run("ss -Htan state time-wait '( sport = :3011 )'", shell=True,
                         capture_output=True, text=True).stdout.strip():
        time.sleep(0.5)
    print(f"TIME-WAIT on :3011 gone {time.monotonic() - closed[3011]:.1f} s after the server's close")


def probe_loopback():
    """Round trip of a connect() on loopback (SYN out, SYN-ACK back)."""
    l = listeners((5003,))[0]
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        c = socket.create_connection(("127.0.0.1", 5003))
        times.append((time.perf_counter() - t0) * 1e6)
        l.accept()[0].close()
        c.close()
    times.sort()
    print(f"connect() on loopback, 200 tries: median {times[100]:.1f} us, "
          f"min {times[0]:.1f} us (a full round trip plus system calls)")
    l.close()


def probe_tools():
    """What ss, netstat and lsof print for listeners and connections."""
    srv = subprocess.Popen(["python3", "-m", "http.server", "3000"], cwd="/tmp",
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    node = subprocess.Popen(["node", "-e", "require('net').createServer(s=>{}).listen(8080,'127.0.0.1')"])
    time.sleep(1.5)
    c = socket.create_connection(("127.0.0.1", 3000))
    time.sleep(0.3)
    for cmd in ("ss -tlnp", "ss -tn", "ss -tan", "netstat -tlnp", "netstat -tnp", "lsof -i :3000",
                "lsof -nP -i :3000"):
        print("$ " + cmd)
        print(subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout, end="")
    c.close()
    srv.terminate()
    node.terminate()
    srv.wait()
    node.wait()


def probe_node():
    """Node.js listening on a port that is taken, and on port 80 as nobody."""
    js = ("const net=require('net');const a=net.createServer().listen(3000,()=>{"
          "const b=net.createServer();b.on('error',e=>{console.log(String(e),e.code,e.errno,e.syscall);"
          "const c=net.createServer();c.on('error',e2=>{console.log(String(e2));process.exit(0)});"
          "c.listen(3000,'127.0.0.1')});b.listen(3000)});")
    print(subprocess.run(["node", "-e", js], capture_output=True, text=True).stdout, end="")
    js = "require('net').createServer().listen(80,'127.0.0.1').on('error',e=>console.log(String(e)))"
    print(subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "node", "-e", js],
                         capture_output=True, text=True).stdout, end="")
    js = "require('net').connect(3999,'127.0.0.1').on('error',e=>console.log(String(e)))"
    print(subprocess.run(["node", "-e", js], capture_output=True, text=True).stdout, end="")


def probe_servers():
    """What Node.js and Python's http.server print when they cannot listen."""
    first = subprocess.Popen(["python3", "-m", "http.server", "3000"], cwd="/tmp",
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    js = "const h=require('http');h.createServer().listen(3000);"
    r = subprocess.run(["node", "-e", js], capture_output=True, text=True)
    print(r.stderr, end="")
    print("node exit status:", r.returncode)
    r = subprocess.run(["python3", "-m", "http.server", "3000"], capture_output=True, text=True)
    print("".join(r.stderr.splitlines(True)[-1:]), end="")
    first.terminate()
    first.wait()
    # /usr/bin/python3: a per-user interpreter may not be readable by nobody.
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "/usr/bin/python3", "-m", "http.server", "80"], capture_output=True, text=True)
    print("".join(r.stderr.splitlines(True)[-1:]), end="")


PROBES = {n[len("probe_"):]: f for n, f in globals().items() if n.startswith("probe_")}

if __name__ == "__main__":
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # tools first (before other probes leave TIME-WAIT sockets for ss to
    # list), timewait last (it waits a minute).
    names = sys.argv[1:] or ["tools"] + [n for n in PROBES if n not in ("tools", "timewait")] + ["timewait"]
    for n in names:
        print(f"== {n}")
        PROBES[n]()
