/// Where an arch get_dma_ops() consults the per-device ops only under an
/// #ifdef, that branch returns the arch default as the other branch does;
/// the toolkit then folds the two identical branches into one.
//
// spatch cannot see code after a return in the #ifndef branch, so this
// rule runs with the symbol defined to expose the other branch.
//
// Confidence: High
// Options: --no-includes --defined CONFIG_X86_DEV_DMA_OPS

virtual patch

@ifdef_per_device depends on patch@
identifier dev;
type T;
expression X;
@@
T get_dma_ops(struct device *dev)
{
  ...
(
- if (unlikely(!dev) || !dev->dma_ops)
-	return X;
- else
-	return dev->dma_ops;
+ return X;
|
- if (!dev || !dev->dma_ops)
-	return X;
- else
-	return dev->dma_ops;
+ return X;
)
}

@script:python depends on ifdef_per_device@
@@
print("treewide-rule ifdef_per_device")
