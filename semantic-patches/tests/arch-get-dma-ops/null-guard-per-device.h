/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

#include <linux/device.h>

extern struct dma_map_ops demo_direct_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	/*
	 * Devices without a struct device (the legacy parallel port DMA)
	 * are not supported here; the one driver that needs it passes
	 * its own device.
	 */
	if (unlikely(dev == NULL))
		return NULL;

	return dev->dma_ops;
}

#endif /* _ASM_DEMO_DMA_MAPPING_H */
