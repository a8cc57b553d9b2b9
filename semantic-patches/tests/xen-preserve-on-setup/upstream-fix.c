// SPDX-License-Identifier: GPL-2.0
/* The stable backport's own block, with a vendor's name for the member: leave it. */
#include <linux/dma-mapping.h>
#include <xen/xen.h>

void arch_setup_dma_ops(struct device *dev, u64 dma_base, u64 size,
			const struct iommu_ops *iommu, bool coherent)
{
	if (!dev->dma_ops)
		dev->dma_ops = &example_swiotlb_ops;

	dev->archdata.dma_coherent = coherent;

#ifdef CONFIG_XEN
	if (xen_initial_domain()) {
		dev->archdata.native_dma_ops = dev->dma_ops;
		dev->dma_ops = xen_dma_ops;
	}
#endif
}
