// SPDX-License-Identifier: GPL-2.0
#include <linux/device.h>
#include <linux/dma-mapping.h>

struct demo_domain {
	struct dma_map_ops *dma_ops;
	unsigned long flags;
};

static void demo_attach(struct device *dev, struct demo_domain *domain)
{
	/* The domain's ops are not the device's: nothing to move here. */
	if (domain->dma_ops)
		set_dma_ops(dev, domain->dma_ops);
	dev->archdata.dma_offset = 0;
}
