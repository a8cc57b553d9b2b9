/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_IOMMU_H
#define _ASM_EXAMPLE_IOMMU_H

#include <linux/device.h>

extern struct dma_map_ops example_iommu_dma_ops;

/* True when the device was handed over to the example IOMMU. */
static inline bool example_dev_uses_iommu(struct device *dev)
{
	struct dma_map_ops *ops = dev->archdata.dma_ops;

	return ops && ops->map_sg == example_iommu_dma_ops.map_sg;
}

#endif /* _ASM_EXAMPLE_IOMMU_H */
