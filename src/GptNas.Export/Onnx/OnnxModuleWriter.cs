using GptNas.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Export.Onnx;

/// <summary>
/// Writes a built <see cref="Network"/>'s modules into an <see cref="OnnxGraph"/>: <see cref="Write"/> is the one table
/// from module type to exporter, one exporter per block family as in <c>Networks/</c>. Exporters read the layers
/// (kernel, stride, padding, groups, eps) from the modules themselves, so the graph is what the network computes,
/// in eval mode: BatchNorm from its running statistics, dropout left out.
/// </summary>
public sealed class OnnxModuleWriter(OnnxGraph graph)
{
    public OnnxGraph Graph => graph;

    /// <summary>The ONNX nodes of <paramref name="module"/> applied to <paramref name="x"/>; returns the output's name.</summary>
    /// <param name="prefix">The module's state-dict path with a trailing dot ("features.3.").</param>
    public string Write(string prefix, nn.Module module, string x) => module switch
    {
        Conv2d conv => graph.Conv(prefix, conv, x),
        TorchSharp.Modules.BatchNorm bn => graph.BatchNorm(prefix, bn, x),
        ReLU => graph.Relu(x),
        SiLU => graph.Silu(x),
        GELU => graph.Gelu(x),
        Dropout => x,
        MaxPool2d pool => PlainExporter.MaxPool(graph, pool, x),
        AvgPool2d pool => PlainExporter.AvgPool(graph, pool, x),
        Chain => Sequence(prefix, module, x),
        ConvNormActivation => Sequence(prefix, module, x, ConvNormActivationAlias),
        SqueezeExcitation se => EfficientNetExporter.SqueezeExcitation(this, prefix, se, x),
        BasicConv2d or Inception => GoogLeNetExporter.Write(this, prefix, module, x),
        BasicBlock or Bottleneck => ResNetExporter.Write(this, prefix, module, x),
        ResBottleneckBlock block => RegNetExporter.Write(this, prefix, block, x),
        InvertedResidual block => ShuffleNetExporter.Write(this, prefix, block, x),
        _ => throw new GptNasException($"ONNX export has no rule for module {module.GetType().Name} at '{prefix.TrimEnd('.')}'"),
    };

    /// <summary>
    /// ConvNormActivation registers its layers under "0", "1", "2" as torchvision does, and TorchSharp also registers
    /// the field that holds them, so each layer is reachable twice; the exports use the torchvision names only.
    /// </summary>
    public const string ConvNormActivationAlias = "layers";

    /// <summary>The children of <paramref name="module"/> applied one after the other, as <c>nn.Sequential</c> does.</summary>
    public string Sequence(string prefix, nn.Module module, string x, string? skip = null)
    {
        foreach (var (name, child) in module.named_children())
            if (name != skip) x = Write($"{prefix}{name}.", child, x);
        return x;
    }

    /// <summary>The child <paramref name="name"/> applied to <paramref name="x"/>.</summary>
    public string Child(string prefix, nn.Module module, string name, string x) =>
        Write($"{prefix}{name}.", ChildOrNull(module, name) ?? throw new GptNasException($"module '{prefix}' has no child '{name}'"), x);

    public static nn.Module? ChildOrNull(nn.Module module, string name) =>
        module.named_children().FirstOrDefault(c => c.name == name).module;

    /// <summary><c>relu(main + shortcut)</c>, the residual merge of ResNet and RegNet.</summary>
    public string AddRelu(string main, string shortcut) => graph.Relu(graph.Add(main, shortcut));
}
