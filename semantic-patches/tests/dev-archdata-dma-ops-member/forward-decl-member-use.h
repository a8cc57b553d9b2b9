/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_EXAMPLE_DEVICE_H
#define _ASM_EXAMPLE_DEVICE_H

struct dma_map_ops;

struct dev_archdata {
	struct dma_map_ops *dma_ops;
	void *iommu;
};

/* a per-domain default, which stays */
struct example_dma_domain {
	struct list_head node;
	struct dma_map_ops *dma_ops;
	int domain_nr;
};

#endif /* _ASM_EXAMPLE_DEVICE_H */
