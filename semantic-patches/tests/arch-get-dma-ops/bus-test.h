/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DMA_MAPPING_H
#define _ASM_EXAMPLE_DMA_MAPPING_H

#include <linux/types.h>

extern struct dma_map_ops *dma_ops;
extern struct dma_map_ops example_pci_dma_ops;
extern struct bus_type pci_bus_type;

static inline struct dma_map_ops *get_dma_ops(struct device *dev)
{
#if defined(CONFIG_EXAMPLE32) && defined(CONFIG_PCI)
	if (dev->bus == &pci_bus_type)
		return &example_pci_dma_ops;
#endif
	return dma_ops;
}

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
