/// get_arch_dma_ops() loses its unused bus argument, in every definition
/// and every call at once.
//
// Confidence: High
// Options: --no-includes

virtual patch

@definition depends on patch@
identifier bus;
type T;
@@
T get_arch_dma_ops(
- struct bus_type *bus
+ void
  )
{
  ... when != bus
}

@script:python depends on definition@
@@
print("treewide-rule definition")

@call depends on patch@
expression E;
@@
get_arch_dma_ops(
- E
  )

@script:python depends on call@
@@
print("treewide-rule call")
