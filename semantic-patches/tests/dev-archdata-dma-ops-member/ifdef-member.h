/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_FOO_DEVICE_H
#define _ASM_FOO_DEVICE_H

struct dev_archdata {
#ifdef CONFIG_FOO_DEV_DMA_OPS
	struct dma_map_ops *dma_ops;
#endif
#ifdef CONFIG_FOO_IOMMU
	void *iommu; /* private data of the IOMMU driver */
#endif
};

struct pdev_archdata {
};

#endif /* _ASM_FOO_DEVICE_H */
