/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#include <linux/scatterlist.h>

/* Set up by the board code: coherent or non-coherent variant. */
extern struct dma_map_ops *sample_dma_map_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return sample_dma_map_ops;
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
