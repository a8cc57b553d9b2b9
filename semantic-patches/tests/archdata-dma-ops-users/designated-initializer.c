// SPDX-License-Identifier: GPL-2.0
/* A vendor GPU glue driver that registers a static platform device. */
#include <linux/platform_device.h>
#include <linux/dma-mapping.h>

static struct platform_device sample_gpu_device = {
	.name = "sample-gpu",
	.id = 0,
	.dev.coherent_dma_mask = DMA_BIT_MASK(32),
	.dev.platform_data = &sample_gpu_data,
#ifdef CONFIG_ARM64
	.dev.archdata.dma_ops = &sample_noncoherent_dma_ops,
#endif
};

static struct device sample_child = {
	.init_name = "sample-child",
	.archdata.dma_ops = &sample_dma_ops,
};

int sample_gpu_register(void)
{
	return platform_device_register(&sample_gpu_device);
}
