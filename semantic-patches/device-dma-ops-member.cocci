/// struct device gains the per-device DMA ops pointer, after numa_node and
/// before dma_mask. Its constness follows the tree (virtual constops).
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual constops

@has depends on patch@
identifier I;
@@
struct device {
  ...
(
  struct dma_map_ops *I;
|
  const struct dma_map_ops *I;
)
  ...
};

@depends on patch && !has && constops@
@@
struct device {
  ...
+ const struct dma_map_ops *dma_ops;
  u64 *dma_mask;
  ...
};

@depends on patch && !has && !constops@
@@
struct device {
  ...
+ struct dma_map_ops *dma_ops;
  u64 *dma_mask;
  ...
};
