/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

extern struct dma_map_ops *demo_default_ops(struct device *dev);

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (dev->bus == &demo_bus_type)
		return dev->demo_ops;
	return demo_default_ops(NULL);
}

#endif /* _ASM_DEMO_DMA_MAPPING_H */
