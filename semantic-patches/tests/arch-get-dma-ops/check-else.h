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

/* Non-coherent boards must write back caches by hand. */
extern void example_dma_wback(void *vaddr, size_t size);

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
