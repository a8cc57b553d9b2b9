// SPDX-License-Identifier: GPL-2.0
/*
 * Example platform: clamp the direct-mapping window when the bounce
 * buffer ops are in use.
 */
#include <linux/dma-mapping.h>

extern struct dma_map_ops example_bounce_ops;

static u64 example_pfn_limit(struct device *dev)
{
	u64 pfn = (dev->coherent_dma_mask >> PAGE_SHIFT) + 1;
	struct dev_archdata *ad = &dev->archdata;

	if (ad->direct_limit && ad->dma_ops == &example_bounce_ops)
		pfn = min_t(u64, pfn, ad->direct_limit >> PAGE_SHIFT);

	return pfn;
}
