/// The arch default hook returns the native default itself, as upstream's
/// Xen fix has it (4.11.6: return &arm_dma_ops; return &dummy_dma_ops;),
/// instead of asking a helper that reads the device's ops for no device.
/// The helper goes with its last user.
//
// The helper is recognised by its role, whatever its name: a device ops
// check, then the arch default. Its explanatory comment before the default
// moves with it. The helper stays while anything else in the tree calls
// it (virtual helper_unused, decided on the whole tree).
//
// Confidence: High
// Options: --no-includes

virtual patch
virtual helper_unused

@initialize:python@
@@
import re

def mentions(name, code):
    return re.search(r"\b%s\b" % re.escape(name), code) is not None

def lines_of(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return f.read().split("\n")

@helper@
identifier h, dev;
type T;
expression X;
comments c;
position px;
@@
T h(struct device *dev)
{
  if (dev && dev->dma_ops)
	return dev->dma_ops;
  return@c X@px;
}

// The new statement is built as text: SmPL cannot place a comments
// metavariable in added code, and the default is copied as written.
@script:python native_default@
dev << helper.dev;
x << helper.X;
c << helper.c;
px << helper.px;
stmt;
@@
if mentions(dev, x):
    cocci.include_match(False)
else:
    p = px[0]
    lines = lines_of(p.file)
    first, last = int(p.line) - 1, int(p.line_end) - 1
    code = "\n".join(lines[first:last + 1])
    start = int(p.column)
    end = len(code) - (len(lines[last]) - int(p.column_end))
    comment = "".join(cm.before for cm in c)
    coccinelle.stmt = cocci.make_ident((comment + "\n\t" if comment else "") + "return " + code[start:end])

@inline_default depends on patch@
identifier helper.h;
identifier native_default.stmt;
type T;
@@
T get_arch_dma_ops(...)
{
- return h(NULL);
+ stmt;
}

@script:python depends on inline_default@
@@
print("treewide-rule inline_default")

@still_used depends on inline_default@
identifier helper.h;
@@
h(...)

// Whether anything else calls it is decided on the tree by name, so only
// the helper with upstream's name goes.
@script:python upstream_name depends on inline_default@
h << helper.h;
hname;
@@
if h == "__generic_dma_ops":
    coccinelle.hname = cocci.make_ident(h)
else:
    cocci.include_match(False)

@drop_helper depends on patch && inline_default && helper_unused && !still_used@
identifier upstream_name.hname;
identifier dev;
type T;
expression helper.X;
@@
- T hname(struct device *dev)
- {
-   if (dev && dev->dma_ops)
-	return dev->dma_ops;
-   return X;
- }

@script:python depends on drop_helper@
@@
print("treewide-rule drop_helper")

// A default chosen under #if (a vendor's, e.g. bounce ops for a SoC that
// does not snoop) is more than one return statement, which the rules above
// cannot copy. Then the helper itself, less its device check, becomes the
// hook, where the hook only asks it for no device, nothing else calls it
// and the rest of it never reads the device: the #if and its comments stay
// as written. (SmPL cannot match a statement sequence across #if branches,
// so the helper's shape after the check is read from its text.)
@cond_fn depends on !helper@
identifier h, dev;
type T;
position pf;
@@
T h@pf(struct device *dev) { ... }

@script:python cond_shape@
h << cond_fn.h;
dev << cond_fn.dev;
pf << cond_fn.pf;
@@
p = pf[0]
lines = lines_of(p.file)
text = "\n".join(lines[int(p.current_element_line) - 1:int(p.current_element_line_end)])
check = r"\{\s*if\s*\(\s*%s\s*&&\s*%s\s*->\s*dma_ops\s*\)\s*return\s+%s\s*->\s*dma_ops\s*;" % ((re.escape(dev),) * 3)
m = re.search(check, text)
if h != "__generic_dma_ops" or not m or mentions(dev, text[m.end():]):
    cocci.include_match(False)

@cond_hook depends on cond_shape@
identifier cond_fn.h;
type T;
parameter list P;
position p;
@@
T get_arch_dma_ops(P)
{
  return h@p(NULL);
}

@cond_other_call depends on cond_hook@
identifier cond_fn.h;
position p != cond_hook.p;
@@
h@p(...)

@cond_drop_check depends on patch && helper_unused && cond_hook && !cond_other_call@
identifier cond_fn.h, cond_fn.dev;
position pc : script:python (h) { pc[0].current_element == h };
@@
- if@pc (dev && dev->dma_ops)
-	return dev->dma_ops;

@cond_drop_hook depends on cond_drop_check@
identifier cond_fn.h;
type T;
parameter list cond_hook.P;
@@
- T get_arch_dma_ops(P)
- {
-   return h(NULL);
- }

@cond_rename depends on cond_drop_check@
identifier cond_fn.h, cond_fn.dev;
type T;
parameter list cond_hook.P;
@@
  T
- h
+ get_arch_dma_ops
  (
- struct device *dev
+ P
  ) { ... }

@script:python depends on cond_rename@
@@
print("treewide-rule cond_rename")
