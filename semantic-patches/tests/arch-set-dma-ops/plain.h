/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#include <linux/device.h>

extern struct dma_map_ops *sample_dma_ops;

static inline void set_dma_ops(struct device *dev, struct dma_map_ops *ops)
{
	dev->dma_ops = ops;
}

/* Offset between CPU physical and bus addresses for direct DMA. */
static inline dma_addr_t sample_dma_offset(struct device *dev)
{
	return dev->archdata.dma_offset;
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
