#!/bin/sh
# nat_probe.sh — measures Linux's masquerade port choice and conntrack's view
# of it (docs/reference/nat.md). Run as root; needs iproute2, nftables,
# conntrack and python3. Creates namespaces natp-* and removes them at exit.
#
#   lan1 (192.168.1.10) --\
#                          home (192.168.1.1 | 203.0.113.5) --- server (93.184.216.34)
#   lan2 (192.168.1.11) --/
set -eu
N=natp$$
. "$(dirname "$0")/nat_net.sh"
cleanup() { nat_net_del $N; }
trap cleanup EXIT INT TERM
nat_net $N 'iifname "v3" tcp dport 8080 dnat to 192.168.1.10:80'
echo "== nft list ruleset (home)"; ip netns exec $N-home nft list ruleset
echo "== conntrack timeouts (home)"
for t in syn_sent syn_recv established fin_wait close_wait last_ack time_wait close; do
    printf '%s ' net.netfilter.nf_conntrack_tcp_timeout_$t
    ip netns exec $N-home cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_$t
done
printf 'net.netfilter.nf_conntrack_max '; ip netns exec $N-home cat /proc/sys/net/netfilter/nf_conntrack_max
# The server accepts, records each peer, and keeps the connections open.
ip netns exec $N-server python3 -c '
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(("93.184.216.34",443)); s.listen(64)
ls=socket.socket(); ls.bind(("93.184.216.34",80)); ls.listen(8)
keep=[]
while True:
    c,a=s.accept(); keep.append(c); print("server sees", a[0]+":"+str(a[1]), flush=True)
' > /tmp/$N-server.out &
SRV=$!
ip netns exec $N-lan1 python3 -c '
import socket
s=socket.socket(); s.bind(("192.168.1.10",80)); s.listen(8)
' &
sleep 0.5
conn() { # conn NS SRCPORT: connect, hold 3 s
    ip netns exec $N-$1 python3 -c "
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(('',$2)); s.connect(('93.184.216.34',443)); time.sleep(3)" &
}
for round in 1 2 3 4 5; do
    conn lan1 50000; sleep 0.2; conn lan2 50000; sleep 0.3
    if [ $round = 1 ]; then
        echo "== conntrack -L (home), round 1"
        ip netns exec $N-home conntrack -L 2>&1
        echo "== ss -tn (server), round 1"; ip netns exec $N-server ss -tn
    fi
    wait_for=$(jobs -p | wc -l); sleep 3
    ip netns exec $N-home conntrack -F 2>/dev/null   # forget the round's entries
done
echo "== conntrack -L after close (one more connection, closed by the client)"
ip netns exec $N-lan1 python3 -c "
import socket
s=socket.socket(); s.bind(('',50001)); s.connect(('93.184.216.34',443)); s.close()"
sleep 0.5; ip netns exec $N-home conntrack -L 2>&1
echo "== server saw (5 rounds: lan1 then lan2, both from 50000)"
cat /tmp/$N-server.out
kill $SRV 2>/dev/null || true
rm -f /tmp/$N-server.out
