/// Xen's DMA code calls into the device's native ops through
/// xen_get_dma_ops(), which reads the preserved ops. __generic_dma_ops()
/// reads dev->dma_ops, which in dom0 are Xen's own: Xen's ops would call
/// themselves.
//
// Confidence: High
// Options: --no-includes

virtual patch

@users depends on patch@
expression D;
@@
- __generic_dma_ops(D)
+ xen_get_dma_ops(D)

@script:python depends on users@
@@
print("treewide-rule users")

// Files that get <xen/arm/page-coherent.h> through the arch header (on
// arm only: swiotlb-xen.c builds on x86 too) need no include of their own.
@via_arch@
@@
#include <asm/xen/page-coherent.h>

@include depends on users && !via_arch@
@@
#include <linux/dma-mapping.h>
+#include <xen/arm/dma-ops.h>

@script:python depends on include@
@@
print("treewide-rule include")
