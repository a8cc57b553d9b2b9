/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DEVICE_H
#define _ASM_EXAMPLE_DEVICE_H

struct dma_map_ops;

struct dev_archdata {
	struct dma_map_ops *dma_ops;
	void *iommu;
};

void example_register_ops(struct device *dev, struct dma_map_ops *ops);

#endif /* _ASM_EXAMPLE_DEVICE_H */
