/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_DEMO_DEVICE_H
#define _ASM_DEMO_DEVICE_H

struct dma_map_ops;

struct dev_archdata {
	struct dma_map_ops *dma_ops;
	void *iommu_priv;
};

struct pdev_archdata {
};

/* Ops of the bus a device sits on, for platform code. */
struct dma_map_ops *demo_bus_dma_ops(struct device *dev);

#endif /* _ASM_DEMO_DEVICE_H */
