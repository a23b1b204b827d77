/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uplink input. decap_parse() runs the checks in order (lengths, IP, UDP or
 * GRE, tunnel flags, inner frame; each failure its own counter). Then:
 *   - not a tunnel packet for us: to the kernel through the TAP twin, if it
 *     is addressed to us at all (our addresses, multicast, link-local);
 *     IP unicast for someone else is dropped (not_local);
 *   - VNI/VSID -> segment, else unknown_segment;
 *   - the sender must be a VTEP we know, unless the segment learns from the
 *     data plane (DESIGN.md), else unknown_vtep;
 *   - RFC 6040 §4.2 ECN decapsulation (outer CE on a Not-ECT inner: drop);
 *   - data-plane learning of the inner source behind the sending VTEP;
 *   - delivery to local members only (split horizon).
 * Chained mbufs (R6) are parsed from a linear copy and rebuilt.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_hash.h>

#include "control/control.h"
#include "datapath/datapath.h"
#include "encap/ecn.h"

static bool address_is_local(int family, const uint8_t *addr)
{
	for (unsigned i = 0; i < gw.n_local_addresses; i++) {
		const struct gw_local_address *a = &gw.local_addresses[i];
		if (a->family == family && memcmp(a->bytes, addr, family == AF_INET ? 4 : 16) == 0)
			return true;
	}
	return false;
}

/* For IP not addressed to our VTEP: is it for this box (kernel) at all? */
static bool ip_for_us(const uint8_t *frame, uint32_t len)
{
	uint32_t l3 = RTE_ETHER_HDR_LEN;
	uint16_t type;

	if (len < RTE_ETHER_HDR_LEN)
		return false;
	if (frame[0] & 1)
		return true; /* broadcast/multicast frame: the kernel decides */
	type = (uint16_t)frame[12] << 8 | frame[13];
	if (type == RTE_ETHER_TYPE_VLAN && len >= RTE_ETHER_HDR_LEN + 4) {
		type = (uint16_t)frame[16] << 8 | frame[17];
		l3 += 4;
	}
	if (type == RTE_ETHER_TYPE_IPV4 && len >= l3 + 20) {
		const uint8_t *dst = frame + l3 + 16;
		return dst[0] >= 224 || address_is_local(AF_INET, dst);
	}
	if (type == RTE_ETHER_TYPE_IPV6 && len >= l3 + 40) {
		const uint8_t *dst = frame + l3 + 24;
		if (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80))
			return true; /* multicast (ND) or link-local */
		return address_is_local(AF_INET6, dst);
	}
	return true;
}

/* A fresh mbuf chain holding bytes[0..len) (R6 rebuild). */
static struct rte_mbuf *mbuf_from_bytes(const uint8_t *bytes, uint32_t len)
{
	struct rte_mbuf *head = NULL;

	do {
		struct rte_mbuf *seg = rte_pktmbuf_alloc(gw.pool);
		uint32_t n;
		char *p;

		if (seg == NULL)
			goto err;
		n = rte_pktmbuf_tailroom(seg);
		if (n > len)
			n = len;
		p = rte_pktmbuf_append(seg, (uint16_t)n);
		memcpy(p, bytes, n);
		bytes += n;
		len -= n;
		if (head == NULL)
			head = seg;
		else if (rte_pktmbuf_chain(head, seg) != 0) {
			rte_pktmbuf_free(seg);
			goto err;
		}
	} while (len > 0);
	return head;
err:
	rte_pktmbuf_free(head);
	return NULL;
}

static int vtep_lookup(const struct decap_result *r, struct conf_ip *address)
{
	void *data;

	memset(address, 0, sizeof(*address));
	address->family = r->family;
	if (r->family == AF_INET)
		address->v4 = r->src.v4;
	else
		address->v6 = r->src.v6;
	if (rte_hash_lookup_data(gw.vtep_by_address, address, &data) < 0)
		return -1;
	return (int)(uintptr_t)data;
}

void uplink_input(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t port_id)
{
	const struct gw_port *port = &gw.ports[port_id];
	struct decap_result r;
	enum decap_verdict verdict;
	uint32_t len = m->pkt_len;
	bool linear = m->nb_segs == 1;
	uint8_t *frame;
	int segment, vtep;
	struct conf_ip vtep_address;

	if (linear) {
		frame = rte_pktmbuf_mtod(m, uint8_t *);
	} else {
		if (len > sizeof(ctx->scratch)) {
			dp_drop(ctx, m, GW_DROP_OVERSIZE);
			return;
		}
		frame = ctx->scratch;
		rte_pktmbuf_read(m, 0, len, frame);
	}
	if (len < RTE_ETHER_HDR_LEN) {
		dp_drop(ctx, m, GW_DROP_DECAP_TRUNCATED_ETHERNET);
		return;
	}
	if (!(frame[0] & 1) && memcmp(frame, port->mac.addr_bytes, 6) != 0) {
		dp_drop(ctx, m, GW_DROP_NOT_OUR_MAC);
		return;
	}
	verdict = decap_parse(frame, len, &gw.decap_policy, &r);
	switch (verdict) {
	case DECAP_OK:
		break;
	case DECAP_PASS_NOT_TUNNEL:
	case DECAP_PASS_NOT_IP:
		punt_to_tap(ctx, m, port_id);
		return;
	case DECAP_PASS_NOT_VTEP:
		if (ip_for_us(frame, len))
			punt_to_tap(ctx, m, port_id);
		else
			dp_drop(ctx, m, GW_DROP_NOT_LOCAL);
		return;
	default:
		/* the decap verdicts come first in enum gw_drop */
		dp_drop(ctx, m, (enum gw_drop)verdict);
		return;
	}

	segment = segment_index_by_id(
		&gw, r.type == TUNNEL_NVGRE ? CONF_SEGMENT_NVGRE : CONF_SEGMENT_VXLAN,
		r.segment_id);
	if (segment < 0) {
		dp_drop(ctx, m, GW_DROP_UNKNOWN_SEGMENT);
		return;
	}
	const struct gw_segment *s = &gw.segments[segment];
	vtep = vtep_lookup(&r, &vtep_address);
	if (vtep < 0 && s->learning != CONF_LEARNING_DATAPLANE) {
		dp_drop(ctx, m, GW_DROP_UNKNOWN_VTEP);
		return;
	}
	if (ecn_decap_frame(frame + r.inner_offset, r.inner_len, r.outer_tos) < 0) {
		dp_drop(ctx, m, GW_DROP_ECN_DECAP);
		return;
	}
	if (vtep >= 0) {
		ctx->counters->vtep[vtep].rx.packets++;
		ctx->counters->vtep[vtep].rx.bytes += len;
	}
	ctx->counters->segment[segment].rx.packets++;
	ctx->counters->segment[segment].rx.bytes += r.inner_len;

	if (linear) {
		rte_pktmbuf_adj(m, r.inner_offset);
		if (m->pkt_len > r.inner_len)
			rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - r.inner_len));
	} else {
		struct rte_mbuf *inner = mbuf_from_bytes(frame + r.inner_offset, r.inner_len);
		if (inner == NULL) {
			dp_drop(ctx, m, GW_DROP_NO_MBUF);
			return;
		}
		rte_pktmbuf_free(m);
		m = inner;
	}
	if (s->learning == CONF_LEARNING_DATAPLANE) {
		struct rte_ether_addr src;
		memcpy(src.addr_bytes, frame + r.inner_offset + 6, 6);
		if (!l2_learn(ctx, (uint16_t)segment, &src,
			      GW_DEST(GW_DEST_VTEP, vtep >= 0 ? (uint32_t)vtep : UINT32_MAX),
			      &vtep_address)) {
			dp_drop(ctx, m, GW_DROP_MAC_LIMIT);
			return;
		}
	}
	l2_forward(ctx, m, (uint16_t)segment, GW_NO_MEMBER);
}
