#ifndef _ASM_GENERIC_DMA_MAPPING_H
#define _ASM_GENERIC_DMA_MAPPING_H

#include <linux/scatterlist.h>
#include <linux/dma-attrs.h>
#include <asm-generic/dma-coherent.h>

static inline dma_addr_t dma_map_single_attrs(struct device *dev, void *ptr,
					      size_t size,
					      enum dma_data_direction dir,
					      struct dma_attrs *attrs)
{
	struct dma_map_ops *ops = get_dma_ops(dev);

	return ops->map_page(dev, virt_to_page(ptr), offset_in_page(ptr),
			     size, dir, attrs);
}

#endif
