// SPDX-License-Identifier: GPL-2.0
/*
 * An arm-like arch_setup_dma_ops() that goes on after set_dma_ops():
 * preserve right after the native ops are installed.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>

void arch_setup_dma_ops(struct device *dev, u64 dma_base, u64 size,
			const struct iommu_ops *iommu, bool coherent)
{
	const struct dma_map_ops *dma_ops;

	dev->archdata.dma_coherent = coherent;
	if (example_setup_iommu(dev, dma_base, size, iommu))
		dma_ops = example_iommu_ops(coherent);
	else
		dma_ops = example_native_ops(coherent);

	set_dma_ops(dev, dma_ops);
	dev->archdata.dma_ops_setup = true;
}
