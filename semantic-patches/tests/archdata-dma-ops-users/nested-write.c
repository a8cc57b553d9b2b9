// SPDX-License-Identifier: GPL-2.0
/*
 * Example bridge: devices below the bridge go through its translation unit.
 */
#include <linux/pci.h>
#include <linux/dma-mapping.h>

extern struct dma_map_ops examplebr_dma_ops;

static void examplebr_fixup_device(struct pci_dev *pdev)
{
	if (!pdev->bus->self)
		return;

	pdev->dev.archdata.dma_ops = &examplebr_dma_ops;
	dev_dbg(&pdev->dev, "using bridge DMA ops\n");
}
DECLARE_PCI_FIXUP_FINAL(PCI_ANY_ID, PCI_ANY_ID, examplebr_fixup_device);
