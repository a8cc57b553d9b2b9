/* treewide-test: -D common_wrappers */
#ifndef _LINUX_EXAMPLE_DMA_MAPPING_H
#define _LINUX_EXAMPLE_DMA_MAPPING_H

#include <linux/device.h>

#ifdef CONFIG_HAS_DMA
#include <asm/dma-mapping.h>

static inline void set_dma_ops(struct device *dev,
			       struct dma_map_ops *dma_ops)
{
	dev->dma_ops = dma_ops;
}
#else
/* Calls compile without DMA support but end up in the stub ops. */
extern struct dma_map_ops stub_dma_ops;
static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return &stub_dma_ops;
}
#endif

#endif /* _LINUX_EXAMPLE_DMA_MAPPING_H */
