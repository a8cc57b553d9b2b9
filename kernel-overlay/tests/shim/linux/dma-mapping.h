/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/dma-mapping.h> on an ARM tree in generation B. */
#ifndef _SHIM_LINUX_DMA_MAPPING_H
#define _SHIM_LINUX_DMA_MAPPING_H

#include <stddef.h>
#include <linux/device.h>

struct dma_map_ops {
	const char *name;
	int (*map_page)(struct device *dev, int page);
};

/* The arch default (arm_dma_ops on a real tree); the test defines it. */
extern const struct dma_map_ops test_arch_default_ops;

static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	(void)bus;
	return &test_arch_default_ops;
}

/* The generic hook: the device's own ops first, as the kernel has it. */
static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
{
	if (dev && dev->dma_ops)
		return dev->dma_ops;
	return get_arch_dma_ops(dev ? dev->bus : NULL);
}

#endif
