// SPDX-License-Identifier: GPL-2.0
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/errno.h>

extern struct dma_map_ops sample_direct_dma_ops;

int sample_dma_set_offset(struct device *dev, dma_addr_t offset)
{
	/* Only the direct window knows about offsets. */
	if (dev->archdata.dma_ops != &sample_direct_dma_ops)
		return -EINVAL;

	dev->archdata.dma_offset = offset;
	return 0;
}
