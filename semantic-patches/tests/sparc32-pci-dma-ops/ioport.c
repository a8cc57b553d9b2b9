/* treewide-test: -D pci_ops=pci32_dma_ops */
#include <linux/pci.h>
#include <linux/dma-mapping.h>

static void *pci32_alloc_coherent(struct device *dev, size_t len,
				  dma_addr_t *pba, gfp_t gfp, unsigned long attrs)
{
	return NULL;
}

const struct dma_map_ops pci32_dma_ops = {
	.alloc			= pci32_alloc_coherent,
};
EXPORT_SYMBOL(pci32_dma_ops);

const struct dma_map_ops *dma_ops = &sbus_dma_ops;
EXPORT_SYMBOL(dma_ops);
