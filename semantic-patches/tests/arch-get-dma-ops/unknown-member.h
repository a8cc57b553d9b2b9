/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

#include <linux/device.h>

struct demo_bus {
	struct dma_map_ops *dma_ops;
};

/* The ops come from the bus adapter the device hangs off. */
static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return dev->foo_ops;
}

#endif /* _ASM_DEMO_DMA_MAPPING_H */
