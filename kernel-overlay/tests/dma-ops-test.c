// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace test of kernel-overlay/include/xen/arm/dma-ops.h, built against
 * the shim headers in shim/ (the kernel's tools/testing/ way).
 */
#include <stdio.h>
#include <xen/arm/dma-ops.h>

int test_xen_initial_domain;
const struct dma_map_ops *xen_dma_ops;

static int failures, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "%s:%d: %s: check failed: %s\n",	\
			__FILE__, __LINE__, __func__, #cond);		\
	}								\
} while (0)

static int native_map_page(struct device *dev, int page)
{
	(void)dev;
	return page + 1000;
}

static int default_map_page(struct device *dev, int page)
{
	(void)dev;
	return page + 2000;
}

/* Xen's ops call into the device's native ops, as swiotlb-xen does. */
static int xen_depth, xen_max_depth;

static int xen_map_page(struct device *dev, int page)
{
	int ret;

	if (++xen_depth > xen_max_depth)
		xen_max_depth = xen_depth;
	ret = xen_depth > 4 ? -1 : xen_get_dma_ops(dev)->map_page(dev, page);
	xen_depth--;
	return ret;
}

static const struct dma_map_ops native_ops = { "native", native_map_page };
const struct dma_map_ops test_arch_default_ops = { "default", default_map_page };
static const struct dma_map_ops xen_ops = { "xen", xen_map_page };

static void boot(int dom0)
{
	test_xen_initial_domain = dom0;
	xen_dma_ops = dom0 ? &xen_ops : NULL;
	xen_max_depth = 0;
}

static void dom0_with_native_ops(void)
{
	struct device dev = { .dma_ops = &native_ops };

	boot(1);
	xen_preserve_dma_ops(&dev);
	CHECK(dev.dma_ops == &xen_ops);
	CHECK(get_dma_ops(&dev) == &xen_ops);
	CHECK(dev.archdata.dev_dma_ops == &native_ops);
	CHECK(xen_get_dma_ops(&dev) == &native_ops);
	CHECK(get_dma_ops(&dev)->map_page(&dev, 1) == 1001);
	CHECK(xen_max_depth == 1);
}

static void dom0_without_native_ops(void)
{
	struct device dev = { 0 };

	boot(1);
	xen_preserve_dma_ops(&dev);
	CHECK(dev.dma_ops == &xen_ops);
	CHECK(dev.archdata.dev_dma_ops == NULL);
	CHECK(xen_get_dma_ops(&dev) == &test_arch_default_ops);
	CHECK(get_dma_ops(&dev)->map_page(&dev, 2) == 2002);
	CHECK(xen_max_depth == 1);
}

static void domu_untouched(void)
{
	struct device dev = { .dma_ops = &native_ops };
	struct device bare = { 0 };

	boot(0);
	xen_preserve_dma_ops(&dev);
	xen_preserve_dma_ops(&bare);
	CHECK(dev.dma_ops == &native_ops);
	CHECK(dev.archdata.dev_dma_ops == NULL);
	CHECK(bare.dma_ops == NULL);
	CHECK(get_dma_ops(&bare) == &test_arch_default_ops);
}

static void dom0_before_xen_ops_exist(void)
{
	struct device dev = { .dma_ops = &native_ops };

	boot(1);
	xen_dma_ops = NULL;
	xen_preserve_dma_ops(&dev);
	CHECK(dev.dma_ops == &native_ops);
	CHECK(dev.archdata.dev_dma_ops == NULL);
}

static void null_device(void)
{
	boot(1);
	CHECK(xen_get_dma_ops(NULL) == &test_arch_default_ops);
}

static void second_setup_call(void)
{
	struct device dev = { .dma_ops = &native_ops };

	boot(1);
	xen_preserve_dma_ops(&dev);
	xen_preserve_dma_ops(&dev);
	CHECK(dev.dma_ops == &xen_ops);
	CHECK(dev.archdata.dev_dma_ops == &native_ops);
	CHECK(xen_get_dma_ops(&dev) != &xen_ops);
	CHECK(get_dma_ops(&dev)->map_page(&dev, 3) == 1003);
	CHECK(xen_max_depth == 1);
}

static void setup_again_with_new_native_ops(void)
{
	static const struct dma_map_ops iommu_ops = { "iommu", native_map_page };
	struct device dev = { .dma_ops = &native_ops };

	boot(1);
	xen_preserve_dma_ops(&dev);
	/* A later arch_setup_dma_ops() (deferred probe) picks other native ops. */
	dev.dma_ops = &iommu_ops;
	xen_preserve_dma_ops(&dev);
	CHECK(dev.dma_ops == &xen_ops);
	CHECK(dev.archdata.dev_dma_ops == &iommu_ops);
}

int main(void)
{
	dom0_with_native_ops();
	dom0_without_native_ops();
	domu_untouched();
	dom0_before_xen_ops_exist();
	null_device();
	second_setup_call();
	setup_again_with_new_native_ops();
	printf("dma-ops-test: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
