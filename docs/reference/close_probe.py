#!/usr/bin/env python3
"""close_probe.py: what Linux does at the end of a connection when a
TIME-WAIT socket receives an RST, or when the process holding a CLOSE-WAIT
or LAST-ACK socket is killed (docs/reference/linux-ports.md, "Closing,
killing and resetting").

    unshare -n python3 docs/reference/close_probe.py            # every probe
    unshare -n python3 docs/reference/close_probe.py tw-rst     # one of them

Probes: tw-rst, kill-close-wait, kill-last-ack, passive-close. Every socket
is on 127.0.0.1; a packet socket on lo records the flags each segment
carries; nothing leaves the namespace.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

PORT = 8080


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout


def ss(filt=""):
    """ss -tanp lines (without the header) for port PORT."""
    out = sh("ss -tanpH '( sport = :%d or dport = :%d )' %s" % (PORT, PORT, filt))
    return [" ".join(l.split()) for l in out.splitlines() if l.strip()]


class Sniffer:
    """Every TCP segment on lo: (sport, dport, flags, seq, ack, len)."""

    def __init__(self):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.s.bind(("lo", 0))
        self.s.settimeout(0.05)
        self.segs = []
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            try:
                frame, addr = self.s.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING:
                continue  # lo shows each packet twice: keep the incoming copy
            ip = frame[14:]
            if len(ip) < 20 or ip[9] != 6:
                continue
            ihl = (ip[0] & 15) * 4
            tot = struct.unpack("!H", ip[2:4])[0]
            tcp = ip[ihl:]
            sp, dp, seq, ack, off, fl = struct.unpack("!HHIIBB", tcp[:14])
            if PORT in (sp, dp):
                self.segs.append((sp, dp, fl, seq, ack, tot - ihl - (off >> 4) * 4))

    def flags(self, since=0):
        names = [(0x02, "SYN"), (0x01, "FIN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK")]
        out = []
        for sp, dp, fl, seq, ack, n in self.segs[since:]:
            f = "|".join(nm for bit, nm in names if fl & bit)
            out.append("%s %d->%d" % (f, sp, dp) + (" len=%d" % n if n else ""))
        return out

    def close(self):
        self.stop = True
        self.t.join()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def send_rst(sport, dport, seq):
    """An RST from 127.0.0.1:sport to 127.0.0.1:dport with this sequence number."""
    src = dst = socket.inet_aton("127.0.0.1")
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x04, 0, 0, 0)
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(hdr)) + hdr)
    hdr = hdr[:16] + struct.pack("!H", c) + hdr[18:]
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    r.sendto(hdr, ("127.0.0.1", 0))
    r.close()


def listener():
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", PORT))
    l.listen()
    return l


def probe_tw_rst():
    print("== tw-rst: an RST reaching a TIME-WAIT socket")
    print("net.ipv4.tcp_rfc1337 =", open("/proc/sys/net/ipv4/tcp_rfc1337").read().strip())
    for rfc1337 in ("0", "1"):
        open("/proc/sys/net/ipv4/tcp_rfc1337", "w").write(rfc1337)
        sn = Sniffer()
        l = listener()
        c = socket.create_connection(("127.0.0.1", PORT))
        a, _ = l.accept()
        cport = c.getsockname()[1]
        c.close()              # the client closes first: it will be the TIME-WAIT end
        a.recv(1)              # EOF
        a.close()
        time.sleep(0.2)
        fin = [s for s in sn.segs if s[0] == PORT and s[2] & 0x01][-1]
        rcv_nxt = (fin[3] + 1) & 0xFFFFFFFF
        print("rfc1337=%s  client %d: %s" % (rfc1337, cport, ss()))
        send_rst(PORT, cport, (rcv_nxt + 100000) & 0xFFFFFFFF)
        time.sleep(0.1)
        print("rfc1337=%s  after an RST with seq = rcv_nxt + 100000 (out of window): %s" % (rfc1337, ss()))
        send_rst(PORT, cport, rcv_nxt)
        time.sleep(0.1)
        print("rfc1337=%s  after an RST with seq = rcv_nxt (in window): %s" % (rfc1337, ss()))
        print("rfc1337=%s  segments: %s" % (rfc1337, sn.flags()))
        sn.close()
        l.close()
        # Let the next round start clean (the TIME-WAIT may still be there).
        sh("ss -K '( dport = :%d or sport = :%d )'" % (PORT, PORT))
        time.sleep(0.1)
    open("/proc/sys/net/ipv4/tcp_rfc1337", "w").write("0")


def server_child(mode):
    """A child process that accepts one connection; returns (pid, read end)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        l = listener()
        os.write(w, b"L")
        a, _ = l.accept()
        l.close()
        if mode == "read-eof-shutdown":
            while a.recv(100):
                pass
            a.shutdown(socket.SHUT_WR)  # LAST-ACK, the descriptor still open
        elif mode == "read-eof-close":
            while a.recv(100):
                pass
            a.close()  # LAST-ACK, closed by the program
        os.write(w, b"R")
        time.sleep(60)
        os._exit(0)
    os.close(w)
    assert os.read(r, 1) == b"L"
    return pid, r


def kill(pid):
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def probe_kill_close_wait():
    for data in (b"", b"x"):
        what = "with 1 unread byte" if data else "nothing unread"
        print("== kill-close-wait (%s): kill -9 the process holding a CLOSE-WAIT socket" % what)
        sn = Sniffer()
        pid, r = server_child("hold")
        c = socket.create_connection(("127.0.0.1", PORT))
        if data:
            c.sendall(data)
        assert os.read(r, 1) == b"R"
        c.shutdown(socket.SHUT_WR)  # the client's FIN; it keeps reading
        time.sleep(0.2)
        print("before kill:", ss())
        n = len(sn.segs)
        kill(pid)
        time.sleep(0.3)
        print("after kill: ", ss())
        print("segments after kill:", sn.flags(n))
        try:
            print("client recv:", c.recv(10))
        except OSError as e:
            print("client recv:", type(e).__name__, e.errno)
        c.close()
        sn.close()
        time.sleep(0.1)
        sh("ss -K '( dport = :%d or sport = :%d )'" % (PORT, PORT))


def drop_client_acks(on):
    """Drop the bare ACKs sent to the server's port (so LAST-ACK lasts)."""
    if on:
        sh("nft add table inet closeprobe")
        sh("nft 'add chain inet closeprobe out { type filter hook output priority 0; }'")
        sh("nft add rule inet closeprobe out tcp dport %d 'tcp flags == ack' drop" % PORT)
    else:
        sh("nft delete table inet closeprobe")


def probe_last_ack(mode, title):
    print("== %s" % title)
    sn = Sniffer()
    pid, r = server_child(mode)
    c = socket.create_connection(("127.0.0.1", PORT))
    time.sleep(0.1)
    drop_client_acks(True)
    c.shutdown(socket.SHUT_WR)
    assert os.read(r, 1) == b"R"
    time.sleep(0.1)
    print("server end in LAST-ACK:", ss())
    n = len(sn.segs)
    kill(pid)
    time.sleep(0.3)
    print("after kill -9 of the server:", ss())
    print("segments after kill (the server's FIN is retransmitted, the ACKs dropped):", sn.flags(n))
    drop_client_acks(False)
    time.sleep(1.5)
    print("ACKs let through again, 1.5 s later:", ss())
    c.close()
    sn.close()
    sh("ss -K '( dport = :%d or sport = :%d )'" % (PORT, PORT))


def main():
    sh("ip link set lo up")
    probes = {
        "tw-rst": probe_tw_rst,
        "kill-close-wait": probe_kill_close_wait,
        "kill-last-ack": lambda: probe_last_ack(
            "read-eof-shutdown", "kill-last-ack: kill -9 the process holding a LAST-ACK socket (shutdown, fd open)"),
        "passive-close": lambda: probe_last_ack(
            "read-eof-close", "passive-close: the program read EOF and closed; who holds the LAST-ACK socket"),
    }
    names = sys.argv[1:] or list(probes)
    for n in names:
        probes[n]()


if __name__ == "__main__":
    main()
