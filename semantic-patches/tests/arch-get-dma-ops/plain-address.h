/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DMA_MAPPING_H
#define _ASM_EXAMPLE_DMA_MAPPING_H

extern struct dma_map_ops example_dma_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return &example_dma_ops;
}

static inline void dma_cache_sync(struct device *dev, void *vaddr, size_t size,
				  enum dma_data_direction direction)
{
	/* All DMA on this machine is cache coherent. */
}

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
