/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

extern struct dma_map_ops *demo_default_ops(struct device *dev);

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (unlikely(dev == NULL))
		return NULL;

	return demo_default_ops(dev);
}

#endif /* _ASM_DEMO_DMA_MAPPING_H */
