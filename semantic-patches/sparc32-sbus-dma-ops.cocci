/// sparc32's IOMMU and IO-UNIT give their DMA ops to the SBUS device they
/// serve, right before its archdata is handed down to the devices below
/// it (as upstream 5.7 does: the ops are the ones ld_mmu_iommu() and
/// ld_mmu_iounit() chose for the machine).
//
// Confidence: High
// Options: --no-includes

virtual patch

@done depends on patch@
identifier op;
expression E;
@@
(
  op->dev.dma_ops = E;
|
  set_dma_ops(&op->dev, E);
)

@sbus_bus depends on patch && !done@
identifier op;
symbol dma_ops;
@@
+ op->dev.dma_ops = dma_ops;
  of_propagate_archdata(op);

@script:python depends on sbus_bus@
@@
print("treewide-rule sbus_bus")
