// SPDX-License-Identifier: GPL-2.0
/* The two-argument arch_setup_dma_ops() of 6.10 and later. */
#include <linux/dma-mapping.h>

void arch_setup_dma_ops(struct device *dev, bool coherent)
{
	dev->dma_coherent = coherent;
	if (device_iommu_mapped(dev))
		example_iommu_setup(dev);
}
