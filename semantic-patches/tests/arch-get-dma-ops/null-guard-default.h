/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#include <linux/device.h>

extern struct dma_map_ops *sample_dma_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (unlikely(dev == NULL))
		return NULL;

	return sample_dma_ops;
}

extern void sample_dma_flush_range(unsigned long start, unsigned long end);

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
