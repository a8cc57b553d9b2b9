// SPDX-License-Identifier: GPL-2.0
/*
 * Example virtual bus: children inherit the DMA ops of the host device.
 */
#include <linux/device.h>
#include <linux/dma-mapping.h>

struct vbus_device {
	struct device dev;
	struct device *host;
};

static struct dma_map_ops vbus_fallback_ops;

static void vbus_setup_dma(struct vbus_device *vdev)
{
	struct device *host = vdev->host;

	if (host->archdata.dma_ops)
		vdev->dev.archdata.dma_ops = host->archdata.dma_ops;
	else
		vdev->dev.archdata.dma_ops = &vbus_fallback_ops;
}

static bool vbus_is_fallback(struct vbus_device *vdev)
{
	return vdev->dev.archdata.dma_ops == &vbus_fallback_ops;
}

static void vbus_teardown_dma(struct device *dev)
{
	dev->archdata.dma_ops = NULL;
}
