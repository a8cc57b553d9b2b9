/// struct dev_archdata on arm and arm64 gains, under CONFIG_XEN, the
/// device's native DMA ops: dom0 keeps them there when it installs
/// xen_dma_ops in dev->dma_ops.
//
// Confidence: High
// Options: --no-includes

virtual patch

@has depends on patch@
identifier I;
@@
struct dev_archdata {
  ...
  const struct dma_map_ops *I;
  ...
};

@add_member depends on patch && !has@
@@
struct dev_archdata {
  ...
+#ifdef CONFIG_XEN
+	const struct dma_map_ops *dev_dma_ops;
+#endif
};

@script:python depends on add_member@
@@
print("treewide-rule add_member")
