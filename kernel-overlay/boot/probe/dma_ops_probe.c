// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-ops probe of the treewide boot test.
 *
 * Loaded by the boot test's /init, it walks the devices of the platform
 * bus (and the PCI bus where there is one) that can do DMA and prints, for
 * each, the ops get_dma_ops() returns, by symbol, and what they are: Xen's
 * (a symbol starting with xen_), native, or none (dma-direct). Then one
 * verdict line. In a Xen dom0 every device must get Xen's ops: a device
 * with native ops there is the bug of the "preserve the real DMA ops" fix
 * (the generic get_dma_ops() returning dev->dma_ops before the arch's Xen
 * branch is reached).
 *
 * Built against the tree under test as an external module; get_dma_ops()
 * is whatever that tree defines (the arch's, 4.10 and before; the generic
 * one, 4.11 and after).
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 10, 0)
#include <linux/dma-map-ops.h>
#endif
#ifdef CONFIG_PCI
#include <linux/pci.h>
#endif
#ifdef CONFIG_XEN
#include <xen/xen.h>
#endif

static unsigned int n_xen, n_native, n_direct;

static int probe_one(struct device *dev, void *unused)
{
	const struct dma_map_ops *ops;
	char sym[KSYM_SYMBOL_LEN];
	const char *kind;

	if (!dev->dma_mask)		/* not a device that does DMA */
		return 0;
	ops = get_dma_ops(dev);
	if (!ops) {
		kind = "direct";
		strscpy(sym, "(none)", sizeof(sym));
		n_direct++;
	} else {
		sprint_symbol_no_offset(sym, (unsigned long)ops);
		kind = strncmp(sym, "xen_", 4) ? "native" : "xen";
		if (*kind == 'x')
			n_xen++;
		else
			n_native++;
	}
	pr_info("treewide-probe: dev=%s ops=%s kind=%s\n", dev_name(dev), sym, kind);
	return 0;
}

static int __init dma_ops_probe_init(void)
{
	bool dom0 = false;

	bus_for_each_dev(&platform_bus_type, NULL, NULL, probe_one);
#ifdef CONFIG_PCI
	bus_for_each_dev(&pci_bus_type, NULL, NULL, probe_one);
#endif
#ifdef CONFIG_XEN
	dom0 = xen_initial_domain();
#endif
	pr_info("treewide-probe: verdict=%s dom0=%d xen=%u native=%u direct=%u\n",
		n_native ? "native" : n_xen ? "xen" : "none", dom0, n_xen, n_native, n_direct);
	return 0;
}

static void __exit dma_ops_probe_exit(void)
{
}

module_init(dma_ops_probe_init);
module_exit(dma_ops_probe_exit);
MODULE_DESCRIPTION("Print the DMA ops of every device (treewide boot test)");
MODULE_LICENSE("GPL");
