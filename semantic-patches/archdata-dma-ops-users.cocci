/// Per-device DMA ops live in struct device, not in each arch's
/// struct dev_archdata: every reader and writer of dev->archdata.dma_ops
/// uses dev->dma_ops instead, also through a struct dev_archdata pointer.
//
// Confidence: High
// Options: --no-includes

virtual patch

@archdata_access depends on patch@
expression E;
@@
(
- E->archdata.dma_ops
+ E->dma_ops
|
- E.archdata.dma_ops
+ E.dma_ops
)

@script:python depends on archdata_access@
@@
print("treewide-rule archdata_access")

@alias_pointer depends on patch@
identifier sd;
expression D;
@@
  struct dev_archdata *sd = &D->archdata;
  <...
- sd->dma_ops
+ D->dma_ops
  ...>

@script:python depends on alias_pointer@
@@
print("treewide-rule alias_pointer")

@alias_member depends on patch@
identifier sd;
expression D;
@@
  struct dev_archdata *sd = &D.archdata;
  <...
- sd->dma_ops
+ D.dma_ops
  ...>

@script:python depends on alias_member@
@@
print("treewide-rule alias_member")
