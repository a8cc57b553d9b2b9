/// One generic get_dma_ops(): the device's own ops when it has them,
/// otherwise the arch default from get_arch_dma_ops().
//
// Not here on trees before 4.5 (virtual common_wrappers): their callers
// come earlier, in asm-generic/dma-mapping-common.h, which gets it instead.
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual constops
virtual common_wrappers

@has depends on patch@
identifier dev;
type T;
@@
T get_dma_ops(struct device *dev)
{
  ...
  return get_arch_dma_ops(...);
}

@add_const depends on patch && !has && constops && !common_wrappers@
@@
#include <asm/dma-mapping.h>
+static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
+{
+	if (dev && dev->dma_ops)
+		return dev->dma_ops;
+	return get_arch_dma_ops(dev ? dev->bus : NULL);
+}

@script:python depends on add_const@
@@
print("treewide-rule add_const")

@add_nonconst depends on patch && !has && !constops && !common_wrappers@
@@
#include <asm/dma-mapping.h>
+static inline struct dma_map_ops *get_dma_ops(struct device *dev)
+{
+	if (dev && dev->dma_ops)
+		return dev->dma_ops;
+	return get_arch_dma_ops(dev ? dev->bus : NULL);
+}

@script:python depends on add_nonconst@
@@
print("treewide-rule add_nonconst")
