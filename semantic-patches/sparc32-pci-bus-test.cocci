/// Once sparc32 PCI devices carry pci32_dma_ops themselves, sparc's
/// get_arch_dma_ops() stops testing the bus for them. Only when the
/// per-device ops are in place (virtual pci_per_device, decided from
/// arch/sparc/kernel), and only for exactly that branch: any other use of
/// the bus is left for the residual report.
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual pci_per_device

@bus_test depends on patch && pci_per_device@
identifier bus;
type T;
symbol pci_bus_type, pci32_dma_ops;
@@
T get_arch_dma_ops(struct bus_type *bus)
{
  <...
- if (bus == &pci_bus_type)
-	return &pci32_dma_ops;
  ...>
}

@script:python depends on bus_test@
@@
print("treewide-rule bus_test")

@still_used depends on bus_test@
symbol pci_bus_type;
@@
pci_bus_type

@extern_decl depends on bus_test && !still_used@
symbol pci_bus_type;
@@
- extern struct bus_type pci_bus_type;

@script:python depends on extern_decl@
@@
print("treewide-rule extern_decl")
