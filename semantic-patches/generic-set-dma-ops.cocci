/// One generic set_dma_ops() right after the arch header is included,
/// under CONFIG_HAS_DMA, replacing the arch-local ones.
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual constops

@has depends on patch@
identifier dev, ops;
type T;
@@
void set_dma_ops(struct device *dev, T ops) { ... }

@add_const depends on patch && !has && constops@
@@
#include <asm/dma-mapping.h>
+
+static inline void set_dma_ops(struct device *dev,
+			       const struct dma_map_ops *dma_ops)
+{
+	dev->dma_ops = dma_ops;
+}

@script:python depends on add_const@
@@
print("treewide-rule add_const")

@add_nonconst depends on patch && !has && !constops@
@@
#include <asm/dma-mapping.h>
+
+static inline void set_dma_ops(struct device *dev,
+			       struct dma_map_ops *dma_ops)
+{
+	dev->dma_ops = dma_ops;
+}

@script:python depends on add_nonconst@
@@
print("treewide-rule add_nonconst")
