/* treewide-test: -D constops */
/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#include <asm/machvec.h>

/* The platform vector picks the ops; see asm/machvec.h. */
#define get_dma_ops(dev) platform_dma_get_ops(dev)

static inline bool dma_capable(struct device *dev, dma_addr_t addr, size_t size)
{
	if (!dev->dma_mask)
		return false;

	return addr + size - 1 <= *dev->dma_mask;
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
