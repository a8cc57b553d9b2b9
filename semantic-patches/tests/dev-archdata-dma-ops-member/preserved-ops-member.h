/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SAMPLE_DEVICE_H
#define _ASM_SAMPLE_DEVICE_H

struct dev_archdata {
	const struct dma_map_ops *dma_ops;
#ifdef CONFIG_XEN
	const struct dma_map_ops *dev_dma_ops;
#endif
	bool dma_coherent;
};

#endif /* _ASM_SAMPLE_DEVICE_H */
