/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

extern struct dma_map_ops sample_dma_ops;

/* A vendor driver elsewhere in the tree still calls the helper. */
static inline struct dma_map_ops *__generic_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	return &sample_dma_ops;
}

static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	return __generic_dma_ops(NULL);
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
