/* treewide-test: -D constops */
/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_EXAMPLE_DMA_MAPPING_H
#define _LINUX_EXAMPLE_DMA_MAPPING_H

#include <linux/device.h>
#include <linux/err.h>

#ifdef CONFIG_HAS_DMA
#include <asm/dma-mapping.h>
#else
/*
 * Without DMA support the API still compiles, but every call ends
 * up in the stub ops below.
 */
extern const struct dma_map_ops stub_dma_ops;
static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	return &stub_dma_ops;
}
#endif

#endif /* _LINUX_EXAMPLE_DMA_MAPPING_H */
