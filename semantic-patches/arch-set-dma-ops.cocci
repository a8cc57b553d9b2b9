/// The arch-local set_dma_ops() definitions go: one generic set_dma_ops()
/// in include/linux/dma-mapping.h stores the ops in struct device.
//
// Confidence: High
// Options: --no-includes

virtual patch

@arch_setter depends on patch@
identifier dev, ops;
type T;
@@
- static inline void set_dma_ops(struct device *dev, T *ops)
- {
(
-	BUG_ON(!dev);
-	dev->dma_ops = ops;
|
-	dev->dma_ops = ops;
)
- }

@script:python depends on arch_setter@
@@
print("treewide-rule arch_setter")
