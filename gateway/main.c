/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtepgw: arguments, configuration, EAL initialisation, wiring of the control
 * tables and the workers, signals, and an orderly shutdown.
 *
 *   vtepgw --check-config FILE       validate only, never touches DPDK
 *   vtepgw -c FILE [-- EAL args]     run
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "conf/model.h"
#include "control/control.h"
#include "datapath/datapath.h"
#include "gateway.h"
#include "routing/netlink_mirror.h"

struct gw gw;

static void usage(FILE *out)
{
	fprintf(out, "usage: vtepgw -c FILE [-- EAL arguments]\n"
		     "       vtepgw --check-config FILE\n"
		     "  -c, --config FILE        configuration (libconfig)\n"
		     "  -C, --check-config FILE  validate FILE, print a summary, exit\n"
		     "  -l, --log-level LEVEL    DPDK log level (1..8, default 6 = notice)\n"
		     "  -h, --help\n");
}

static int load_config(const char *path, struct conf_model **model)
{
	struct conf_errors errors = {0};

	if (conf_load(path, model, &errors) < 0) {
		if (errors.n == 0)
			fprintf(stderr, "%s: cannot load configuration: %s\n", path,
				strerror(errno));
		conf_errors_print(&errors, stderr);
		conf_errors_clear(&errors);
		return -1;
	}
	conf_errors_clear(&errors);
	return 0;
}

static void on_signal(int signo)
{
	(void)signo;
	gw.stop = true;
}

/* EAL argv: program, -l LCORES, the config's eal_args, then what followed
 * `--` on our command line. PCI ports are allow-listed so that the EAL does
 * not take every NIC of the machine. */
static char **eal_argv_build(const struct conf_model *conf, int extra_argc, char **extra_argv,
			     int *argc_out)
{
	size_t max = 4 + conf->dpdk.n_eal_args + 2 * conf->n_ports + (size_t)extra_argc;
	char **argv = calloc(max + 1, sizeof(*argv));
	int argc = 0;

	if (argv == NULL)
		return NULL;
	argv[argc++] = (char *)(uintptr_t) "vtepgw";
	if (conf->dpdk.lcores[0] != '\0') {
		argv[argc++] = (char *)(uintptr_t) "-l";
		argv[argc++] = (char *)(uintptr_t)conf->dpdk.lcores;
	}
	for (size_t i = 0; i < conf->dpdk.n_eal_args; i++)
		argv[argc++] = conf->dpdk.eal_args[i];
	for (size_t i = 0; i < conf->n_ports; i++) {
		const char *dev = conf->ports[i].device;
		if (strncmp(dev, "net_", 4) != 0 && strncmp(dev, "eth_", 4) != 0) {
			argv[argc++] = (char *)(uintptr_t) "-a";
			argv[argc++] = (char *)(uintptr_t)dev;
		}
	}
	for (int i = 0; i < extra_argc; i++)
		argv[argc++] = extra_argv[i];
	argv[argc] = NULL;
	*argc_out = argc;
	return argv;
}

/* Workers take every lcore but the main one; each gets a TX queue per port
 * and the RX queues port by port (queue q goes to worker q % n_workers). */
static int workers_assign(struct gw *g, char *err, size_t err_size)
{
	unsigned lcore_id;

	g->n_workers = 0;
	RTE_LCORE_FOREACH_WORKER (lcore_id) {
		if (g->n_workers == GW_MAX_WORKERS)
			break;
		g->workers[g->n_workers].lcore_id = lcore_id;
		g->workers[g->n_workers].index = g->n_workers;
		g->n_workers++;
	}
	if (g->n_workers == 0) {
		snprintf(err, err_size,
			 "dpdk.lcores gives no worker lcore: use at least two, e.g. \"0-1\"");
		return -EINVAL;
	}
	return 0;
}

static void workers_plan_rx(struct gw *g)
{
	for (unsigned w = 0; w < g->n_workers; w++)
		g->workers[w].n_rx = 0;
	for (uint16_t p = 0; p < GW_MAX_PORTS; p++) {
		struct gw_port *port = &g->ports[p];
		if (port->kind == GW_PORT_UNUSED)
			continue;
		for (uint16_t q = 0; q < port->n_rx_queues; q++) {
			struct gw_worker *w = &g->workers[q % g->n_workers];
			w->rx[w->n_rx].port_id = p;
			w->rx[w->n_rx].queue_id = q;
			w->n_rx++;
		}
	}
}

static int counters_alloc(struct gw *g)
{
	unsigned lcore_id;

	RTE_LCORE_FOREACH(lcore_id)
	{
		struct gw_lcore_counters *c =
			rte_zmalloc("counters", sizeof(*c), RTE_CACHE_LINE_SIZE);
		if (c == NULL)
			return -ENOMEM;
		c->segment =
			rte_zmalloc("segment_counters", sizeof(*c->segment) * (g->n_segments + 1u),
				    RTE_CACHE_LINE_SIZE);
		c->vtep = rte_zmalloc("vtep_counters", sizeof(*c->vtep) * GW_MAX_VTEPS,
				      RTE_CACHE_LINE_SIZE);
		g->counters[lcore_id] = c;
		if (c->segment == NULL || c->vtep == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void counters_free(struct gw *g)
{
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		if (g->counters[i] == NULL)
			continue;
		rte_free(g->counters[i]->segment);
		rte_free(g->counters[i]->vtep);
		rte_free(g->counters[i]);
		g->counters[i] = NULL;
	}
}

static void decap_policy_build(struct gw *g)
{
	const struct conf_gateway *c = &g->conf->gateway;
	struct decap_policy *p = &g->decap_policy;

	memset(p, 0, sizeof(*p));
	p->vxlan_udp_port = c->vxlan_port;
	p->vxlan_strict = c->vxlan_strict;
	if (c->vtep_v4.family == AF_INET) {
		p->have_v4 = true;
		p->local_v4 = c->vtep_v4.v4;
	}
	if (c->vtep_v6.family == AF_INET6) {
		p->have_v6 = true;
		p->local_v6 = c->vtep_v6.v6;
	}
	/* Inner frames must not claim the MAC of our first uplink (R5). */
	for (uint16_t i = 0; i < GW_MAX_PORTS; i++) {
		if (g->ports[i].kind == GW_PORT_UPLINK) {
			memcpy(p->local_mac, g->ports[i].mac.addr_bytes, 6);
			break;
		}
	}
}

/* Setup in order; each step that succeeded is undone under `err` (and by
 * gw_teardown on the normal exit). */
enum setup_step {
	STEP_NONE,
	STEP_POOL,
	STEP_RCU,
	STEP_STORE,
	STEP_PORTS,
	STEP_SEGMENTS,
	STEP_COUNTERS,
	STEP_VTEPS,
	STEP_FDB,
	STEP_MIRROR,
};

/* Undo every step reached; each free function accepts a partly built
 * table, so a step that failed half-way is undone too. */
static void gw_teardown(struct gw *g, enum setup_step done, struct netlink_mirror *mirror)
{
	if (done >= STEP_MIRROR && mirror != NULL)
		netlink_mirror_close(mirror);
	if (done >= STEP_FDB)
		fdb_free(g);
	if (done >= STEP_VTEPS)
		vteps_free(g);
	if (done >= STEP_COUNTERS)
		counters_free(g);
	if (done >= STEP_SEGMENTS)
		segments_free(g);
	if (done >= STEP_PORTS)
		ports_close(g);
	if (done >= STEP_STORE)
		store_sync_close(g);
	if (done >= STEP_RCU)
		rcu_free(g);
	if (done >= STEP_POOL) {
		rte_ring_free(g->learn_ring);
		rte_mempool_free(g->pool);
	}
}

static void mirror_on_change(void *arg)
{
	(void)arg;
	vteps_mark_dirty();
}
static void mirror_link(void *arg, bool add, const struct netlink_link *l)
{
	(void)add, (void)l;
	mirror_on_change(arg);
}
static void mirror_route(void *arg, bool add, const struct netlink_route *r)
{
	(void)add, (void)r;
	mirror_on_change(arg);
}
static void mirror_neighbour(void *arg, bool add, const struct netlink_neighbour *n)
{
	(void)add, (void)n;
	mirror_on_change(arg);
}
static void mirror_address(void *arg, bool add, const struct netlink_address *a)
{
	(void)add, (void)a;
	mirror_on_change(arg);
}

static const struct netlink_mirror_ops mirror_ops = {
	.link = mirror_link,
	.address = mirror_address,
	.route = mirror_route,
	.neighbour = mirror_neighbour,
};

static int gw_run(struct gw *g)
{
	char err[512] = "";
	enum setup_step done = STEP_NONE;
	struct netlink_mirror *mirror = NULL;
	const struct conf_model *conf = g->conf;
	int ret;

	ret = workers_assign(g, err, sizeof(err));
	if (ret < 0)
		goto err;

	done = STEP_POOL;
	g->pool = rte_pktmbuf_pool_create("mbufs", conf->dpdk.mbufs ? conf->dpdk.mbufs : 8191, 256,
					  0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	g->learn_ring = rte_ring_create_elem("learn", sizeof(struct gw_learn), GW_LEARN_RING_SIZE,
					     rte_socket_id(), RING_F_SC_DEQ);
	if (g->pool == NULL || g->learn_ring == NULL) {
		snprintf(err, sizeof(err), "cannot allocate mbufs or the learn ring: %s",
			 rte_strerror(rte_errno));
		ret = -ENOMEM;
		goto err;
	}
	done = STEP_RCU;
	ret = rcu_init(g);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot create the RCU state: %s", strerror(-ret));
		goto err;
	}
	done = STEP_STORE;
	ret = store_sync_open(g, err, sizeof(err));
	if (ret < 0)
		goto err;
	done = STEP_PORTS;
	ret = ports_open(g, err, sizeof(err));
	if (ret < 0)
		goto err;
	done = STEP_SEGMENTS;
	ret = segments_build(g, err, sizeof(err));
	if (ret < 0)
		goto err;
	done = STEP_COUNTERS;
	ret = counters_alloc(g);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot allocate counters");
		goto err;
	}
	done = STEP_VTEPS;
	ret = vteps_init(g);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot create the VTEP table: %s", strerror(-ret));
		goto err;
	}
	done = STEP_FDB;
	ret = fdb_init(g);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot create the FDB: %s", strerror(-ret));
		goto err;
	}
	decap_policy_build(g);
	ret = tap_addresses_apply(g, err, sizeof(err));
	if (ret < 0)
		goto err;
	ret = flood_build(g, err, sizeof(err));
	if (ret < 0)
		goto err;
	ret = netlink_mirror_open(&mirror,
				  NETLINK_MIRROR_LINKS | NETLINK_MIRROR_ADDRESSES |
					  NETLINK_MIRROR_ROUTES | NETLINK_MIRROR_NEIGHBOURS,
				  &mirror_ops, g);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot open the netlink mirror: %s", strerror(-ret));
		mirror = NULL;
		goto err;
	}
	done = STEP_MIRROR;
	ret = netlink_mirror_dump(mirror);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot dump kernel routes: %s", strerror(-ret));
		goto err;
	}
	vteps_set_mirror(mirror);
	ret = fdb_static_from_config(g, err, sizeof(err));
	if (ret < 0)
		goto err;
	store_sync_restore(g);
	vteps_resolve_pending(g);
	ret = telemetry_register(g);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot register telemetry commands: %s",
			 strerror(-ret));
		goto err;
	}

	workers_plan_rx(g);
	for (unsigned w = 0; w < g->n_workers; w++) {
		ret = rte_eal_remote_launch(worker_main, &g->workers[w], g->workers[w].lcore_id);
		if (ret < 0) {
			g->stop = true;
			rte_eal_mp_wait_lcore();
			snprintf(err, sizeof(err), "cannot launch worker on lcore %u",
				 g->workers[w].lcore_id);
			goto err;
		}
	}
	GW_LOG(NOTICE, "running: %u worker(s), %u segment(s), %u member(s)", g->n_workers,
	       g->n_segments, g->n_members);

	ret = control_loop_run(g, mirror);

	g->stop = true;
	rte_eal_mp_wait_lcore();
	GW_LOG(NOTICE, "stopping: writing learned state to LMDB");
	fdb_drain_learn_ring(g);
	store_sync_all_fdb(g);
	vteps_set_mirror(NULL);
	gw_teardown(g, done, mirror);
	return ret < 0 ? 1 : 0;

err:
	fprintf(stderr, "vtepgw: refusing to start: %s\n", err[0] ? err : strerror(-ret));
	vteps_set_mirror(NULL);
	gw_teardown(g, done, mirror);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", required_argument, NULL, 'C'},
		{"log-level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	bool check_only = false;
	int log_level = RTE_LOG_NOTICE;
	struct conf_model *model = NULL;
	int opt, eal_argc, ret, extra_argc;
	char **eal_argv, **extra_argv;

	while ((opt = getopt_long(argc, argv, "+c:C:l:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			config = optarg;
			check_only = true;
			break;
		case 'l':
			log_level = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (config == NULL) {
		usage(stderr);
		return 2;
	}
	/* getopt stops at `--`; what follows goes to the EAL. */
	extra_argc = argc - optind;
	extra_argv = argv + optind;

	if (load_config(config, &model) < 0)
		return 1;
	if (check_only) {
		conf_print_summary(model, stdout);
		conf_free(model);
		return 0;
	}

	eal_argv = eal_argv_build(model, extra_argc, extra_argv, &eal_argc);
	if (eal_argv == NULL) {
		conf_free(model);
		return 1;
	}
	rte_log_set_global_level((uint32_t)log_level);
	ret = rte_eal_init(eal_argc, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "vtepgw: refusing to start: DPDK EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		free(eal_argv);
		conf_free(model);
		return 1;
	}
	rte_log_set_global_level((uint32_t)log_level);

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);

	gw.conf = model;
	ret = gw_run(&gw);

	rte_eal_cleanup();
	free(eal_argv);
	conf_free(model);
	return ret;
}
