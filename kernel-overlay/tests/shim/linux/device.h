/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the parts of <linux/device.h> the overlay uses. */
#ifndef _SHIM_LINUX_DEVICE_H
#define _SHIM_LINUX_DEVICE_H

struct dma_map_ops;
struct bus_type;

struct dev_archdata {
	int dma_coherent;
#ifdef CONFIG_XEN
	const struct dma_map_ops *dev_dma_ops;
#endif
};

struct device {
	const char *init_name;
	struct bus_type *bus;
	const struct dma_map_ops *dma_ops;
	struct dev_archdata archdata;
};

#endif
