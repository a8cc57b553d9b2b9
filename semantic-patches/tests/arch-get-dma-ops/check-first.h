/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

#include <linux/device.h>

extern struct dma_map_ops demo_dma_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	return &demo_dma_ops;
}

extern int demo_dma_supported(struct device *dev, u64 mask);

#endif /* _ASM_DEMO_DMA_MAPPING_H */
