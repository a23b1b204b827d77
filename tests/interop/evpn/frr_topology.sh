# SPDX-License-Identifier: BSD-3-Clause
# Shell helpers for the EVPN interop test: two network namespaces joined by a
# veth underlay, each running its own FRR (zebra + bgpd) with its own pathspace
# (-N), so several runs can share the machine. Sourced, not executed.
#
# Names derive from $EVPN_RUN (unique per run): namespaces ${EVPN_RUN}a/b/h,
# FRR pathspaces ${EVPN_RUN}a/b under /var/run/frr, logs under $EVPN_DIR.

FRR_LIBEXEC=${FRR_LIBEXEC:-/usr/lib/frr}
VTEP_A=10.99.0.1
VTEP_B=10.99.0.2
ASN=65000

topology_create() {
	ip netns add "${EVPN_RUN}a"
	ip netns add "${EVPN_RUN}b"
	ip netns add "${EVPN_RUN}h"
	ip -n "${EVPN_RUN}a" link set lo up
	ip -n "${EVPN_RUN}b" link set lo up
	ip -n "${EVPN_RUN}h" link set lo up
	# The underlay: one veth, the VTEP addresses on its ends.
	ip link add ul0 netns "${EVPN_RUN}a" type veth peer name ul0 netns "${EVPN_RUN}b"
	ip -n "${EVPN_RUN}a" addr add "$VTEP_A/24" dev ul0
	ip -n "${EVPN_RUN}b" addr add "$VTEP_B/24" dev ul0
	ip -n "${EVPN_RUN}a" link set ul0 up
	ip -n "${EVPN_RUN}b" link set ul0 up
}

# B: a plain Linux VTEP as FRR's documentation configures one (bridge, vxlan
# with learning off, a veth to the host namespace). $1 = VNI.
vtep_b_segment() {
	local vni=$1 ns="${EVPN_RUN}b"
	ip -n "$ns" link add "br$vni" type bridge
	ip -n "$ns" link add "vni$vni" type vxlan id "$vni" local "$VTEP_B" dstport 4789 nolearning
	ip -n "$ns" link set "vni$vni" master "br$vni" addrgenmode none
	ip -n "$ns" link set "br$vni" addrgenmode none
	ip link add "hp$vni" netns "$ns" type veth peer name eth0 netns "${EVPN_RUN}h"
	ip -n "$ns" link set "hp$vni" master "br$vni"
	ip -n "${EVPN_RUN}h" link set eth0 address 02:00:00:00:b0:01
	# The host speaks only when told to (no IPv6 DAD or RS at link up).
	ip netns exec "${EVPN_RUN}h" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
	ip -n "${EVPN_RUN}h" addr add 192.168.100.2/24 dev eth0
	for dev in "br$vni" "vni$vni" "hp$vni"; do ip -n "$ns" link set "$dev" up; done
	ip -n "${EVPN_RUN}h" link set eth0 up
}

# $1 = a|b, $2 = router id / VTEP, $3 = neighbour
frr_start() {
	local side=$1 id=$2 peer=$3
	local name="${EVPN_RUN}$side" dir="$EVPN_DIR/$side"
	mkdir -p "$dir" "/var/run/frr/$name"
	chown frr:frr "$dir" "/var/run/frr/$name"
	cat >"$dir/frr.conf" <<CONF
frr defaults datacenter
hostname $name
log file $dir/frr.log
!
router bgp $ASN
 bgp router-id $id
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor $peer remote-as $ASN
 neighbor $peer timers connect 1
 address-family l2vpn evpn
  neighbor $peer activate
  advertise-all-vni
 exit-address-family
!
CONF
	chown frr:frr "$dir/frr.conf"
	frr_start_daemon "$side" zebra
	frr_start_daemon "$side" bgpd
}

# $1 = a|b, $2 = zebra|bgpd
frr_start_daemon() {
	local side=$1 daemon=$2 name="${EVPN_RUN}$1" dir="$EVPN_DIR/$1"
	ip netns exec "$name" "$FRR_LIBEXEC/$daemon" -d -N "$name" -f "$dir/frr.conf" \
		-i "/var/run/frr/$name/$daemon.pid" >>"$dir/$daemon.out" 2>&1
}

frr_stop_daemon() {
	local name="${EVPN_RUN}$1" pidfile pid
	pidfile="/var/run/frr/$name/$2.pid"
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

vty() { # $1 = a|b, then the command
	local side=$1
	shift
	vtysh -N "${EVPN_RUN}$side" -c "$*" 2>/dev/null
}

topology_destroy() {
	for side in a b; do
		frr_stop_daemon "$side" bgpd
		frr_stop_daemon "$side" zebra
		rm -rf "/var/run/frr/${EVPN_RUN}$side"
	done
	for ns in a b h; do ip netns del "${EVPN_RUN}$ns" 2>/dev/null || true; done
}
