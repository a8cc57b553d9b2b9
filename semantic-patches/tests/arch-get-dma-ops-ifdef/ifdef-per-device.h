/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DMA_MAPPING_H
#define _ASM_EXAMPLE_DMA_MAPPING_H

#include <linux/device.h>

/* Chosen at boot: the IOMMU driver's ops, or the direct ones. */
extern struct dma_map_ops *dma_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
#ifndef CONFIG_X86_DEV_DMA_OPS
	return dma_ops;
#else
	if (unlikely(!dev) || !dev->dma_ops)
		return dma_ops;
	else
		return dev->dma_ops;
#endif
}

extern void example_iommu_late_init(void);

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
