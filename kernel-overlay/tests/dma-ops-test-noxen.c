// SPDX-License-Identifier: GPL-2.0
/*
 * Without CONFIG_XEN the overlay must compile against a dev_archdata that
 * has no preserved-ops member, and xen_preserve_dma_ops() changes nothing.
 */
#include <stdio.h>
#include <xen/arm/dma-ops.h>

int test_xen_initial_domain = 1;
const struct dma_map_ops test_arch_default_ops = { "default", NULL };
const struct dma_map_ops *xen_dma_ops = &test_arch_default_ops;

int main(void)
{
	static const struct dma_map_ops native_ops = { "native", NULL };
	struct device dev = { .dma_ops = &native_ops };

	xen_preserve_dma_ops(&dev);
	if (dev.dma_ops != &native_ops) {
		fprintf(stderr, "dma-ops-test-noxen: ops changed without CONFIG_XEN\n");
		return 1;
	}
	printf("dma-ops-test-noxen: 1 check, 0 failed\n");
	return 0;
}
