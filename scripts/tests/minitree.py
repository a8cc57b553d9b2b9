"""A tiny generation-A kernel tree, written by us, for the apply tests."""

import textwrap
from pathlib import Path

MAKEFILE = "VERSION = 4\nPATCHLEVEL = 9\nSUBLEVEL = 99\nEXTRAVERSION = -mini\n"

PLAIN = """\
    #ifndef _ASM_{A}_DMA_MAPPING_H
    #define _ASM_{A}_DMA_MAPPING_H

    extern struct dma_map_ops {a}_dma_ops;

    static inline struct dma_map_ops *get_dma_ops(struct device *dev)
    {{
    	return &{a}_dma_ops;
    }}

    #endif
    """

CHECK = """\
    #ifndef _ASM_{A}_DMA_MAPPING_H
    #define _ASM_{A}_DMA_MAPPING_H

    extern struct dma_map_ops *{a}_default_ops;

    static inline struct dma_map_ops *get_dma_ops(struct device *dev)
    {{
    	if (dev && dev->archdata.dma_ops)
    		return dev->archdata.dma_ops;
    	return {a}_default_ops;
    }}

    static inline void set_dma_ops(struct device *dev, struct dma_map_ops *ops)
    {{
    	dev->archdata.dma_ops = ops;
    }}

    #endif
    """

USES_BUS = """\
    #ifndef _ASM_{A}_DMA_MAPPING_H
    #define _ASM_{A}_DMA_MAPPING_H

    extern struct dma_map_ops *{a}_ops, {a}_pci_ops;
    extern struct bus_type pci_bus_type;

    static inline struct dma_map_ops *get_dma_ops(struct device *dev)
    {{
    	if (dev->bus == &pci_bus_type)
    		return &{a}_pci_ops;
    	return {a}_ops;
    }}

    #endif
    """

UNKNOWN = """\
    #ifndef _ASM_{A}_DMA_MAPPING_H
    #define _ASM_{A}_DMA_MAPPING_H

    extern struct dma_map_ops *{a}_pick_ops(struct device *dev);

    static inline struct dma_map_ops *get_dma_ops(struct device *dev)
    {{
    	return {a}_pick_ops(dev);
    }}

    #endif
    """

ARCHDATA = """\
    #ifndef _ASM_{A}_DEVICE_H
    #define _ASM_{A}_DEVICE_H

    struct dma_map_ops;

    struct dev_archdata {{
    	/* per-device DMA operations */
    	struct dma_map_ops *dma_ops;
    	void *iommu;
    }};

    #endif
    """

DEVICE_H = """\
    #ifndef _DEVICE_H_
    #define _DEVICE_H_

    struct device {
    	struct device *parent;
    	struct bus_type *bus;
    	struct dev_archdata archdata;
    #ifdef CONFIG_NUMA
    	int numa_node;
    #endif
    	u64 *dma_mask;
    };

    #endif
    """

DMA_MAPPING_H = """\
    #ifndef _LINUX_DMA_MAPPING_H
    #define _LINUX_DMA_MAPPING_H

    #include <linux/device.h>

    #ifdef CONFIG_HAS_DMA
    #include <asm/dma-mapping.h>
    #else
    extern struct dma_map_ops bad_dma_ops;
    static inline struct dma_map_ops *get_dma_ops(struct device *dev)
    {
    	return &bad_dma_ops;
    }
    #endif

    static inline int dma_mapping_error(struct device *dev, dma_addr_t addr)
    {
    	struct dma_map_ops *ops = get_dma_ops(dev);

    	return ops->mapping_error(dev, addr);
    }

    #endif
    """

DRIVER_C = """\
    // SPDX-License-Identifier: GPL-2.0
    #include <linux/dma-mapping.h>

    static struct dma_map_ops widget_dma_ops;

    static int widget_probe(struct widget_device *wdev)
    {
    	wdev->dev.archdata.dma_ops = &widget_dma_ops;
    	return 0;
    }
    """

XEN_ARM = """\
    #ifndef _ASM_{A}_DMA_MAPPING_H
    #define _ASM_{A}_DMA_MAPPING_H

    #include <xen/xen.h>
    #include <asm/xen/hypervisor.h>

    extern struct dma_map_ops {a}_dma_ops;

    static inline struct dma_map_ops *__generic_dma_ops(struct device *dev)
    {{
    	if (dev && dev->archdata.dma_ops)
    		return dev->archdata.dma_ops;
    	return &{a}_dma_ops;
    }}

    static inline struct dma_map_ops *get_dma_ops(struct device *dev)
    {{
    	if (xen_initial_domain())
    		return xen_dma_ops;
    	else
    		return __generic_dma_ops(dev);
    }}

    #endif
    """

XEN_ARM_FILES = {
    "arch/{a}/include/asm/device.h": """\
        #ifndef _ASM_{A}_DEVICE_H
        #define _ASM_{A}_DEVICE_H

        struct dev_archdata {{
        	struct dma_map_ops *dma_ops;
        	bool dma_coherent;
        }};

        #endif
        """,
    "arch/{a}/mm/dma-mapping.c": """\
        // SPDX-License-Identifier: GPL-2.0
        #include <linux/dma-mapping.h>

        void arch_setup_dma_ops(struct device *dev, u64 dma_base, u64 size,
        			const struct iommu_ops *iommu, bool coherent)
        {{
        	if (!dev->archdata.dma_ops)
        		dev->archdata.dma_ops = &{a}_dma_ops;
        	dev->archdata.dma_coherent = coherent;
        }}
        """,
}

XEN_COMMON = {
    "include/xen/arm/page-coherent.h": """\
        #ifndef _XEN_ARM_PAGE_COHERENT_H
        #define _XEN_ARM_PAGE_COHERENT_H

        #include <linux/dma-mapping.h>

        static inline void *xen_alloc_coherent_pages(struct device *hwdev, size_t size,
        		dma_addr_t *dma_handle, gfp_t flags, unsigned long attrs)
        {
        	return __generic_dma_ops(hwdev)->alloc(hwdev, size, dma_handle, flags, attrs);
        }

        #endif
        """,
}

# sparc as 4.4 - 4.18 have it: sparc32 PCI devices get pci32_dma_ops by bus.
SPARC_PCI32 = """\
    #ifndef ___ASM_SPARC_DMA_MAPPING_H
    #define ___ASM_SPARC_DMA_MAPPING_H

    extern struct dma_map_ops *dma_ops;
    extern struct dma_map_ops pci32_dma_ops;

    extern struct bus_type pci_bus_type;

    static inline struct dma_map_ops *get_dma_ops(struct device *dev)
    {{
    #ifdef CONFIG_SPARC_LEON
    	if (sparc_cpu_model == sparc_leon)
    		return &pci32_dma_ops;
    #endif
    #if defined(CONFIG_SPARC32) && defined(CONFIG_PCI)
    	if (dev->bus == &pci_bus_type)
    		return &pci32_dma_ops;
    #endif
    	return dma_ops;
    }}

    #endif
    """

SPARC_PCI32_FILES = {
    "arch/sparc/kernel/ioport.c": """\
        #include <linux/pci.h>
        #include <linux/dma-mapping.h>

        struct dma_map_ops pci32_dma_ops = {
        	.map_page	= pci32_map_page,
        };
        EXPORT_SYMBOL(pci32_dma_ops);

        struct dma_map_ops *dma_ops = &sbus_dma_ops;
        EXPORT_SYMBOL(dma_ops);
        """,
}

# sparc as 4.19 and 4.20 have it: sparc32 PCI devices get the generic noncoherent ops.
SPARC_NONCOHERENT = SPARC_PCI32.replace("extern struct dma_map_ops pci32_dma_ops;\n", "").replace(
    "&pci32_dma_ops", "&dma_noncoherent_ops")

SPARC_NONCOHERENT_FILES = {
    "arch/sparc/kernel/ioport.c": """\
        #include <linux/pci.h>
        #include <linux/dma-mapping.h>

        const struct dma_map_ops *dma_ops = &sbus_dma_ops;
        EXPORT_SYMBOL(dma_ops);
        """,
}

# sparc as 5.0 - 5.9 have it: LEON and sparc32 PCI get dma-direct (NULL).
SPARC_DIRECT = """\
    #ifndef ___ASM_SPARC_DMA_MAPPING_H
    #define ___ASM_SPARC_DMA_MAPPING_H

    extern const struct dma_map_ops *dma_ops;

    extern struct bus_type pci_bus_type;

    static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
    {{
    #ifdef CONFIG_SPARC_LEON
    	if (sparc_cpu_model == sparc_leon)
    		return NULL;
    #endif
    #if defined(CONFIG_SPARC32) && defined(CONFIG_PCI)
    	if (bus == &pci_bus_type)
    		return NULL;
    #endif
    	return dma_ops;
    }}

    #endif
    """

_SBUS_INIT = """\
    static int __init {name}_init(void)
    {{
    	struct device_node *dp;

    	for_each_node_by_name(dp, "{node}") {{
    		struct platform_device *op = of_find_device_by_node(dp);

    		{name}_setup(op);
    		of_propagate_archdata(op);
    	}}
    	return 0;
    }}
    """

SPARC_DIRECT_FILES = {
    "arch/sparc/mm/iommu.c": _SBUS_INIT.format(name="iommu", node="iommu"),
    "arch/sparc/mm/io-unit.c": _SBUS_INIT.format(name="iounit", node="sbi"),
    "arch/sparc/kernel/of_device_common.c": """\
        void of_propagate_archdata(struct platform_device *bus)
        {
        	struct dev_archdata *bus_sd = &bus->dev.archdata;
        	struct device_node *dp;

        	for (dp = bus->dev.of_node->child; dp; dp = dp->sibling) {
        		struct platform_device *op = of_find_device_by_node(dp);

        		op->dev.archdata.iommu = bus_sd->iommu;
        		op->dev.archdata.numa_node = bus_sd->numa_node;

        		if (dp->child)
        			of_propagate_archdata(op);
        	}
        }
        """,
}

SHAPES = {
    "plain": PLAIN,
    "check": CHECK,
    "uses-bus": USES_BUS,
    "unknown": UNKNOWN,
    "xen-arm": XEN_ARM,
    "sparc-pci32": SPARC_PCI32,
    "sparc-noncoherent": SPARC_NONCOHERENT,
    "sparc-direct": SPARC_DIRECT,
}
SHAPE_FILES = {
    "sparc-pci32": SPARC_PCI32_FILES,
    "sparc-noncoherent": SPARC_NONCOHERENT_FILES,
    "sparc-direct": SPARC_DIRECT_FILES,
}


def write(root, arches=(("alpha", "plain"), ("mips", "check"))):
    """Write a tree with one arch per (name, shape); returns its path."""
    root = Path(root)
    files = {
        "Makefile": MAKEFILE,
        "include/linux/device.h": textwrap.dedent(DEVICE_H),
        "include/linux/dma-mapping.h": textwrap.dedent(DMA_MAPPING_H),
        "drivers/widget/widget.c": textwrap.dedent(DRIVER_C),
    }
    for arch, shape in arches:
        subst = {"a": arch, "A": arch.upper()}
        files[f"arch/{arch}/include/asm/dma-mapping.h"] = textwrap.dedent(SHAPES[shape]).format(
            **subst
        )
        files[f"arch/{arch}/include/asm/device.h"] = textwrap.dedent(ARCHDATA).format(**subst)
        if shape == "xen-arm":
            files.update(
                {
                    k.format(**subst): textwrap.dedent(v).format(**subst)
                    for k, v in XEN_ARM_FILES.items()
                }
            )
            files.update({k: textwrap.dedent(v) for k, v in XEN_COMMON.items()})
        files.update({k: textwrap.dedent(v) for k, v in SHAPE_FILES.get(shape, {}).items()})
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# Generation B (4.12 - 6.2) with the Xen DMA code of arm and arm64 in one of
# the shapes releases and vendor trees have it, per arch:
#   fix:    arch_setup_dma_ops() keeps the native ops in dev_archdata.dev_dma_ops
#           and installs xen_dma_ops; Xen's helper reads them back (4.12 - 5.3 arm)
#   direct: arch_setup_dma_ops() installs xen_dma_ops straight in dev->dma_ops,
#           the native path being dma-direct (arm64 5.0 - 5.3)
#   hazard: the hook itself chooses xen_dma_ops in dom0 (4.11.0)
#   none:   no Xen DMA support in the arch
GEN_B = {
    "include/linux/device.h": """\
        #ifndef _DEVICE_H_
        #define _DEVICE_H_

        struct device {
        	struct device *parent;
        	struct bus_type *bus;
        	struct dev_archdata archdata;
        	const struct dma_map_ops *dma_ops;
        	u64 *dma_mask;
        };

        #endif
        """,
    "include/linux/dma-mapping.h": """\
        #ifndef _LINUX_DMA_MAPPING_H
        #define _LINUX_DMA_MAPPING_H

        #include <linux/device.h>

        #ifdef CONFIG_HAS_DMA
        #include <asm/dma-mapping.h>
        static inline const struct dma_map_ops *get_dma_ops(struct device *dev)
        {
        	if (dev && dev->dma_ops)
        		return dev->dma_ops;
        	return get_arch_dma_ops(dev ? dev->bus : NULL);
        }

        static inline void set_dma_ops(struct device *dev, const struct dma_map_ops *dma_ops)
        {
        	dev->dma_ops = dma_ops;
        }
        #endif

        #endif
        """,
    "arch/alpha/include/asm/dma-mapping.h": """\
        #ifndef _ALPHA_DMA_MAPPING_H
        #define _ALPHA_DMA_MAPPING_H

        extern const struct dma_map_ops alpha_pci_ops;

        static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
        {
        	return &alpha_pci_ops;
        }

        #endif
        """,
    "include/xen/arm/hypervisor.h": """\
        #ifndef _XEN_ARM_HYPERVISOR_H
        #define _XEN_ARM_HYPERVISOR_H

        extern const struct dma_map_ops *xen_dma_ops;

        #endif
        """,
}

XEN_HOOK = {
    "hazard": """\
        static inline const struct dma_map_ops *__generic_dma_ops(struct device *dev)
        {{
        	if (dev && dev->dma_ops)
        		return dev->dma_ops;
        	return &{a}_dma_ops;
        }}

        static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
        {{
        	if (xen_initial_domain())
        		return xen_dma_ops;
        	else
        		return __generic_dma_ops(NULL);
        }}
        """,
}

XEN_SETUP = {
    "fix": """\
        	set_dma_ops(dev, &{a}_dma_ops);
        #ifdef CONFIG_XEN
        	if (xen_initial_domain()) {{
        		dev->archdata.dev_dma_ops = dev->dma_ops;
        		dev->dma_ops = xen_dma_ops;
        	}}
        #endif
        """,
    "direct": """\
        	dev->dma_coherent = coherent;
        #ifdef CONFIG_XEN
        	if (xen_initial_domain())
        		dev->dma_ops = xen_dma_ops;
        #endif
        """,
    "hazard": "\tset_dma_ops(dev, &{a}_dma_ops);\n",
    "none": "\tset_dma_ops(dev, &{a}_dma_ops);\n",
}


def write_xen_gen_b(root, arm="fix", arm64="direct"):
    """A generation-B tree whose arm and arm64 are in the Xen shapes named (see GEN_B)."""
    root = Path(root)
    files = {"Makefile": MAKEFILE.replace("PATCHLEVEL = 9", "PATCHLEVEL = 19"),
             **{k: textwrap.dedent(v) for k, v in GEN_B.items()}}
    for a, shape in (("arm", arm), ("arm64", arm64)):
        hook = XEN_HOOK.get(shape, """\
            static inline const struct dma_map_ops *get_arch_dma_ops(struct bus_type *bus)
            {{
            	return &{a}_dma_ops;
            }}
            """)
        files[f"arch/{a}/include/asm/dma-mapping.h"] = (
            f"#ifndef _ASM_{a.upper()}_DMA_MAPPING_H\n#define _ASM_{a.upper()}_DMA_MAPPING_H\n\n"
            + (
                ""
                if shape == "none"
                else "#include <xen/xen.h>\n#include <asm/xen/hypervisor.h>\n\n"
            )
            + f"extern const struct dma_map_ops {a}_dma_ops;\n\n"
            + textwrap.dedent(hook).format(a=a)
            + "\n#endif\n"
        )
        member = (
            "#ifdef CONFIG_XEN\n\tconst struct dma_map_ops *dev_dma_ops;\n#endif\n"
            if shape == "fix"
            else ""
        )
        files[f"arch/{a}/include/asm/device.h"] = (
            f"#ifndef _ASM_{a.upper()}_DEVICE_H\n#define _ASM_{a.upper()}"
            f"_DEVICE_H\n\nstruct dev_archdata {{\n{member}"
            "\tvoid *iommu;\n};\n\n#endif\n"
        )
        files[f"arch/{a}/mm/dma-mapping.c"] = (
            "// SPDX-License-Identifier: GPL-2.0\n#include <linux/dma-mapping.h>\n\n"
            "void arch_setup_dma_ops(struct device *dev, u64 dma_base, u64 size,\n"
            "\t\t\tconst struct iommu_ops *iommu, bool coherent)\n{\n"
            + textwrap.dedent(XEN_SETUP[shape]).format(a=a) + "}\n")
        if shape == "fix":
            files[f"arch/{a}/include/asm/xen/page-coherent.h"] = textwrap.dedent("""\
                #ifndef _ASM_ARM_XEN_PAGE_COHERENT_H
                #define _ASM_ARM_XEN_PAGE_COHERENT_H

                static inline const struct dma_map_ops *xen_get_dma_ops(struct device *dev)
                {
                	if (dev && dev->archdata.dev_dma_ops)
                		return dev->archdata.dev_dma_ops;
                	return get_arch_dma_ops(NULL);
                }

                #endif
                """)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def snapshot(root):
    """{relative path: content} of every file, to prove what changed."""
    root = Path(root)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}
