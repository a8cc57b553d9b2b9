/// Each arch's get_dma_ops(dev) becomes get_arch_dma_ops(bus), the arch
/// default only: the generic get_dma_ops() returns dev->dma_ops when set
/// and asks the arch otherwise. Per-device checks and NULL-device guards
/// leave the arch hooks; sparc keeps testing the bus it is given.
//
// A definition that still looks at its device after these shapes is not
// renamed: the toolkit reports it as a residual.
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual constops

// Per-device check first (m32r, s390; mips, tile, xtensa with an else).
@check depends on patch@
identifier dev;
type T;
expression X;
@@
T get_dma_ops(struct device *dev)
{
(
- if (dev && dev->dma_ops)
-	return dev->dma_ops;
  return X;
|
- if (dev && dev->dma_ops)
-	return dev->dma_ops;
- else
-	return X;
+ return X;
)
}

// A NULL-device guard before the per-device ops (powerpc): nothing is
// left for the arch to return.
@guard_perdev depends on patch@
identifier dev;
type T;
@@
T get_dma_ops(struct device *dev)
{
- if (\(unlikely(dev == NULL)\|unlikely(!dev)\|dev == NULL\|!dev\))
-	return NULL;
- return dev->dma_ops;
+ return NULL;
}

// A NULL-device guard before the arch default (hexagon).
@guard depends on patch@
identifier dev;
type T;
expression X;
@@
T get_dma_ops(struct device *dev)
{
- if (\(unlikely(dev == NULL)\|unlikely(!dev)\|dev == NULL\|!dev\))
-	return NULL;
  return X;
}

// arm, arm64: the native default is the helper's answer for no device.
@helper depends on patch@
identifier dev;
type T;
@@
T get_dma_ops(struct device *dev)
{
  <...
  __generic_dma_ops(
- dev
+ NULL
  )
  ...>
}

// sparc: the only definition that uses the bus.
@bus depends on patch@
identifier dev;
type T;
@@
T
- get_dma_ops(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
  <+...
- dev->bus
+ bus
  ...+>
}

// Any definition that still looks at its device is an unknown shape.
@uses depends on patch@
identifier dev;
type T;
position p;
@@
T get_dma_ops@p(struct device *dev)
{
  <+... dev ...+>
}

// Every other definition: it no longer needs its device.
@rename depends on patch@
identifier dev;
type T;
position p != uses.p;
@@
T
- get_dma_ops@p(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
  ...
}

// ia64: a macro onto the platform vector.
@macro depends on patch && constops@
identifier dev;
@@
- #define get_dma_ops(dev) platform_dma_get_ops(dev)
+ static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
+ {
+ 	return platform_dma_get_ops(NULL);
+ }

@macro_nc depends on patch && !constops@
identifier dev;
@@
- #define get_dma_ops(dev) platform_dma_get_ops(dev)
+ static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
+ {
+ 	return platform_dma_get_ops(NULL);
+ }
