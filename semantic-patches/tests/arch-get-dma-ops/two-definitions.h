/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

#ifdef CONFIG_PCI
extern struct dma_map_ops demo_pci_dma_ops;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return &demo_pci_dma_ops;
}
#else
static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
	BUG();
	return NULL;
}
#endif

#endif /* _ASM_DEMO_DMA_MAPPING_H */
