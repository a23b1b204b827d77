/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RCU publication (QSBR). Workers report a quiescent state once per loop
 * iteration and go offline while they sleep; the control thread swaps a
 * pointer, waits with rcu_synchronize() until every worker has passed a
 * quiescent state, then frees the old object. The FDB and VTEP hashes use
 * the same variable for their deferred slot reclamation, so a worker never
 * reads a key slot that was reused under it.
 */
#include <errno.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "control/control.h"

int rcu_init(struct gw *g)
{
	size_t size = rte_rcu_qsbr_get_memsize(GW_MAX_WORKERS);

	g->qsbr = rte_zmalloc("qsbr", size, RTE_CACHE_LINE_SIZE);
	if (g->qsbr == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(g->qsbr, GW_MAX_WORKERS) != 0) {
		rte_free(g->qsbr);
		g->qsbr = NULL;
		return -EINVAL;
	}
	return 0;
}

void rcu_synchronize(struct gw *g)
{
	rte_rcu_qsbr_synchronize(g->qsbr, RTE_QSBR_THRID_INVALID);
}

void rcu_free(struct gw *g)
{
	rte_free(g->qsbr);
	g->qsbr = NULL;
}
