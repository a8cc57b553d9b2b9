/* treewide-test: -D pci_ops=dma_noncoherent_ops */
#include <linux/pci.h>
#include <linux/dma-mapping.h>

const struct dma_map_ops *dma_ops = &sbus_dma_ops;
EXPORT_SYMBOL(dma_ops);

#ifdef CONFIG_PROC_FS
static int sparc_io_proc_show(struct seq_file *m, void *v)
{
	return 0;
}
#endif
