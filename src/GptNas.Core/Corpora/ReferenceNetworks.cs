using GptNas.Architectures;

namespace GptNas.Corpora;

/// <summary>
/// The 36 torchvision reference CNNs of the fine-tuning corpus (GPT-NAS §4), written in the 15 block
/// kinds of §2 at any input size and class count. Each family lives in its own file and follows
/// torchvision's constructor code step by step; the parameter count of each at 224x224x3 with 1000
/// classes equals torchvision's published num_params (see <see cref="PublishedParameters"/>).
/// </summary>
public static partial class ReferenceNetworks
{
    // By family, then by size, as torchvision's model tables list them.
    private static readonly (string Name, Func<Shape, int, Architecture> Build)[] Table =
    [
        ("efficientnet_b0", (i, c) => EfficientNet(i, c, 1.0, 1.0, 0.2)),
        ("efficientnet_b1", (i, c) => EfficientNet(i, c, 1.0, 1.1, 0.2)),
        ("efficientnet_b2", (i, c) => EfficientNet(i, c, 1.1, 1.2, 0.3)),
        ("efficientnet_b3", (i, c) => EfficientNet(i, c, 1.2, 1.4, 0.3)),
        ("efficientnet_b4", (i, c) => EfficientNet(i, c, 1.4, 1.8, 0.4)),
        ("efficientnet_b5", (i, c) => EfficientNet(i, c, 1.6, 2.2, 0.4)),
        ("efficientnet_b6", (i, c) => EfficientNet(i, c, 1.8, 2.6, 0.5)),
        ("efficientnet_b7", (i, c) => EfficientNet(i, c, 2.0, 3.1, 0.5)),
        ("googlenet", GoogLeNet),
        ("regnet_x_400mf", (i, c) => RegNet(i, c, depth: 22, w0: 24, wa: 24.48, wm: 2.54, groupWidth: 16)),
        ("regnet_x_800mf", (i, c) => RegNet(i, c, depth: 16, w0: 56, wa: 35.73, wm: 2.28, groupWidth: 16)),
        ("regnet_x_1_6gf", (i, c) => RegNet(i, c, depth: 18, w0: 80, wa: 34.01, wm: 2.25, groupWidth: 24)),
        ("regnet_x_3_2gf", (i, c) => RegNet(i, c, depth: 25, w0: 88, wa: 26.31, wm: 2.25, groupWidth: 48)),
        ("regnet_x_8gf", (i, c) => RegNet(i, c, depth: 23, w0: 80, wa: 49.56, wm: 2.88, groupWidth: 120)),
        ("regnet_x_16gf", (i, c) => RegNet(i, c, depth: 22, w0: 216, wa: 55.59, wm: 2.1, groupWidth: 128)),
        ("regnet_x_32gf", (i, c) => RegNet(i, c, depth: 23, w0: 320, wa: 69.86, wm: 2.0, groupWidth: 168)),
        ("regnet_y_400mf", (i, c) => RegNet(i, c, depth: 16, w0: 48, wa: 27.89, wm: 2.09, groupWidth: 8, se: 0.25)),
        ("regnet_y_800mf", (i, c) => RegNet(i, c, depth: 14, w0: 56, wa: 38.84, wm: 2.4, groupWidth: 16, se: 0.25)),
        ("regnet_y_1_6gf", (i, c) => RegNet(i, c, depth: 27, w0: 48, wa: 20.71, wm: 2.65, groupWidth: 24, se: 0.25)),
        ("regnet_y_3_2gf", (i, c) => RegNet(i, c, depth: 21, w0: 80, wa: 42.63, wm: 2.66, groupWidth: 24, se: 0.25)),
        ("regnet_y_8gf", (i, c) => RegNet(i, c, depth: 17, w0: 192, wa: 76.82, wm: 2.19, groupWidth: 56, se: 0.25)),
        ("regnet_y_16gf", (i, c) => RegNet(i, c, depth: 18, w0: 200, wa: 106.23, wm: 2.48, groupWidth: 112, se: 0.25)),
        ("regnet_y_32gf", (i, c) => RegNet(i, c, depth: 20, w0: 232, wa: 115.89, wm: 2.53, groupWidth: 232, se: 0.25)),
        ("resnet18", (i, c) => ResNet(i, c, [2, 2, 2, 2], basic: true)),
        ("resnet34", (i, c) => ResNet(i, c, [3, 4, 6, 3], basic: true)),
        ("resnet50", (i, c) => ResNet(i, c, [3, 4, 6, 3])),
        ("resnet101", (i, c) => ResNet(i, c, [3, 4, 23, 3])),
        ("resnet152", (i, c) => ResNet(i, c, [3, 8, 36, 3])),
        ("resnext50_32x4d", (i, c) => ResNet(i, c, [3, 4, 6, 3], groups: 32, widthPerGroup: 4)),
        ("resnext101_32x8d", (i, c) => ResNet(i, c, [3, 4, 23, 3], groups: 32, widthPerGroup: 8)),
        ("shufflenet_v2_x0_5", (i, c) => ShuffleNetV2(i, c, [24, 48, 96, 192, 1024])),
        ("shufflenet_v2_x1_0", (i, c) => ShuffleNetV2(i, c, [24, 116, 232, 464, 1024])),
        ("shufflenet_v2_x1_5", (i, c) => ShuffleNetV2(i, c, [24, 176, 352, 704, 1024])),
        ("shufflenet_v2_x2_0", (i, c) => ShuffleNetV2(i, c, [24, 244, 488, 976, 2048])),
        ("wide_resnet50_2", (i, c) => ResNet(i, c, [3, 4, 6, 3], widthPerGroup: 128)),
        ("wide_resnet101_2", (i, c) => ResNet(i, c, [3, 4, 23, 3], widthPerGroup: 128)),
    ];

    private static readonly Dictionary<string, Func<Shape, int, Architecture>> Builders =
        Table.ToDictionary(t => t.Name, t => t.Build, StringComparer.Ordinal);

    /// <summary>The 36 names, spelt as torchvision spells its model builders, by family then size.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    public static bool Contains(string name) => Builders.ContainsKey(name);

    /// <summary>Builds the named network for <paramref name="input"/> images and <paramref name="classes"/> classes.</summary>
    public static Architecture Build(string name, Shape input, int classes)
    {
        if (!Builders.TryGetValue(name, out var build))
            throw new ArchitectureException($"unknown reference network '{name}'; known: {string.Join(", ", Names)}");
        return build(input, classes);
    }

    /// <summary>torchvision's published num_params of each network (224x224x3 input, 1000 classes).</summary>
    public static IReadOnlyDictionary<string, long> PublishedParameters { get; } = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["efficientnet_b0"] = 5_288_548,
        ["efficientnet_b1"] = 7_794_184,
        ["efficientnet_b2"] = 9_109_994,
        ["efficientnet_b3"] = 12_233_232,
        ["efficientnet_b4"] = 19_341_616,
        ["efficientnet_b5"] = 30_389_784,
        ["efficientnet_b6"] = 43_040_704,
        ["efficientnet_b7"] = 66_347_960,
        ["googlenet"] = 6_624_904,
        ["regnet_x_400mf"] = 5_495_976,
        ["regnet_x_800mf"] = 7_259_656,
        ["regnet_x_1_6gf"] = 9_190_136,
        ["regnet_x_3_2gf"] = 15_296_552,
        ["regnet_x_8gf"] = 39_572_648,
        ["regnet_x_16gf"] = 54_278_536,
        ["regnet_x_32gf"] = 107_811_560,
        ["regnet_y_400mf"] = 4_344_144,
        ["regnet_y_800mf"] = 6_432_512,
        ["regnet_y_1_6gf"] = 11_202_430,
        ["regnet_y_3_2gf"] = 19_436_338,
        ["regnet_y_8gf"] = 39_381_472,
        ["regnet_y_16gf"] = 83_590_140,
        ["regnet_y_32gf"] = 145_046_770,
        ["resnet18"] = 11_689_512,
        ["resnet34"] = 21_797_672,
        ["resnet50"] = 25_557_032,
        ["resnet101"] = 44_549_160,
        ["resnet152"] = 60_192_808,
        ["resnext50_32x4d"] = 25_028_904,
        ["resnext101_32x8d"] = 88_791_336,
        ["shufflenet_v2_x0_5"] = 1_366_792,
        ["shufflenet_v2_x1_0"] = 2_278_604,
        ["shufflenet_v2_x1_5"] = 3_503_624,
        ["shufflenet_v2_x2_0"] = 7_393_996,
        ["wide_resnet50_2"] = 68_883_240,
        ["wide_resnet101_2"] = 126_886_696,
    };

    private static Block B(BlockKind kind, params (string Name, object Value)[] settings) => Block.Of(kind, settings);

    /// <summary>A plain convolution + BatchNorm + ReLU as three blocks (torchvision's stems and GoogLeNet's BasicConv2d).</summary>
    private static IEnumerable<Block> ConvBnRelu(int outChannels, int kernel, int stride, int padding)
    {
        yield return B(BlockKind.Conv, ("out", outChannels), ("kernel", kernel), ("stride", stride), ("padding", padding));
        yield return B(BlockKind.BatchNorm);
        yield return B(BlockKind.ReLU);
    }

    /// <summary>torchvision.models._utils._make_divisible: round to the nearest multiple, never more than 10% down.</summary>
    internal static int MakeDivisible(double value, int divisor)
    {
        var rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) rounded += divisor;
        return rounded;
    }
}
