/// get_arch_dma_ops() loses its unused bus argument, in every definition
/// and every call at once.
//
// Confidence: High
// Options: --no-includes

virtual patch

@depends on patch@
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

@depends on patch@
expression E;
@@
get_arch_dma_ops(
- E
  )
