/* treewide-test: -D helper_unused */
#ifndef __ASM_SAMPLE_DMA_MAPPING_H
#define __ASM_SAMPLE_DMA_MAPPING_H

#include <xen/xen.h>
#include <asm/xen/hypervisor.h>

extern const struct dma_map_ops sample_dummy_dma_ops;

static inline const struct dma_map_ops *__generic_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;

	/*
	 * Nothing but devices set up by arch_setup_dma_ops() does DMA here.
	 */
	return &sample_dummy_dma_ops;
}

static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	return __generic_dma_ops(NULL);
}

void arch_setup_dma_ops(struct device *dev, u64 dma_base, u64 size,
			const struct iommu_ops *iommu, bool coherent);

#endif /* __ASM_SAMPLE_DMA_MAPPING_H */
