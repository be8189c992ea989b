#!/bin/sh
# nat_udp_probe.sh — measures what Linux's masquerade and conntrack do with
# UDP (docs/reference/nat.md, "UDP"). Run as root; needs iproute2, nftables,
# conntrack, tshark and python3. Creates namespaces natu-* and removes them
# at exit. The same network as nat_probe.sh:
#
#   lan1 (192.168.1.10) --\
#                          home (192.168.1.1 | 203.0.113.5) --- server (93.184.216.34)
#   lan2 (192.168.1.11) --/
set -eu
N=natu$$
T=/tmp/$N
. "$(dirname "$0")/nat_net.sh"
cleanup() { kill $(jobs -p) 2>/dev/null || true; nat_net_del $N; rm -f $T.*; }
trap cleanup EXIT INT TERM
nat_net $N 'iifname "v3" udp dport 5353 dnat to 192.168.1.10:53'
ct() { ip netns exec $N-home conntrack -L -p udp 2>&1; }
echo "== nft list ruleset (home)"; ip netns exec $N-home nft list ruleset
echo "== conntrack UDP timeouts (home)"
for t in udp_timeout udp_timeout_stream; do
    printf 'net.netfilter.nf_conntrack_%s ' $t; ip netns exec $N-home cat /proc/sys/net/netfilter/nf_conntrack_$t
done
# server: 53 answers "A 1.2.3.4" and prints each peer; 9 takes and never answers; 54 is closed
ip netns exec $N-server python3 -c '
import socket,select
a=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); a.bind(("93.184.216.34",53))
b=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); b.bind(("93.184.216.34",9))
while True:
    r,_,_=select.select([a,b],[],[])
    for s in r:
        d,p=s.recvfrom(2048); print("server port",s.getsockname()[1],"sees",p[0]+":"+str(p[1]),flush=True)
        if s is a: s.sendto(b"A 1.2.3.4",p)
' > $T.server &
# lan1: 53 answers (the forward's target)
ip netns exec $N-lan1 python3 -c '
import socket
a=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); a.bind(("192.168.1.10",53))
while True:
    d,p=a.recvfrom(2048); print("lan1 port 53 sees",p[0]+":"+str(p[1]),flush=True); a.sendto(b"A 5.6.7.8",p)
' > $T.lan1 &
ip netns exec $N-home tshark -q -i v1 -i v3 -f 'udp or icmp' -w $T.pcap 2>/dev/null &
sleep 1.5
send() { # send NS SPORT DPORT [SECOND_SEND_AFTER]: a connected socket sends, reads its answer or error
    ip netns exec $N-$1 python3 -c "
import socket,time,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(('',$2)); s.connect(('93.184.216.34',$3)); s.settimeout(1)
s.send(b'A example.com')
try: print('$1:$2 -> :$3 got',s.recv(2048))
except Exception as x: print('$1:$2 -> :$3 error',type(x).__name__,x)
if '${4:-}':
    time.sleep(float('${4:-0}')); s.send(b'again')
    try: print('$1:$2 -> :$3 got',s.recv(2048))
    except Exception as x: print('$1:$2 -> :$3 error',type(x).__name__,x)
"
}
echo "== 1. lan1:50000 -> :9 (taken, never answered); conntrack -L -p udp"
send lan1 50000 9; ct
echo "== 2. lan1:50000 and lan2:50000 -> :53 (answered)"
send lan1 50000 53; send lan2 50000 53; ct
echo "== 3. 3 s later, lan1:50002 -> :53, answered, and again after 2.5 s"
send lan1 50002 53 2.5; ct
echo "== 4. lan1:50003 -> :54 (closed): ICMP port unreachable comes back"
send lan1 50003 54; ct
echo "== 5. server:40000 -> 203.0.113.5:5353 (forwarded to lan1:53)"
ip netns exec $N-server python3 -c "
import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('',40000)); s.connect(('203.0.113.5',5353)); s.settimeout(1)
s.send(b'A example.com'); print('server:40000 -> 203.0.113.5:5353 got',s.recv(2048))"
ct
echo "== server and lan1 saw"; cat $T.server $T.lan1
sleep 1; kill %3 2>/dev/null || true; sleep 1
echo "== the ICMP messages on both sides of home (tshark)"
tshark -r $T.pcap -Y icmp -T fields -e frame.interface_id -e ip.src -e ip.dst -e udp.srcport -e udp.dstport -e icmp.type -e icmp.code -e icmp.checksum.status -e udp.checksum.status -o udp.check_checksum:TRUE 2>/dev/null
