/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DMA_MAPPING_H
#define _ASM_EXAMPLE_DMA_MAPPING_H

#include <xen/xen.h>
#include <asm/xen/hypervisor.h>

extern struct dma_map_ops example_dma_ops;

static inline struct dma_map_ops *__generic_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	return &example_dma_ops;
}

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return __generic_dma_ops(dev);
}

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
