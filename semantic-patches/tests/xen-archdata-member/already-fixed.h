/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_ARM_DEVICE_H
#define _ASM_EXAMPLE_ARM_DEVICE_H

struct dev_archdata {
#ifdef CONFIG_IOMMU_API
	void *iommu;			/* IOMMU private data */
#endif
	bool dma_coherent;
#ifdef CONFIG_XEN
	const struct dma_map_ops *native_ops;
#endif
};

struct pdev_archdata {
};

#endif /* _ASM_EXAMPLE_ARM_DEVICE_H */
