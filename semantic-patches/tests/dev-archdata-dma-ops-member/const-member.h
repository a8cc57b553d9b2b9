/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DEVICE_H
#define _ASM_EXAMPLE_DEVICE_H

struct dma_map_ops;

struct dev_archdata {
	/* Per-device DMA operations */
	const struct dma_map_ops *dma_ops;
	/* Set when the device snoops CPU caches. */
	bool dma_coherent;
};

struct pdev_archdata {
};

#endif /* _ASM_EXAMPLE_DEVICE_H */
