/// Before 4.5 the DMA wrappers that call get_dma_ops() are inline functions
/// of include/asm-generic/dma-mapping-common.h, which each arch header that
/// uses DMA ops includes after its own hook. The one generic get_dma_ops()
/// goes there, after the header's includes and before its first caller;
/// include/linux/dma-mapping.h would be too late.
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual constops

@has depends on patch@
identifier dev;
type T;
@@
T get_dma_ops(struct device *dev)
{
  ...
  return get_arch_dma_ops(...);
}

@add_const depends on patch && !has && constops@
@@
#include <asm-generic/dma-coherent.h>
+
+static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
+{
+	if (dev && dev->dma_ops)
+		return dev->dma_ops;
+	return get_arch_dma_ops(dev ? dev->bus : NULL);
+}

@script:python depends on add_const@
@@
print("treewide-rule add_const")

@add_nonconst depends on patch && !has && !constops@
@@
#include <asm-generic/dma-coherent.h>
+
+static inline struct dma_map_ops *get_dma_ops(struct device *dev)
+{
+	if (dev && dev->dma_ops)
+		return dev->dma_ops;
+	return get_arch_dma_ops(dev ? dev->bus : NULL);
+}

@script:python depends on add_nonconst@
@@
print("treewide-rule add_nonconst")
