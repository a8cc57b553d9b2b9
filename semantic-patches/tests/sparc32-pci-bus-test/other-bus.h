/* treewide-test: -D pci_per_device_ops=pci32_dma_ops */
/* a vendor's second bus test: the declaration stays, its branch too */
extern struct bus_type pci_bus_type;
extern struct bus_type vendor_bus_type;

static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
{
	if (bus == &vendor_bus_type)
		return &vendor_dma_ops;
	if (bus == &pci_bus_type)
		return &pci32_dma_ops;
	return dma_ops;
}

static inline int on_pci(struct device *dev)
{
	return dev->bus == &pci_bus_type;
}
