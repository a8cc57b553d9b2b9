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

@add_const depends on patch && !has && constops@
@@
struct device {
  ...
+ const struct dma_map_ops *dma_ops;
  u64 *dma_mask;
  ...
};

@script:python depends on add_const@
@@
print("treewide-rule add_const")

@add_nonconst depends on patch && !has && !constops@
@@
struct device {
  ...
+ struct dma_map_ops *dma_ops;
  u64 *dma_mask;
  ...
};

@script:python depends on add_nonconst@
@@
print("treewide-rule add_nonconst")
