/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_EXAMPLE_DMA_MAPPING_H
#define _LINUX_EXAMPLE_DMA_MAPPING_H

#include <linux/device.h>

#ifdef CONFIG_HAS_DMA
#include <asm/dma-mapping.h>

static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	return get_arch_dma_ops(dev ? dev->bus : NULL);
}

static inline void set_dma_ops(struct device *dev,
			       const struct dma_map_ops *dma_ops)
{
	dev->dma_ops = dma_ops;
}
#endif

#endif /* _LINUX_EXAMPLE_DMA_MAPPING_H */
