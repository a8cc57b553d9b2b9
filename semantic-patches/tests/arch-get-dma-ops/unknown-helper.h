/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#include <linux/device.h>

extern struct dma_map_ops *sample_iommu_lookup_ops(struct device *dev);

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	/* Every device sits behind one of several IOMMUs. */
	return sample_iommu_lookup_ops(dev);
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
