/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _XEN_EXAMPLE_PAGE_COHERENT_H
#define _XEN_EXAMPLE_PAGE_COHERENT_H

#include <asm/page.h>
#include <linux/dma-mapping.h>

static inline void *xen_alloc_coherent_pages(struct device *hwdev, size_t size,
		dma_addr_t *dma_handle, gfp_t flags, unsigned long attrs)
{
	return __generic_dma_ops(hwdev)->alloc(hwdev, size, dma_handle, flags, attrs);
}

static inline void xen_dma_unmap_page(struct device *hwdev, dma_addr_t handle,
		size_t size, enum dma_data_direction dir, unsigned long attrs)
{
	if (example_is_local(handle)) {
		if (__generic_dma_ops(hwdev)->unmap_page)
			__generic_dma_ops(hwdev)->unmap_page(hwdev, handle, size, dir, attrs);
	} else {
		__xen_dma_unmap_page(hwdev, handle, size, dir, attrs);
	}
}

#endif /* _XEN_EXAMPLE_PAGE_COHERENT_H */
