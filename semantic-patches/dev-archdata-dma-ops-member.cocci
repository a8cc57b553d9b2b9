/// struct dev_archdata loses its dma_ops member, and a forward declaration
/// of struct dma_map_ops that nothing else in the header needs goes with it.
//
// Only the member named dma_ops is the per-device pointer: another
// dma_map_ops member (the Xen fix's dev_dma_ops, which keeps a device's
// native ops in dom0) has another role and stays.
//
// Confidence: High
// Options: --no-includes

virtual patch

@member depends on patch@
@@
struct dev_archdata {
  ...
(
- struct dma_map_ops *dma_ops;
|
- const struct dma_map_ops *dma_ops;
)
  ...
};

@script:python depends on member@
@@
print("treewide-rule member")

// Any other use of the type keeps the forward declaration.
@still_used depends on member@
@@
(
struct dma_map_ops *
|
const struct dma_map_ops *
)

@forward_declaration depends on member && !still_used@
@@
- struct dma_map_ops;

@script:python depends on forward_declaration@
@@
print("treewide-rule forward_declaration")
