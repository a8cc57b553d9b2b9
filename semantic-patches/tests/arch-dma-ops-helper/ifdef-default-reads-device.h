/* treewide-test: -D helper_unused */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

extern struct dma_map_ops sample_dma_ops;
extern struct dma_map_ops sample_bounce_dma_ops;

static inline struct dma_map_ops *__generic_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;

	/*
	 * Devices that nobody set up get the SoC's default.
	 */
#ifdef CONFIG_SAMPLE_NONCOHERENT_SOC
	/* this SoC's masters do not snoop the caches */
	return &sample_bounce_dma_ops;
#else
	return dev ? &sample_dma_ops : NULL;
#endif
}

static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	return __generic_dma_ops(NULL);
}

void sample_setup_dma_ops(struct device *dev);

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
