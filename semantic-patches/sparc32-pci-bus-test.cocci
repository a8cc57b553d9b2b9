/// Once sparc32 PCI devices carry their ops themselves, sparc's
/// get_arch_dma_ops() stops testing the bus for them: only the branch that
/// returns the very ops pcibios_add_device() gives them (virtual
/// pci_per_device_ops, read from arch/sparc/kernel). Any other use of the
/// bus is left for the residual report.
//
// Confidence: High
// Options: --no-includes

virtual patch

@bus_test depends on patch@
identifier virtual.pci_per_device_ops;
identifier bus;
type T;
symbol pci_bus_type;
@@
T get_arch_dma_ops(struct bus_type *bus)
{
  <...
- if (bus == &pci_bus_type)
-	return &pci_per_device_ops;
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
