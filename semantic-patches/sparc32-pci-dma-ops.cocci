/// sparc32 PCI devices get, when they are added (pcibios_add_device()),
/// the ops sparc's hook chose for them by bus (virtual pci_ops, read from
/// the hook: pci32_dma_ops up to 4.18, dma_noncoherent_ops in 4.19 and
/// 4.20), so that sparc's default no longer depends on the bus. In
/// sparc32's ioport.c, after the global ops, and only where sparc32 has
/// no pcibios_add_device() of its own.
//
// Confidence: High
// Options: --no-includes --smpl-spacing

virtual patch

@has_hook depends on patch@
@@
pcibios_add_device(...) { ... }

@per_device depends on patch && !has_hook@
declarer name EXPORT_SYMBOL;
identifier virtual.pci_ops;
symbol dma_ops;
@@
EXPORT_SYMBOL(dma_ops);
+
+#ifdef CONFIG_PCI
+/* The ops of sparc32 PCI devices, given per device: not chosen by bus */
+int pcibios_add_device(struct pci_dev *dev)
+{
+	set_dma_ops(&dev->dev, &pci_ops);
+	return 0;
+}
+#endif

@script:python depends on per_device@
@@
print("treewide-rule per_device")
