static void __init sbus_iommu_init(struct platform_device *op)
{
	op->dev.archdata.iommu = kzalloc(sizeof(struct iommu_struct), GFP_KERNEL);
}

static int __init iommu_init(void)
{
	struct device_node *dp;

	for_each_node_by_name(dp, "iommu") {
		struct platform_device *op = of_find_device_by_node(dp);

		sbus_iommu_init(op);
		of_propagate_archdata(op);
	}

	return 0;
}
