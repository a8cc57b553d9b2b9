/// A sparc OF device takes its DMA ops from the bus device above it, with
/// the rest of the archdata of_propagate_archdata() hands down (sparc64's
/// bus devices have none: the copy changes nothing there).
//
// Confidence: High
// Options: --no-includes

virtual patch

@done depends on patch@
identifier bus, op;
@@
of_propagate_archdata(struct platform_device *bus)
{
  <+... op->dev.dma_ops = bus->dev.dma_ops; ...+>
}

@propagate depends on patch && !done@
identifier bus, op;
expression E;
@@
of_propagate_archdata(struct platform_device *bus)
{
  <...
  op->dev.archdata.numa_node = E;
+ op->dev.dma_ops = bus->dev.dma_ops;
  ...>
}

@script:python depends on propagate@
@@
print("treewide-rule propagate")
