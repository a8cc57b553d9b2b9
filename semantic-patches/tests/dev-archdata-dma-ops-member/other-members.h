/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DEVICE_H
#define _ASM_SAMPLE_DEVICE_H

struct sample_iommu;
struct dma_map_ops;

struct dev_archdata {
	/* Per-device DMA operations */
	struct dma_map_ops	*dma_ops;

	/* Bus address of physical address zero, for direct mappings. */
	dma_addr_t		dma_offset;

#ifdef CONFIG_SAMPLE_IOMMU
	struct sample_iommu	*iommu;
#endif
	bool			dma_coherent;
};

struct pdev_archdata {
};

#endif /* _ASM_SAMPLE_DEVICE_H */
