/// In dom0, arch_setup_dma_ops() keeps the native ops it chose and
/// installs Xen's: right after set_dma_ops() where it calls it, at the end
/// otherwise. Either signature (five arguments before 6.10, two after).
//
// Confidence: High
// Options: --no-includes

virtual patch

// Already preserving: our helper, or the upstream fix's own block (the
// native ops saved in a dev_archdata member, whatever its name).
@done depends on patch@
identifier dev, kept;
@@
void arch_setup_dma_ops(struct device *dev, ...)
{
  <+... \(xen_preserve_dma_ops(dev);\|dev->archdata.kept = dev->dma_ops;\) ...+>
}

@after_set depends on patch && !done@
identifier dev;
expression E;
@@
void arch_setup_dma_ops(struct device *dev, ...)
{
  ...
  set_dma_ops(dev, E);
+ xen_preserve_dma_ops(dev);
  ...
}

@script:python depends on after_set@
@@
print("treewide-rule after_set")

@at_end depends on patch && !done && !after_set@
identifier dev;
@@
void arch_setup_dma_ops(struct device *dev, ...)
{
  ...
+ xen_preserve_dma_ops(dev);
}

@script:python depends on at_end@
@@
print("treewide-rule at_end")

@include depends on after_set || at_end@
@@
#include <linux/dma-mapping.h>
+#include <xen/arm/dma-ops.h>

@script:python depends on include@
@@
print("treewide-rule include")
