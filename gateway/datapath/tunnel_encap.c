/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encapsulation (VXLAN RFC 7348, NVGRE RFC 7637) with the per-(VTEP,
 * segment, next hop) template the control thread compiled: the worker picks
 * the ECMP path by flow hash, prepends the template and lets encap_write()
 * patch lengths, checksums, entropy (UDP source port / FlowID) and ECN/DSCP
 * (RFC 6040 §4.1). A frame that would exceed the uplink MTU once
 * encapsulated is dropped and counted: never fragmented (RFC 7348 §4.3).
 */
#include <sys/socket.h>

#include "datapath/datapath.h"
#include "encap/checksum.h"
#include "encap/ecn.h"
#include "encap/entropy.h"

#define ENCAP_HASH_BYTES 128

/* Sum of the whole inner frame, for the mandatory IPv6 UDP checksum. */
static int inner_sum(struct dp_ctx *ctx, const struct rte_mbuf *m, uint32_t *sum)
{
	const uint8_t *p;

	if (m->nb_segs == 1) {
		*sum = checksum_partial(rte_pktmbuf_mtod(m, const void *), m->data_len, 0);
		return 0;
	}
	/* segments may have odd lengths: sum a linear copy (R6) */
	if (m->pkt_len > sizeof(ctx->scratch))
		return -1;
	p = rte_pktmbuf_read(m, 0, m->pkt_len, ctx->scratch);
	if (p == NULL)
		return -1;
	*sum = checksum_partial(p, m->pkt_len, 0);
	return 0;
}

void tunnel_encap_send(struct dp_ctx *ctx, struct rte_mbuf *m, uint16_t segment, uint32_t vtep)
{
	const struct gw_vtep_forwarding *f =
		__atomic_load_n(&gw.vteps[vtep].forwarding, __ATOMIC_ACQUIRE);
	uint8_t head[ENCAP_HASH_BYTES];
	uint32_t inner_len = m->pkt_len, hash, sum = 0, head_len;
	const struct encap_template *tmpl;
	const struct gw_port *uplink;
	const uint8_t *h;
	uint16_t path = 0, overhead;
	uint8_t tos;
	uint8_t *out;

	if (f == NULL) {
		dp_drop(ctx, m, GW_DROP_VTEP_UNRESOLVED);
		return;
	}
	head_len = inner_len < ENCAP_HASH_BYTES ? inner_len : ENCAP_HASH_BYTES;
	h = rte_pktmbuf_read(m, 0, head_len, head);
	if (h == NULL) {
		dp_drop(ctx, m, GW_DROP_TRUNCATED);
		return;
	}
	hash = flow_hash_frame(h, head_len);
	tos = frame_inner_tos(h, head_len);
	if (f->n_paths > 1)
		path = (uint16_t)(hash % f->n_paths);
	tmpl = &f->templates[(size_t)segment * f->n_paths + path];
	uplink = &gw.ports[f->port_id[path]];
	if (tmpl->len == 0) {
		dp_drop(ctx, m, GW_DROP_ENCAP_FAILED);
		return;
	}
	/* outer L3 length = template without its Ethernet (and tag) + inner */
	overhead = (uint16_t)(tmpl->len - tmpl->l3_offset);
	if (inner_len + overhead > uplink->mtu) {
		dp_drop(ctx, m, GW_DROP_OVERSIZE);
		return;
	}
	if (tmpl->family == AF_INET6 && inner_sum(ctx, m, &sum) < 0) {
		dp_drop(ctx, m, GW_DROP_ENCAP_FAILED);
		return;
	}
	out = (uint8_t *)rte_pktmbuf_prepend(m, tmpl->len);
	if (out == NULL) {
		/* no headroom (a copied or odd mbuf): a header mbuf in front */
		struct rte_mbuf *hdr = rte_pktmbuf_alloc(gw.pool);
		if (hdr == NULL) {
			dp_drop(ctx, m, GW_DROP_NO_MBUF);
			return;
		}
		out = (uint8_t *)rte_pktmbuf_append(hdr, tmpl->len);
		if (out == NULL || rte_pktmbuf_chain(hdr, m) != 0) {
			rte_pktmbuf_free(hdr);
			dp_drop(ctx, m, GW_DROP_NO_MBUF);
			return;
		}
		m = hdr;
	}
	if (encap_write(tmpl, out, inner_len, hash, tos, sum) < 0) {
		dp_drop(ctx, m, GW_DROP_OVERSIZE);
		return;
	}
	ctx->counters->vtep[vtep].tx.packets++;
	ctx->counters->vtep[vtep].tx.bytes += m->pkt_len;
	ctx->counters->segment[segment].tx.packets++;
	ctx->counters->segment[segment].tx.bytes += inner_len;
	port_tx_enqueue(ctx, uplink->port_id, m);
}
