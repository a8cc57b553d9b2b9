/// Per-device DMA ops live in struct device, not in each arch's
/// struct dev_archdata: every reader and writer of dev->archdata.dma_ops
/// uses dev->dma_ops instead, also through a struct dev_archdata pointer
/// and in designated initializers of static devices (vendor GPU glue).
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

// A static device set up by a designated initializer: .dev.archdata.dma_ops
// (a platform_device's device) or .archdata.dma_ops (a struct device).
@designated depends on patch@
identifier f, s, x;
expression E;
@@
struct s x = {
  ...,
- .f.archdata.dma_ops = E,
+ .f.dma_ops = E,
  ...
};

@script:python depends on designated@
@@
print("treewide-rule designated")

@designated_device depends on patch@
identifier s, x;
expression E;
@@
struct s x = {
  ...,
- .archdata.dma_ops = E,
+ .dma_ops = E,
  ...
};

@script:python depends on designated_device@
@@
print("treewide-rule designated_device")
