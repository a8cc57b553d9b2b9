/// Once sparc32 SBUS devices carry their IOMMU's or IO-UNIT's ops
/// themselves (virtual sbus_per_device), sparc's get_arch_dma_ops() no
/// longer tests the bus or the CPU: sparc32's default is NULL (dma-direct,
/// which the LEON and PCI branches already returned), sparc64's the global
/// ops. Only the 5.0 - 5.6 shape, both branches present, or nothing.
//
// The branches sit in #if blocks, so each is matched on its own (<+... ...+>:
// at least once) and the rewrite waits until both were seen.
//
// Confidence: High
// Options: --no-includes --smpl-spacing

virtual patch
virtual sbus_per_device

@leon_shape depends on patch && sbus_per_device@
identifier bus;
type T;
symbol sparc_cpu_model, sparc_leon;
@@
T get_arch_dma_ops(struct bus_type *bus)
{
  <+... if (sparc_cpu_model == sparc_leon) return NULL; ...+>
}

@pci_shape depends on leon_shape@
identifier bus;
type T;
symbol pci_bus_type;
@@
T get_arch_dma_ops(struct bus_type *bus)
{
  <+... if (bus == &pci_bus_type) return NULL; ...+>
}

@leon depends on pci_shape@
identifier bus;
type T;
symbol sparc_cpu_model, sparc_leon;
@@
T get_arch_dma_ops(struct bus_type *bus)
{
  <...
- if (sparc_cpu_model == sparc_leon)
-	return NULL;
  ...>
}

@pci depends on leon@
identifier bus;
type T;
symbol pci_bus_type;
@@
T get_arch_dma_ops(struct bus_type *bus)
{
  <...
- if (bus == &pci_bus_type)
-	return NULL;
  ...>
}

@hook depends on pci@
identifier bus;
type T;
symbol dma_ops;
@@
T get_arch_dma_ops(struct bus_type *bus)
{
  ...
- return dma_ops;
+	/* sparc32 uses per-device dma_ops */
+	return IS_ENABLED(CONFIG_SPARC64) ? dma_ops : NULL;
}

@script:python depends on hook@
@@
print("treewide-rule hook")

@still_used depends on hook@
symbol pci_bus_type;
@@
pci_bus_type

@extern_decl depends on hook && !still_used@
symbol pci_bus_type;
@@
- extern struct bus_type pci_bus_type;

@script:python depends on extern_decl@
@@
print("treewide-rule extern_decl")
