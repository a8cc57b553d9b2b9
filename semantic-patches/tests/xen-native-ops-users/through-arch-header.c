// SPDX-License-Identifier: GPL-2.0
/*
 * A swiotlb-xen-like user built on x86 too: it gets the accessor through
 * <asm/xen/page-coherent.h> on arm, so no include is added.
 */
#include <linux/dma-mapping.h>
#include <xen/page.h>
#include <asm/xen/page-coherent.h>

int example_xen_mmap(struct device *dev, struct vm_area_struct *vma,
		     void *cpu_addr, dma_addr_t dma_addr, size_t size,
		     unsigned long attrs)
{
#if defined(CONFIG_ARM) || defined(CONFIG_ARM64)
	if (__generic_dma_ops(dev)->mmap)
		return __generic_dma_ops(dev)->mmap(dev, vma, cpu_addr,
						    dma_addr, size, attrs);
#endif
	return dma_common_mmap(dev, vma, cpu_addr, dma_addr, size);
}
