/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_EXAMPLE_DMA_MAP_OPS_H
#define _LINUX_EXAMPLE_DMA_MAP_OPS_H

#include <linux/dma-mapping.h>

#ifdef CONFIG_DMA_OPS
#include <asm/dma-mapping.h>

static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	/* Ops installed on the device itself take precedence. */
	if (dev->dma_ops)
		return dev->dma_ops;
	return get_arch_dma_ops(dev->bus);
}
#else /* CONFIG_DMA_OPS */
static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return NULL;
}
#endif /* CONFIG_DMA_OPS */

#endif /* _LINUX_EXAMPLE_DMA_MAP_OPS_H */
