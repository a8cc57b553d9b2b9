/// Each arch's get_dma_ops(dev) becomes get_arch_dma_ops(bus), the arch
/// default only: the generic get_dma_ops() returns dev->dma_ops when set
/// and asks the arch otherwise. Per-device checks and NULL-device guards
/// leave the arch hooks; sparc keeps testing the bus it is given.
//
// Each shape is recognised whole before anything changes: a definition
// that would still look at its device afterwards is an unknown shape and
// is left untouched for the toolkit to report as a residual.
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual constops

@initialize:python@
@@
import re

def mentions(name, code):
    return re.search(r"\b%s\b" % re.escape(name), code) is not None

def only_bus(name, code):
    """code uses name only as name->bus"""
    return not mentions(name, re.sub(r"\b%s\s*->\s*bus\b" % re.escape(name), "", code))

// Per-device check first (m32r, s390; mips, tile, xtensa with an else).
@check@
identifier dev;
type T;
expression X;
position p;
@@
T get_dma_ops@p(struct device *dev)
{
(
  if (dev && dev->dma_ops)
	return dev->dma_ops;
  return X;
|
  if (dev && dev->dma_ops)
	return dev->dma_ops;
  else
	return X;
)
}

@script:python@
dev << check.dev;
x << check.X;
@@
if mentions(dev, x):
    cocci.include_match(False)

@check_first depends on patch@
identifier check.dev;
type T;
expression X;
position check.p;
@@
T
- get_dma_ops@p(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
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

@script:python depends on check_first@
@@
print("treewide-rule check_first")

// A NULL-device guard before the per-device ops (powerpc): nothing is left
// for the arch to return. A comment before the guard stays.
@guard_per_device depends on patch@
identifier dev;
type T;
@@
T
- get_dma_ops(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
- if (\(unlikely(dev == NULL)\|unlikely(!dev)\|dev == NULL\|!dev\))
-	return NULL;
- return dev->dma_ops;
+ return NULL;
}

@script:python depends on guard_per_device@
@@
print("treewide-rule guard_per_device")

// A NULL-device guard before the arch default (hexagon).
@guard@
identifier dev;
type T;
expression X;
position p;
@@
T get_dma_ops@p(struct device *dev)
{
  if (\(unlikely(dev == NULL)\|unlikely(!dev)\|dev == NULL\|!dev\))
	return NULL;
  return X;
}

@script:python@
dev << guard.dev;
x << guard.X;
@@
if mentions(dev, x):
    cocci.include_match(False)

@guard_default depends on patch@
identifier guard.dev;
type T;
position guard.p;
@@
T
- get_dma_ops@p(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
- if (\(unlikely(dev == NULL)\|unlikely(!dev)\|dev == NULL\|!dev\))
-	return NULL;
  ...
}

@script:python depends on guard_default@
@@
print("treewide-rule guard_default")

// arm, arm64: the native default is the helper's answer for no device.
@helper@
identifier dev;
type T;
expression C, A;
position p;
@@
T get_dma_ops@p(struct device *dev)
{
  if (C)
	return A;
  else
	return __generic_dma_ops(dev);
}

@script:python@
dev << helper.dev;
c << helper.C;
a << helper.A;
@@
if mentions(dev, c) or mentions(dev, a):
    cocci.include_match(False)

@xen_helper depends on patch@
identifier helper.dev;
type T;
expression C, A;
position helper.p;
@@
T
- get_dma_ops@p(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
  if (C)
	return A;
  else
	return __generic_dma_ops(
- dev
+ NULL
	);
}

@script:python depends on xen_helper@
@@
print("treewide-rule xen_helper")

// arm, arm64 once the Xen branch has left the hook (ops preserved first).
@helper_only@
identifier dev;
type T;
position p;
@@
T get_dma_ops@p(struct device *dev)
{
  return __generic_dma_ops(dev);
}

@helper_only_rename depends on patch@
identifier helper_only.dev;
type T;
position helper_only.p;
@@
T
- get_dma_ops@p(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
  return __generic_dma_ops(
- dev
+ NULL
  );
}

@script:python depends on helper_only_rename@
@@
print("treewide-rule helper_only_rename")

// sparc: the only definition that uses the bus.
@bus@
identifier dev;
type T;
statement list SL;
position p;
@@
T get_dma_ops@p(struct device *dev) { SL }

@script:python@
dev << bus.dev;
sl << bus.SL;
@@
if not (mentions(dev, sl) and only_bus(dev, sl)):
    cocci.include_match(False)

@bus_test depends on patch@
identifier bus.dev;
type T;
position bus.p;
@@
T
- get_dma_ops@p(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
  <+...
- dev->bus
+ bus
  ...+>
}

@script:python depends on bus_test@
@@
print("treewide-rule bus_test")

// Every other definition that does not look at its device (plain ones).
@plain@
identifier dev;
type T;
statement list SL;
position p;
@@
T get_dma_ops@p(struct device *dev) { SL }

@script:python@
dev << plain.dev;
sl << plain.SL;
@@
if mentions(dev, sl):
    cocci.include_match(False)

@plain_rename depends on patch@
identifier plain.dev;
type T;
position plain.p;
@@
T
- get_dma_ops@p(struct device *dev)
+ get_arch_dma_ops(struct bus_type *bus)
{
  ...
}

@script:python depends on plain_rename@
@@
print("treewide-rule plain_rename")

// ia64: a macro onto the platform vector.
@ia64_macro depends on patch && constops@
identifier dev;
@@
- #define get_dma_ops(dev) platform_dma_get_ops(dev)
+ static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
+ {
+ 	return platform_dma_get_ops(NULL);
+ }

@script:python depends on ia64_macro@
@@
print("treewide-rule ia64_macro")

@ia64_macro_nonconst depends on patch && !constops@
identifier dev;
@@
- #define get_dma_ops(dev) platform_dma_get_ops(dev)
+ static inline struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
+ {
+ 	return platform_dma_get_ops(NULL);
+ }

@script:python depends on ia64_macro_nonconst@
@@
print("treewide-rule ia64_macro_nonconst")
