/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DEVICE_H
#define _ASM_SAMPLE_DEVICE_H

struct dma_map_ops;

struct dev_archdata {
#ifdef CONFIG_SAMPLE_IOMMU
	void *iommu;
#endif
#ifdef CONFIG_XEN
	const struct dma_map_ops *vendor_native_ops;
#endif
	bool dma_coherent;
};

#endif /* _ASM_SAMPLE_DEVICE_H */
