namespace GptNas.Tests;

/// <summary>
/// torchvision's published num_params of the 36 reference CNNs (224x224x3, 1000 classes), from each model
/// builder's documentation page. Kept here literally, apart from the catalog, so the catalog cannot grade
/// itself; both the analytic counts (Core) and the TorchSharp modules (Torch) are checked against it.
/// </summary>
internal static class TorchvisionParameters
{
    public static TheoryData<string, long> Published => new()
    {
        { "efficientnet_b0", 5288548 },
        { "efficientnet_b1", 7794184 },
        { "efficientnet_b2", 9109994 },
        { "efficientnet_b3", 12233232 },
        { "efficientnet_b4", 19341616 },
        { "efficientnet_b5", 30389784 },
        { "efficientnet_b6", 43040704 },
        { "efficientnet_b7", 66347960 },
        { "googlenet", 6624904 },
        { "regnet_x_400mf", 5495976 },
        { "regnet_x_800mf", 7259656 },
        { "regnet_x_1_6gf", 9190136 },
        { "regnet_x_3_2gf", 15296552 },
        { "regnet_x_8gf", 39572648 },
        { "regnet_x_16gf", 54278536 },
        { "regnet_x_32gf", 107811560 },
        { "regnet_y_400mf", 4344144 },
        { "regnet_y_800mf", 6432512 },
        { "regnet_y_1_6gf", 11202430 },
        { "regnet_y_3_2gf", 19436338 },
        { "regnet_y_8gf", 39381472 },
        { "regnet_y_16gf", 83590140 },
        { "regnet_y_32gf", 145046770 },
        { "resnet18", 11689512 },
        { "resnet34", 21797672 },
        { "resnet50", 25557032 },
        { "resnet101", 44549160 },
        { "resnet152", 60192808 },
        { "resnext50_32x4d", 25028904 },
        { "resnext101_32x8d", 88791336 },
        { "shufflenet_v2_x0_5", 1366792 },
        { "shufflenet_v2_x1_0", 2278604 },
        { "shufflenet_v2_x1_5", 3503624 },
        { "shufflenet_v2_x2_0", 7393996 },
        { "wide_resnet50_2", 68883240 },
        { "wide_resnet101_2", 126886696 },
    };
}
