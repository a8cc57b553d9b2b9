/* treewide-test: -D constops */
/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EXAMPLE_DEVICE_H_
#define _EXAMPLE_DEVICE_H_

#include <linux/types.h>
#include <asm/device.h>

struct bus_type;

struct device {
	struct device		*parent;
	struct bus_type		*bus;		/* bus the device sits on */

#ifdef CONFIG_NUMA
	int		numa_node;	/* nearest memory node */
#endif
	const struct dma_map_ops *dma_ops;
	u64		*dma_mask;	/* set if the device can do DMA */
	u64		coherent_dma_mask;

	/* arch specific additions */
	struct dev_archdata	archdata;
};

#endif /* _EXAMPLE_DEVICE_H_ */
