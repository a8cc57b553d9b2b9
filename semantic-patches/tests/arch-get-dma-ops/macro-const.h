/* treewide-test: -D constops */
/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DMA_MAPPING_H
#define _ASM_SAMPLE_DMA_MAPPING_H

#include <asm/machvec.h>

/* The platform vector picks the ops; see asm/machvec.h. */
#define get_dma_ops(dev) platform_dma_get_ops(dev)

/* The bridge window is fixed by firmware; see sample_pci_init(). */
static inline bool sample_dma_in_window(dma_addr_t addr)
{
	return addr < SAMPLE_DMA_WINDOW_END;
}

#endif /* _ASM_SAMPLE_DMA_MAPPING_H */
