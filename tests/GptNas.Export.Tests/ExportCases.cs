using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Tests;

/// <summary>
/// The networks every exporter is checked on: each of the 15 block kinds in a small network (both forms where a
/// kind has two: shortcut or not, stride 1 or 2, ceil mode), one network of all kinds, and 11 of the 36
/// reference networks at 32x32x3. Weights, BN statistics and the classifier are randomized so that no layer is
/// an identity and the logits are of order 1.
/// </summary>
public static class ExportCases
{
    private const string Stem = """
        input 16x16x3
        classes 5
        stem Conv out=16 kernel=3 stride=1 padding=1 groups=1 bias=0
        stem BatchNorm
        stem ReLU

        """;

    public static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string>
    {
        ["Conv"] = "block Conv out=12 kernel=3 stride=2 padding=1 groups=4 bias=1",
        ["BatchNorm"] = "block BatchNorm",
        ["ReLU"] = "block Conv out=16 kernel=1 stride=1 padding=0 groups=1 bias=1\nblock ReLU",
        ["MaxPool"] = "block MaxPool kernel=3 stride=2 padding=1 ceil=0\nblock MaxPool kernel=2 stride=2 padding=0 ceil=1",
        ["AvgPool"] = "block AvgPool kernel=3 stride=2 padding=1 ceil=0\nblock AvgPool kernel=3 stride=2 padding=1 ceil=1",
        ["ConvNormActivation"] = "block ConvNormActivation out=24 kernel=3 stride=2 groups=1 act=silu\nblock ConvNormActivation out=24 kernel=5 stride=1 groups=24 act=none\nblock ConvNormActivation out=16 kernel=1 stride=1 groups=1 act=gelu\nblock ConvNormActivation out=16 kernel=2 stride=1 groups=1 act=gelu norm=none\nblock ConvNormActivation out=16 kernel=3 stride=1 groups=1 act=gelu pool=2",
        ["SqueezeExcitation"] = "block SqueezeExcitation squeeze=4 act=silu\nblock SqueezeExcitation squeeze=6 act=relu",
        ["Inception"] = "block Inception c1=8 c3r=8 c3=12 c5r=4 c5=6 pool=6",
        ["BasicBlock"] = "block BasicBlock out=16 stride=1\nblock BasicBlock out=24 stride=2",
        ["Bottleneck"] = "block Bottleneck out=32 stride=2 width=8\nblock Bottleneck out=32 stride=1 width=8",
        ["GroupedBottleneck"] = "block GroupedBottleneck out=32 stride=1 width=16 groups=4",
        ["WideBottleneck"] = "block WideBottleneck out=32 stride=2 width=32",
        ["ResBottleneckBlock"] = "block ResBottleneckBlock out=24 stride=2 group_width=8 bottleneck=1 se=0.25\nblock ResBottleneckBlock out=24 stride=1 group_width=4 bottleneck=0.5 se=0",
        ["SimpleStemIN"] = "block SimpleStemIN out=24 stride=2",
        ["InvertedResidual"] = "block InvertedResidual out=32 stride=2\nblock InvertedResidual out=32 stride=1",
    };

    public static readonly string[] References =
    [
        "resnet18", "resnet34", "googlenet", "efficientnet_b0", "efficientnet_b1",
        "regnet_x_400mf", "regnet_x_800mf", "regnet_y_400mf", "regnet_y_800mf", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0",
    ];

    public static IEnumerable<string> Names => Kinds.Keys.Select(k => $"kind:{k}").Append("every-kind").Concat(References);

    public static TheoryData<string> All => new(Names);

    public static Architecture Architecture(string name)
    {
        if (name.StartsWith("kind:", StringComparison.Ordinal)) return GptNas.Architectures.Architecture.Parse(Stem + Kinds[name[5..]] + "\nhead dropout=0.2");
        if (name == "every-kind") return GptNas.Architectures.Architecture.Parse(Stem + string.Join("\n", Kinds.Values.Where(b => !b.Contains("stride=2"))) + "\nhead dropout=0.1");
        return ReferenceNetworks.Build(name, new Shape(3, 32, 32), 10);
    }

    public static ModelInput Input(Architecture architecture) => new()
    {
        Channels = architecture.Input.Channels, Height = architecture.Input.Height, Width = architecture.Input.Width,
        Mean = [.. Enumerable.Range(0, architecture.Input.Channels).Select(c => 0.4f + 0.05f * c)],
        Std = [.. Enumerable.Range(0, architecture.Input.Channels).Select(c => 0.2f + 0.02f * c)],
        ClassNames = [.. Enumerable.Range(0, architecture.Classes).Select(c => $"class {c}")],
        Data = "test",
    };

    /// <summary>The network of <paramref name="name"/>, randomized as trained weights would be, in eval mode.</summary>
    public static Network Build(string name)
    {
        var network = NetworkBuilder.Build(Architecture(name), new Seeds(3));
        using var generator = new Generator(17);
        using var _ = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            if (module is TorchSharp.Modules.BatchNorm bn)
            {
                bn.weight!.uniform_(0.5, 1.5, generator);
                bn.bias!.uniform_(-0.2, 0.2, generator);
                bn.running_mean!.uniform_(-0.2, 0.2, generator);
                bn.running_var!.uniform_(0.5, 1.5, generator);
            }
            else if (module is Linear fc)
            {
                fc.weight!.normal_(0, 1 / Math.Sqrt(fc.weight.shape[1]), generator);
                fc.bias!.uniform_(-0.5, 0.5, generator);
            }
        }
        network.eval();
        return network;
    }

    /// <summary>A batch of 3 images of pixels in [0, 1], the ONNX model's input.</summary>
    public static Tensor Pixels(ModelInput input) =>
        torch.rand([3, input.Channels, input.Height, input.Width], generator: new Generator(23));

    /// <summary>TorchSharp's logits for <paramref name="pixels"/>, normalized as the model's input says.</summary>
    public static float[] Logits(Network network, ModelInput input, Tensor pixels)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var mean = torch.tensor(input.Mean).view(1, -1, 1, 1);
        var std = torch.tensor(input.Std).view(1, -1, 1, 1);
        return network.call((pixels - mean) / std).data<float>().ToArray();
    }

    public static double MaxAbsDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }
}
