using GptNas.Networks;

namespace GptNas.Export.Onnx;

/// <summary>
/// torchvision.ops.misc's blocks (<c>Networks/EfficientNetBlocks.cs</c>). ConvNormActivation is a plain sequence
/// (<see cref="OnnxModuleWriter.Sequence"/>); SqueezeExcitation scales the input by a gate computed from its mean.
/// </summary>
public static class EfficientNetExporter
{
    public static string SqueezeExcitation(OnnxModuleWriter writer, string prefix, SqueezeExcitation se, string x)
    {
        var pooled = writer.Graph.GlobalAveragePool(x);                          // (B, C, 1, 1)
        var squeezed = writer.Child(prefix, se, "fc1", pooled);                  // (B, S, 1, 1)
        var activated = writer.Child(prefix, se, "activation", squeezed);
        var expanded = writer.Child(prefix, se, "fc2", activated);               // (B, C, 1, 1)
        return writer.Graph.Mul(x, writer.Graph.Sigmoid(expanded));
    }
}
