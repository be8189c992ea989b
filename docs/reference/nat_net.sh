# nat_net.sh — the network nat_probe.sh and nat_udp_probe.sh measure on,
# sourced by both (POSIX sh):
#
#   lan1 (192.168.1.10) --\
#                          home (192.168.1.1 | 203.0.113.5) --- server (93.184.216.34)
#   lan2 (192.168.1.11) --/
#
# nat_net PREFIX DNAT makes namespaces PREFIX-lan1, -lan2, -home, -server
# (addresses /32 on lo or the router's veths, one route per peer, as portsim
# verify does), turns on forwarding in home and loads a masquerade on its
# outside veth v3 plus the prerouting rule DNAT (an nft statement such as
# `iifname "v3" tcp dport 8080 dnat to 192.168.1.10:80`). nat_net_del
# PREFIX removes them.
nat_net_veth() { # PREFIX NAME NS1 NS2: a veth pair made in NS1, its peer in NS2
    ip -n $1-$3 link add $2 type veth peer name $2 netns $1-$4
    ip -n $1-$3 link set $2 up
    ip -n $1-$4 link set $2 up
}

nat_net() {
    for h in lan1 lan2 home server; do
        ip netns add $1-$h
        ip -n $1-$h link set lo up
    done
    nat_net_veth $1 v1 lan1 home
    nat_net_veth $1 v2 lan2 home
    nat_net_veth $1 v3 home server
    ip -n $1-lan1 addr add 192.168.1.10/32 dev lo
    ip -n $1-lan2 addr add 192.168.1.11/32 dev lo
    ip -n $1-server addr add 93.184.216.34/32 dev lo
    ip -n $1-home addr add 192.168.1.1/32 dev v1
    ip -n $1-home addr add 192.168.1.1/32 dev v2
    ip -n $1-home addr add 203.0.113.5/32 dev v3
    ip -n $1-home route add 192.168.1.10 dev v1 src 192.168.1.1
    ip -n $1-home route add 192.168.1.11 dev v2 src 192.168.1.1
    ip -n $1-home route add 93.184.216.34 dev v3 src 203.0.113.5
    ip -n $1-lan1 route add 192.168.1.1 dev v1 src 192.168.1.10
    ip -n $1-lan1 route add 93.184.216.34 via 192.168.1.1 dev v1 src 192.168.1.10
    ip -n $1-lan2 route add 192.168.1.1 dev v2 src 192.168.1.11
    ip -n $1-lan2 route add 93.184.216.34 via 192.168.1.1 dev v2 src 192.168.1.11
    ip -n $1-server route add 203.0.113.5 dev v3 src 93.184.216.34
    ip netns exec $1-home sysctl -qw net.ipv4.ip_forward=1
    ip netns exec $1-home nft -f - <<NFT
table ip nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "v3" masquerade
    }
    chain prerouting {
        type nat hook prerouting priority dstnat; policy accept;
        $2
    }
}
NFT
}

nat_net_del() {
    for h in lan1 lan2 home server; do ip netns del $1-$h 2>/dev/null || true; done
}
