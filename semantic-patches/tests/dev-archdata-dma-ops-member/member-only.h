/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arch specific extensions to struct device
 */
#ifndef _ASM_EXAMPLE_DEVICE_H
#define _ASM_EXAMPLE_DEVICE_H

struct dma_map_ops;

struct dev_archdata {
	/* Per-device DMA operations */
	struct dma_map_ops *dma_ops;
};

struct pdev_archdata {
};

#endif /* _ASM_EXAMPLE_DEVICE_H */
