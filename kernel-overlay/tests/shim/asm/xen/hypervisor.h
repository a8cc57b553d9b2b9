/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <asm/xen/hypervisor.h> on arm: Xen's DMA ops. */
#ifndef _SHIM_ASM_XEN_HYPERVISOR_H
#define _SHIM_ASM_XEN_HYPERVISOR_H

struct dma_map_ops;

/* Set by Xen's mm init in dom0; the test controls it. */
extern const struct dma_map_ops *xen_dma_ops;

#endif
