/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DMA_MAPPING_H
#define _ASM_EXAMPLE_DMA_MAPPING_H

extern const struct dma_map_ops example_dma_ops;

static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	return &example_dma_ops;
}

#endif /* _ASM_EXAMPLE_DMA_MAPPING_H */
