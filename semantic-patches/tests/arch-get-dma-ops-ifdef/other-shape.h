/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#include <linux/device.h>

extern struct dma_map_ops sample_dma_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	return &sample_dma_ops;
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
