/// sparc32 PCI devices get pci32_dma_ops per device when they are added
/// (pcibios_add_device()), so that sparc's default DMA ops no longer
/// depend on the device's bus. Only in the file that defines the ops, and
/// only where sparc32 has no pcibios_add_device() of its own.
//
// Confidence: High
// Options: --no-includes --smpl-spacing

virtual patch

@has_hook depends on patch@
@@
pcibios_add_device(...) { ... }

@per_device depends on patch && !has_hook@
declarer name EXPORT_SYMBOL;
identifier ops = pci32_dma_ops;
@@
EXPORT_SYMBOL(ops);
+
+#ifdef CONFIG_PCI
+/* The ops of sparc32 PCI devices, given per device: not chosen by bus */
+int pcibios_add_device(struct pci_dev *dev)
+{
+	set_dma_ops(&dev->dev, &pci32_dma_ops);
+	return 0;
+}
+#endif

@script:python depends on per_device@
@@
print("treewide-rule per_device")
