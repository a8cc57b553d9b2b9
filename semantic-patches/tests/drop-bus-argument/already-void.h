/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DMA_MAPPING_H
#define _ASM_DEMO_DMA_MAPPING_H

extern const struct dma_map_ops *demo_dma_ops;

static inline const struct dma_map_ops *get_arch_dma_ops(void)
{
	return demo_dma_ops;
}

#endif /* _ASM_DEMO_DMA_MAPPING_H */
