/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DMA_MAPPING_H
#define _ASM_EXAMPLE_DMA_MAPPING_H

#include <linux/mm_types.h>
#include <linux/scatterlist.h>

extern struct dma_map_ops example_dma_ops;

static inline void set_dma_ops(struct device *dev, struct dma_map_ops *ops)
{
	BUG_ON(!dev);
	dev->dma_ops = ops;
}

/* Bus masters on this SoC only see the low 1 GiB. */
extern int example_check_dma_window(struct device *dev, u64 mask);

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
