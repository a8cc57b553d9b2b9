/// Reports every get_arch_dma_ops() definition that uses its bus argument.
/// The argument can only be dropped when no definition does.
//
// Confidence: High
// Options: --no-includes

virtual report

@uses depends on report@
identifier bus;
type T;
position p;
@@
T get_arch_dma_ops@p(struct bus_type *bus)
{
  <+... bus ...+>
}

@script:python depends on uses@
p << uses.p;
@@
coccilib.report.print_report(p[0], "get_arch_dma_ops() uses its bus argument")
