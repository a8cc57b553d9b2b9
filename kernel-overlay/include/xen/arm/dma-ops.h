/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Xen dom0 on ARM: keep a device's native DMA ops when the Xen ones are
 * installed in their place.
 *
 * The generic get_dma_ops() returns dev->dma_ops whenever it is set, so
 * dom0 must install xen_dma_ops there. The ops the platform chose are kept
 * in dev->archdata.dev_dma_ops, where Xen's own DMA code finds them.
 */
#ifndef _XEN_ARM_DMA_OPS_H
#define _XEN_ARM_DMA_OPS_H

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <xen/xen.h>
#include <asm/xen/hypervisor.h>

#ifdef CONFIG_XEN
/*
 * The ops the device would use without Xen, for Xen's DMA code to call.
 * Never dev->dma_ops: in dom0 those are Xen's own, and calling them from
 * Xen's ops would recurse. Without a device, the arch default: that is
 * what get_dma_ops(NULL) returns once the arch hook no longer picks Xen's
 * ops, whether the hook is still get_dma_ops() or get_arch_dma_ops() yet.
 */
static inline const struct dma_map_ops *xen_get_dma_ops(struct device *dev)
{
	if (dev && dev->archdata.dev_dma_ops)
		return dev->archdata.dev_dma_ops;
	return get_dma_ops(NULL);
}

/*
 * Call once arch_setup_dma_ops() has chosen the native ops. In dom0, keep
 * them and install Xen's. Calling it again changes nothing, so the Xen ops
 * are never preserved as the native ones.
 */
static inline void xen_preserve_dma_ops(struct device *dev)
{
	if (!xen_initial_domain() || !xen_dma_ops)
		return;
	if (dev->dma_ops == xen_dma_ops)
		return;
	dev->archdata.dev_dma_ops = dev->dma_ops;
	dev->dma_ops = xen_dma_ops;
}
#else
static inline void xen_preserve_dma_ops(struct device *dev)
{
}
#endif /* CONFIG_XEN */

#endif /* _XEN_ARM_DMA_OPS_H */
