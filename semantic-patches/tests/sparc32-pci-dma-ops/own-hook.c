/* treewide-test: -D pci_ops=pci32_dma_ops */
#include <linux/pci.h>

struct dma_map_ops pci32_dma_ops = {
	.map_page		= pci32_map_page,
};
EXPORT_SYMBOL(pci32_dma_ops);

struct dma_map_ops *dma_ops = &sbus_dma_ops;
EXPORT_SYMBOL(dma_ops);

/* a vendor's own hook: left alone, the step reports the bus test as a residual */
int pcibios_add_device(struct pci_dev *dev)
{
	dev->dev.archdata.numa_node = 0;
	return 0;
}
