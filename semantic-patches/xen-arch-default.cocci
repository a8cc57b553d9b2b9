/// The Xen branch leaves the arm and arm64 DMA-ops hook: dom0 devices now
/// carry xen_dma_ops in dev->dma_ops, and the hook returns the native
/// default again.
//
// Confidence: High
// Options: --no-includes

virtual patch

@drop_xen_branch depends on patch@
identifier fn =~ "^get_(arch_)?dma_ops$";
type T;
expression E;
@@
T fn(...)
{
- if (xen_initial_domain())
-	return xen_dma_ops;
- else
-	return E;
+ return E;
}

@script:python depends on drop_xen_branch@
@@
print("treewide-rule drop_xen_branch")
