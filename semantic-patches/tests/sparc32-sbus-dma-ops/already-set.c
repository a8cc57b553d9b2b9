static int __init iounit_init(void)
{
	struct device_node *dp;

	for_each_node_by_name(dp, "sbi") {
		struct platform_device *op = of_find_device_by_node(dp);

		iounit_iommu_init(op);
		set_dma_ops(&op->dev, &iounit_dma_ops);
		of_propagate_archdata(op);
	}
	return 0;
}
