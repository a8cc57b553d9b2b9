/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DMA_MAPPING_H
#define _ASM_EXAMPLE_DMA_MAPPING_H

#include <linux/device.h>

extern struct dma_map_ops *example_dma_map_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	else
		return example_dma_map_ops;
}

static inline bool dma_capable(struct device *dev, dma_addr_t addr, size_t size)
{
	if (!dev->dma_mask)
		return false;

	return addr + size <= *dev->dma_mask;
}

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
