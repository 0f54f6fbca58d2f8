/* Shared by the inventory fuzz targets: the input is an inventory text,
 * optionally followed by a NUL and a host pattern; after loading, the
 * pattern (or a fixed set) is evaluated and every host's variables, the
 * `groups` variable and the Python repr of variables are computed. */
#ifndef DROVER_FUZZ_INVENTORY_COMMON_H
#define DROVER_FUZZ_INVENTORY_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "inventory/inventory.h"
#include "inventory/pylit.h"
#include "template/pyval.h"

static void fuzz_inventory_select(struct inventory *inv, const char *pattern, const char *limit)
{
	struct inv_host **hosts = NULL;
	struct diag d;
	size_t n = 0;

	diag_init(&d);
	if (inventory_select(inv, pattern, limit ? &limit : NULL, limit ? 1 : 0, &hosts, &n, &d) == 0)
		free(hosts);
	diag_fini(&d);
}

static void fuzz_inventory_run(const uint8_t *data, size_t size, enum inv_format fmt)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t textlen = nul ? (size_t)(nul - data) : size;
	char *pattern = nul ? xstrndup((const char *)nul + 1, size - textlen - 1) : NULL;
	struct inventory *inv = NULL;
	struct inv_host *const *hosts;
	struct value *v;
	struct diag d;
	struct buf b;
	size_t i, n;

	log_set_verbosity(-3);
	diag_init(&d);
	if (inventory_load_text(&inv, (const char *)data, textlen, "fuzz", fmt, &d) == 0) {
		if (pattern != NULL) {
			fuzz_inventory_select(inv, pattern, NULL);
			fuzz_inventory_select(inv, "all", pattern);
		} else {
			fuzz_inventory_select(inv, "all:!ungrouped", NULL);
			fuzz_inventory_select(inv, "*[1:]", "localhost");
		}
		hosts = inventory_hosts(inv, &n);
		for (i = 0; i < n && i < 64; i++) {
			v = inventory_host_vars(inv, hosts[i]);
			buf_init(&b, (size_t)1 << 20);
			pyval_repr(NULL, &b, v);
			buf_fini(&b);
			value_unref(v);
		}
		v = inventory_groups_var(inv);
		value_unref(v);
		inventory_free(inv);
	}
	diag_fini(&d);
	free(pattern);
}

#endif
