// SPDX-License-Identifier: GPL-2.0
/* An arm64-like arch_setup_dma_ops() with five arguments: preserve at the end. */
#include <linux/gfp.h>
#include <linux/dma-mapping.h>
#include <xen/arm/dma-ops.h>
#include <linux/swiotlb.h>

void arch_setup_dma_ops(struct device *dev, u64 dma_base, u64 size,
			const struct iommu_ops *iommu, bool coherent)
{
	if (!dev->dma_ops)
		dev->dma_ops = &example_swiotlb_ops;

	dev->archdata.dma_coherent = coherent;
	example_iommu_setup(dev, dma_base, size, iommu);
	xen_preserve_dma_ops(dev);
}
