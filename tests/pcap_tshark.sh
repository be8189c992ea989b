#!/bin/sh
# pcap_tshark.sh — every shipped scenario's `portsim run --pcap` capture, read
# back by tshark (the real dissector Wireshark uses):
#   - no bad IP or TCP checksum, no malformed packet, no expert error, no
#     warning but "Connection reset" on RST packets, and no sequence-analysis
#     complaint (lost / unseen / retransmitted / out-of-order / duplicate ACK);
#   - the packets tshark decodes, in order, equal the jsonl trace's segments:
#     time, src, sport, dst, dport, flags, len, seq, ack;
#   - `-z conv,tcp` lists one conversation per connection (4-tuple; a tuple
#     reused after TIME-WAIT is a new connection), two to 93.184.216.34:443
#     for the two-tabs lessons;
#   - tshark sees a complete handshake (tcp.completeness has SYN, SYN-ACK and
#     ACK) once per SYN-ACK sent, and a SYN answered by RST once per
#     ECONNREFUSED of a connect (custom-port.scn must have one);
#   - UDP and ICMP (the TCP checks above look at TCP packets only): the UDP
#     datagrams and ICMP port unreachable messages tshark decodes, in order,
#     equal the jsonl trace's datagram and icmp events (time, addresses,
#     ports, UDP length; for ICMP type 3 code 3 and the quoted datagram's
#     ports), with good IP, UDP and ICMP checksums and nothing malformed;
#     udp-vs-tcp.scn must have UDP datagrams and an ICMP port unreachable.
#   - through a router: every segment a router rewrote (a jsonl "rewrite"
#     event) is decoded twice, as it came (before the rewrite) and as it left
#     (at the rewrite's time, rewritten), with the same flags and sequence
#     numbers; nat.scn's two laptops, both from port 50000, are two outside
#     conversations from 203.0.113.5 to 93.184.216.34:443 on distinct ports,
#     one of them 50000.
#   - IPv6 segments ([2001:db8::10]:40768 in the trace) are IPv6 packets
#     (which have no IP checksum), dual-stack.scn has both families.
#   - http1-vs-http2.scn: the HTTP/1.1 page's 13 requests decode as HTTP GETs
#     of /, /img/1.png ... /img/12.png and its 13 responses as 200 OK, each
#     reassembled from its segments by Content-Length; the HTTP/2 stand-in
#     frames are plain TCP data, never HTTP nor HTTP/2; 7 conversations to
#     93.184.216.34:80 (six HTTP/1.1 connections, one HTTP/2).
# POSIX sh + awk + sed; run from the repository root with $PORTSIM set (the
# Makefile does). tshark missing is a failure, not a skip: deps installs it.
set -u
PORTSIM=${PORTSIM:-./portsim}
# Seconds per scenario for the binary $1 (busy-server takes ~2 s here). A
# sanitizer build (SANITIZE=1: ASan/UBSan) runs several times slower on a
# loaded machine, so there the default is 5x; its runtime's symbols are in
# the binary's dynamic symbol table (no binutils needed). PCAP_BUDGET, if
# set, is used as it is.
budget_for() {
    if [ -n "${PCAP_BUDGET:-}" ]; then echo "$PCAP_BUDGET"
    elif grep -q -e __asan_init -e __ubsan_handle "$1" 2>/dev/null; then echo 75
    else echo 15
    fi
}
BUDGET=$(budget_for "$PORTSIM")
SERVER_TABS="93.184.216.34:443"

if ! command -v tshark >/dev/null 2>&1; then
    echo "FAIL pcap_tshark.sh: tshark is not installed (run: sh tools/deps.sh --test)" >&2
    exit 1
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
fails=0
scn=""

fail() {
    echo "FAIL $scn: $*"
    fails=$((fails + 1))
}

# Shows the first lines of a file under a failure.
show() { sed -n '1,12s/^/    /p' "$1"; }

# The jsonl trace's segments as "time src sport dst dport flags len seq ack",
# flags as tshark prints them (0x0012) and time as seconds.micro; an IPv6
# address without its brackets, as tshark writes it.
want_list() {
    sed -n 's/^{"t_us":\([0-9]*\),"kind":"segment".*"src":"\[\{0,1\}\([0-9a-f.:]*\)\]\{0,1\}:\([0-9]*\)","dst":"\[\{0,1\}\([0-9a-f.:]*\)\]\{0,1\}:\([0-9]*\)","flags":"\([A-Z|]*\)","len":\([0-9]*\),"seq":\([0-9]*\),"ack":\([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7 \8 \9/p' "$1" |
    awk 'BEGIN { bit["FIN"] = 1; bit["SYN"] = 2; bit["RST"] = 4; bit["PSH"] = 8; bit["ACK"] = 16 }
    {
        n = split($6, f, "|"); v = 0
        for (i = 1; i <= n; i++) v += bit[f[i]]
        printf "%d.%06d %s %s %s %s 0x%04x %s %s %s\n", int($1 / 1000000), $1 % 1000000,
               $2, $3, $4, $5, v, $7, $8, $9
    }'
}

# tshark's fields (tab-separated, see FIELDS) as the same list: ipv6.src
# and ipv6.dst ($17, $18) where ip.src and ip.dst are empty.
got_list() {
    awk -F '\t' '{ split($1, tm, "."); printf "%s.%s %s %s %s %s %s %s %s %s\n",
                   tm[1], substr(tm[2], 1, 6), ($2 != "" ? $2 : $17), $3, ($4 != "" ? $4 : $18),
                   $5, $6, $7, $8, $9 }' "$1"
}

# Packets tshark found wrong: checksums, malformed, expert errors, warnings
# other than a reset, and sequence-analysis notes.
bad_packets() {
    awk -F '\t' '
    $17 == "" && $12 != 1 { print NR ": IP checksum status " $12 " (1 = good)"; next }
    $17 != "" && $12 != "" { print NR ": an IPv6 packet with an IPv4 header too"; next }
    $13 != 1 { print NR ": TCP checksum status " $13 " (1 = good)"; next }
    $16 != "" { print NR ": malformed packet"; next }
    $14 ~ /8388608/ { print NR ": expert error: " $15; next }
    $14 ~ /6291456/ && $15 != "Connection reset (RST)" { print NR ": expert warning: " $15; next }
    $15 ~ /not captured|retransmission|Duplicate ACK|out-of-order|Spurious|Keep-Alive|[Ww]indow/ {
        print NR ": " $15 }' "$1"
}

# "handshakes refused": per stream, the largest tcp.completeness (1 SYN,
# 2 SYN-ACK, 4 ACK, 32 RST); a handshake has 1+2+4, a refusal SYN and RST
# without SYN-ACK.
completeness() {
    awk -F '\t' '{ if ($10 + 0 > c[$11] + 0) c[$11] = $10 }
    END { h = r = 0
          for (s in c) { v = c[s] + 0
                         if (v % 8 == 7) h++
                         if (v % 2 == 1 && int(v / 2) % 2 == 0 && int(v / 32) % 2 == 1) r++ }
          print h, r }' "$1"
}

# Connections from the wanted list: a SYN (without ACK) or the first segment
# of a tuple starts one. One sorted line "A:p B:q" per connection.
want_convs() {
    awk '{ a = $2 ":" $3; b = $4 ":" $5; k = a < b ? a " " b : b " " a
           if ($6 == "0x0002" || !(k in seen)) print k; seen[k] = 1 }' "$1" | sort
}

# Each router rewrite of the jsonl trace as two wanted packets: "before T
# src sport dst dport flags" (sent before or at T, as it came) and "at T
# nsrc nsport ndst ndport flags" (the rewritten one the router sent at T).
rewrites() {
    sed -n 's/^{"t_us":\([0-9]*\),"kind":"rewrite".*"src":"\([0-9.:]*\)","dst":"\([0-9.:]*\)","flags":"\([A-Z|]*\)","op":"[a-z]*","nat_src":"\([0-9.:]*\)","nat_dst":"\([0-9.:]*\)".*/\1 \2 \3 \4 \5 \6/p' "$1" |
    awk 'BEGIN { bit["FIN"] = 1; bit["SYN"] = 2; bit["RST"] = 4; bit["PSH"] = 8; bit["ACK"] = 16 }
    { n = split($4, f, "|"); v = 0
      for (i = 1; i <= n; i++) v += bit[f[i]]
      t = sprintf("%d.%06d", int($1 / 1000000), $1 % 1000000)
      split($2, s, ":"); split($3, d, ":"); split($5, ns, ":"); split($6, nd, ":")
      printf "before %s %s %s %s %s 0x%04x\n", t, s[1], s[2], d[1], d[2], v
      printf "at %s %s %s %s %s 0x%04x\n", t, ns[1], ns[2], nd[1], nd[2], v }'
}

# The rewrites missing from tshark's packets (got list), one line each.
missing_rewrites() {
    awk 'NR == FNR { pk[NR] = $0; n = NR; next }
    { found = 0
      for (i = 1; i <= n && !found; i++) {
          split(pk[i], p, " ")
          if (p[2] != $3 || p[3] != $4 || p[4] != $5 || p[5] != $6 || p[6] != $7) continue
          if ($1 == "at" ? p[1] == $2 : p[1] + 0 <= $2 + 0) found = 1
      }
      if (!found) print }' "$1" "$2"
}

# tshark's conversation table rows as the same lines.
got_convs() {
    awk '$2 == "<->" { a = $1; b = $3; print (a < b ? a " " b : b " " a) }' "$1" | sort
}

# A lesson's payloads are its text: on port 53 (5353) the DNS (mDNS)
# dissector would call them malformed DNS messages, which they are not meant
# to be. The packets' headers and checksums are checked all the same.
NO_DNS="--disable-protocol dns --disable-protocol mdns"
# The page loads of http1-vs-http2.scn as tshark's HTTP dissector sees them.
check_http() {
    tshark -r "$1" -2 -n -Y http.request -T fields -e http.request.method -e http.request.uri \
        2>/dev/null | sort >"$tmp/http.req"
    { echo "GET	/"; i=1; while [ $i -le 12 ]; do echo "GET	/img/$i.png"; i=$((i + 1)); done; } |
        sort >"$tmp/http.want"
    cmp -s "$tmp/http.req" "$tmp/http.want" ||
        { fail "the HTTP/1.1 requests tshark decodes differ:"; diff "$tmp/http.want" "$tmp/http.req" | sed -n '1,8s/^/    /p'; }
    # code, Content-Length, the body tshark reassembled, the reassembled length
    n=$(tshark -r "$1" -2 -n -Y http.response -T fields -e http.response.code -e http.content_length \
        -e http.file_data -e tcp.reassembled.length 2>/dev/null |
        awk -F '\t' '$1 == 200 && $2 == length($3) && $4 > $2 { n++ } END { print n + 0 }')
    [ "$n" = 13 ] || fail "tshark reassembles $n complete 200 responses, expected 13"
    n=$(tshark -r "$1" -2 -n -Y 'http2 || (http && tcp.payload contains "stream=")' -T fields -e frame.number \
        2>/dev/null | wc -l)
    [ "$n" = 0 ] || fail "$n HTTP/2 stand-in segments were decoded as HTTP or HTTP/2"
    n=$(grep -c -e "^93.184.216.34:80 " -e " 93.184.216.34:80\$" "$tmp/got.conv")
    [ "$n" = 7 ] || fail "expected 7 conversations to 93.184.216.34:80, conv,tcp shows $n"
}

FIELDS="-e frame.time_epoch -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.flags
 -e tcp.len -e tcp.seq_raw -e tcp.ack_raw -e tcp.completeness -e tcp.stream
 -e ip.checksum.status -e tcp.checksum.status -e _ws.expert.severity -e _ws.expert.message
 -e _ws.malformed -e ipv6.src -e ipv6.dst"

# The jsonl trace's datagrams as "time udp src sport dst dport udplen" and
# ICMP messages as "time icmp src dst sport dport" (the quoted datagram's
# ports: from the sender's, to the closed one).
udp_want_list() {
    sed -n 's/^{"t_us":\([0-9]*\),"kind":"\(datagram\|icmp\)".*"src":"\([0-9.]*\):\([0-9]*\)","dst":"\([0-9.]*\):\([0-9]*\)","len":\([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7/p' "$1" |
    awk '{ t = sprintf("%d.%06d", int($1 / 1000000), $1 % 1000000)
           if ($2 == "datagram") print t, "udp", $3, $4, $5, $6, $7 + 8
           else print t, "icmp", $3, $5, $6, $4 }'
}

UDP_FIELDS="-e frame.time_epoch -e ip.src -e ip.dst -e udp.srcport -e udp.dstport -e udp.length
 -e icmp.type -e icmp.code -e ip.checksum.status -e udp.checksum.status -e icmp.checksum.status
 -e _ws.expert.severity -e _ws.expert.message -e _ws.malformed"

# tshark's UDP and ICMP packets as the same list, and their problems.
check_udp() {
    # shellcheck disable=SC2086 # UDP_FIELDS and NO_DNS are word lists on purpose
    if ! tshark -r "$pcap" -n $NO_DNS -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
            -Y 'udp || icmp' -T fields -E separator=/t \
            -E occurrence=f $UDP_FIELDS >"$tmp/udp.fields" 2>"$tmp/tshark.err"; then
        fail "tshark cannot read the capture's UDP"; show "$tmp/tshark.err"; return
    fi
    udp_want_list "$tmp/trace.jsonl" >"$tmp/udp.want"
    awk -F '\t' '{ split($1, tm, "."); t = tm[1] "." substr(tm[2], 1, 6)
        if ($7 == "") print t, "udp", $2, $4, $3, $5, $6
        else print t, "icmp", $2, $3, $4, $5 }' "$tmp/udp.fields" >"$tmp/udp.got"
    if ! cmp -s "$tmp/udp.want" "$tmp/udp.got"; then
        fail "tshark's UDP/ICMP packets differ from the jsonl datagram and icmp events"
        diff "$tmp/udp.want" "$tmp/udp.got" | sed -n '1,10s/^/    /p'
    fi
    awk -F '\t' '
    $9 != 1 { print NR ": IP checksum status " $9 " (1 = good)"; next }
    $10 != 1 { print NR ": UDP checksum status " $10 " (1 = good)"; next }
    $7 != "" && ($7 != 3 || $8 != 3) { print NR ": ICMP type " $7 " code " $8 ", not port unreachable"; next }
    $7 != "" && $11 != 1 { print NR ": ICMP checksum status " $11 " (1 = good)"; next }
    $14 != "" { print NR ": malformed packet"; next }
    $12 ~ /8388608/ { print NR ": expert error: " $13 }' "$tmp/udp.fields" >"$tmp/udp.bad"
    if [ -s "$tmp/udp.bad" ]; then fail "tshark reports problems in UDP/ICMP (packet: what)"; show "$tmp/udp.bad"; fi
}

check_scenario() {
    before=$fails
    pcap="$tmp/out.pcap"
    rm -f "$pcap"
    if ! "$PORTSIM" run "$scn" --format jsonl --pcap "$pcap" >"$tmp/trace.jsonl" 2>"$tmp/run.err"; then
        fail "portsim run --pcap failed"; show "$tmp/run.err"; return
    fi
    # -2: two passes, so tcp.completeness is each stream's final value.
    # shellcheck disable=SC2086 # FIELDS and NO_DNS are word lists on purpose
    if ! tshark -r "$pcap" -2 -n $NO_DNS -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
            -o tcp.analyze_sequence_numbers:TRUE -Y tcp -T fields -E separator=/t $FIELDS \
            -z conv,tcp >"$tmp/tshark.out" 2>"$tmp/tshark.err"; then
        fail "tshark cannot read the capture"; show "$tmp/tshark.err"; return
    fi
    sed -n '/^=====/q;p' "$tmp/tshark.out" >"$tmp/fields"
    sed -n '/^=====/,$p' "$tmp/tshark.out" >"$tmp/conv"

    want_list "$tmp/trace.jsonl" >"$tmp/want"
    got_list "$tmp/fields" >"$tmp/got"
    if ! cmp -s "$tmp/want" "$tmp/got"; then
        fail "tshark's packets differ from the jsonl segments (time src sport dst dport flags len seq ack)"
        diff "$tmp/want" "$tmp/got" | sed -n '1,10s/^/    /p'
    fi

    bad_packets "$tmp/fields" >"$tmp/bad"
    if [ -s "$tmp/bad" ]; then fail "tshark reports problems (packet: what)"; show "$tmp/bad"; fi

    want_convs "$tmp/want" >"$tmp/want.conv"
    got_convs "$tmp/conv" >"$tmp/got.conv"
    if ! cmp -s "$tmp/want.conv" "$tmp/got.conv"; then
        fail "conv,tcp is not one conversation per connection"
        diff "$tmp/want.conv" "$tmp/got.conv" | sed -n '1,10s/^/    /p'
    fi

    check_udp
    synacks=$(grep -c ' 0x0012 ' "$tmp/want")
    refused=$(grep -c '"kind":"error".*"op":"connect","errno":"ECONNREFUSED"' "$tmp/trace.jsonl")
    set -- $(completeness "$tmp/fields")
    [ "$1" = "$synacks" ] || fail "tshark sees $1 complete handshakes, the trace $synacks SYN-ACKs"
    [ "$2" = "$refused" ] || fail "tshark sees $2 SYN answered by RST, the trace $refused ECONNREFUSED"

    rewrites "$tmp/trace.jsonl" >"$tmp/rewrites"
    missing_rewrites "$tmp/got" "$tmp/rewrites" >"$tmp/missing"
    if [ -s "$tmp/missing" ]; then
        fail "a router's rewrite is not in the capture on both sides (when src sport dst dport flags)"
        show "$tmp/missing"
    fi
    case "$scn" in
    */udp-vs-tcp.scn)
        [ "$(grep -c ' udp ' "$tmp/udp.got")" -ge 4 ] && [ "$(grep -c ' icmp ' "$tmp/udp.got")" -ge 1 ] ||
            fail "expected UDP datagrams and an ICMP port unreachable in the capture";;
    */nat.scn)
        [ -s "$tmp/rewrites" ] || fail "no rewrite by the router in the trace"
        ports=$(awk '$2 == "93.184.216.34:443" && $1 ~ /^203[.]0[.]113[.]5:/ { sub(/.*:/, "", $1); print $1 }' \
                "$tmp/got.conv" | sort -u)
        [ "$(echo "$ports" | wc -l)" = 2 ] && echo "$ports" | grep -qx 50000 ||
            fail "expected two outside conversations from 203.0.113.5 to 93.184.216.34:443, one from 50000, got: $ports";;
    */two-tabs*.scn)
        n=$(grep -c -e "^$SERVER_TABS " -e " $SERVER_TABS\$" "$tmp/got.conv")
        [ "$n" = 2 ] || fail "expected two conversations to $SERVER_TABS, conv,tcp shows $n";;
    */custom-port.scn)
        [ "$2" -ge 1 ] || fail "the refused connection to port 80 is not decoded as SYN then RST";;
    */dual-stack.scn)
        v6=$(awk -F '\t' '$17 != ""' "$tmp/fields" | wc -l)
        v4=$(awk -F '\t' '$2 != ""' "$tmp/fields" | wc -l)
        [ "$v6" -ge 1 ] && [ "$v4" -ge 1 ] ||
            fail "expected IPv4 and IPv6 packets, tshark decodes $v4 and $v6";;
    */http1-vs-http2.scn)
        check_http "$pcap";;
    esac
    [ "$fails" = "$before" ] || return
    echo "ok   $scn: $(wc -l <"$tmp/got") packets, $(wc -l <"$tmp/got.conv") conversations, $1 handshakes, $2 refused, $(grep -c ' udp ' "$tmp/udp.got") datagrams, $(grep -c ' icmp ' "$tmp/udp.got") ICMP"
}

for scn in scenarios/*.scn; do
    start=$(date +%s)
    check_scenario
    took=$(($(date +%s) - start))
    [ "$took" -le "$BUDGET" ] || fail "took ${took}s (budget ${BUDGET}s; PCAP_BUDGET overrides)"
done

# UDP through a router (not a shipped lesson): every datagram and ICMP port
# unreachable the router rewrote (a jsonl "rewrite" event with "proto") is
# decoded twice, as it came and as it left, with good checksums (check_udp);
# the ICMP's quoted datagram carries the inside host's address and port.
udp_rewrites() {
    sed -n 's/^{"t_us":\([0-9]*\),"kind":"rewrite".*"src":"\([0-9.]*\):\([0-9]*\)","dst":"\([0-9.]*\):\([0-9]*\)","proto":"\([a-z]*\)","op":"[a-z]*","nat_src":"\([0-9.]*\):\([0-9]*\)","nat_dst":"\([0-9.]*\):\([0-9]*\)".*/\1 \6 \2 \3 \4 \5 \7 \8 \9/p' "$1" |
    awk '{ t = sprintf("%d.%06d", int($1 / 1000000), $1 % 1000000) }
    $2 == "udp" { print "before", t, "udp", $3, $4, $5, $6; print "at", t, "udp", $7, $8, $9, "*" }
    $2 == "icmp" { print "before", t, "icmp", $3, $5, $6, $4; print "at", t, "icmp", $7, $9, "*", $8 }'
}
cat >"$tmp/udpnat.scn" <<'EOF'
host   laptop1 192.168.1.10
router home    inside 192.168.1.1/24 outside 203.0.113.5 masquerade
host   server  93.184.216.34
link   laptop1 home 1ms
link   home    server 20ms
proc server  dns  pid=53  user=root
proc laptop1 dig pid=4242 user=alice
at 0ms server dns udp bind 53 as d reply "A 1.2.3.4"
at 100ms laptop1 dig udp connect 93.184.216.34:53 as q
at 110ms q send "A example.com"
at 200ms laptop1 dig udp connect 93.184.216.34:54 as c
at 210ms c send "hello"
EOF
scn="$tmp/udpnat.scn"
check_scenario
udp_rewrites "$tmp/trace.jsonl" >"$tmp/udp.rewrites"
[ "$(grep -c '^at .* udp ' "$tmp/udp.rewrites")" = 3 ] && [ "$(grep -c '^at .* icmp ' "$tmp/udp.rewrites")" = 1 ] ||
    fail "udpnat.scn: expected three datagrams and an ICMP port unreachable rewritten by the router"
# got: "T udp src sport dst dport len" / "T icmp src dst qsport qdport"; a
# rewritten datagram's port the router chose is "*" when it is the dynamic one
awk 'NR == FNR { pk[NR] = $0; n = NR; next }
    { found = 0
      for (i = 1; i <= n && !found; i++) {
          split(pk[i], p, " ")
          if (p[2] != $3) continue
          ok = 1
          for (j = 4; j <= 7; j++) if ($j != "*" && p[j - 1] != $j) ok = 0
          if (ok && ($1 == "at" ? p[1] == $2 : p[1] + 0 <= $2 + 0)) found = 1
      }
      if (!found) print }' "$tmp/udp.got" "$tmp/udp.rewrites" >"$tmp/udp.missing"
if [ -s "$tmp/udp.missing" ]; then
    fail "udpnat.scn: a router's datagram rewrite is not in the capture on both sides"; show "$tmp/udp.missing"
fi
grep -q ' icmp 93.184.216.34 192.168.1.10 [0-9]* 54$' "$tmp/udp.got" ||
    fail "udpnat.scn: the ICMP port unreachable is not translated back to 192.168.1.10 (quoting its datagram)"

# A capture that cannot be created is a clear error and exit code 1.
scn="(unwritable path)"
"$PORTSIM" run scenarios/two-tabs.scn --format none --pcap "$tmp/no/such/dir/x.pcap" 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] || fail "exit code $rc, expected 1"
grep -q "cannot write $tmp/no/such/dir/x.pcap: No such file or directory" "$tmp/err" ||
    { fail "unclear message:"; show "$tmp/err"; }

# The budget rule itself: 15 s for a plain build, 5x under sanitizers.
scn="(time budget)"
printf 'ELF __asan_init\n' >"$tmp/asan-bin"
printf 'ELF main\n' >"$tmp/plain-bin"
b_asan=$(unset PCAP_BUDGET; budget_for "$tmp/asan-bin")
b_plain=$(unset PCAP_BUDGET; budget_for "$tmp/plain-bin")
[ "$b_asan" = 75 ] && [ "$b_plain" = 15 ] ||
    fail "budget ${b_plain}s for a plain build and ${b_asan}s under sanitizers, expected 15 and 75"
echo "ok   time budget: ${BUDGET}s per scenario for $PORTSIM (15 plain, 75 under sanitizers)"

if [ "$fails" -ne 0 ]; then
    echo "pcap_tshark.sh: $fails failure(s)"
    exit 1
fi
echo "pcap_tshark.sh: all captures read back correctly"
