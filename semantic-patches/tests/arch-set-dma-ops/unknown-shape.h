/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

#include <linux/device.h>

extern void demo_iommu_attach(struct device *dev);

/* Switching ops also moves the device into or out of the IOMMU. */
static inline void set_dma_ops(struct device *dev, struct dma_map_ops *ops)
{
	dev->dma_ops = ops;
	demo_iommu_attach(dev);
}

#endif /* _ASM_DEMO_DMA_MAPPING_H */
