/* treewide-test: -D helper_unused */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

extern const struct dma_map_ops sample_dma_ops;
extern const struct dma_map_ops sample_nommu_dma_ops;

static inline const struct dma_map_ops *sample_device_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	return IS_ENABLED(CONFIG_MMU) ? &sample_dma_ops :
					&sample_nommu_dma_ops;
}

static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	return sample_device_ops(NULL);
}

static inline const struct dma_map_ops *sample_ops_of(struct device *dev)
{
	return sample_device_ops(dev);
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
