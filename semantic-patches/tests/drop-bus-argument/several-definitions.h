/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#ifdef CONFIG_SAMPLE_IOMMU
extern const struct dma_map_ops sample_iommu_ops;

static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	return &sample_iommu_ops;
}
#else
/* Without the IOMMU, every device uses direct mapping. */
static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	return NULL;
}
#endif

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
