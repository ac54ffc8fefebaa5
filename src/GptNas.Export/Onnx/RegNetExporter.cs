using GptNas.Networks;

namespace GptNas.Export.Onnx;

/// <summary>
/// torchvision's RegNet ResBottleneckBlock (<c>Networks/RegNetBlocks.cs</c>): the sequence <c>f</c> (a, b, optional
/// se, c) plus the input or its projection <c>proj</c>, then ReLU. SimpleStemIN is a ConvNormActivation.
/// </summary>
public static class RegNetExporter
{
    public static string Write(OnnxModuleWriter writer, string prefix, ResBottleneckBlock block, string x)
    {
        var main = writer.Child(prefix, block, "f", x);
        var shortcut = OnnxModuleWriter.ChildOrNull(block, "proj") is null ? x : writer.Child(prefix, block, "proj", x);
        return writer.AddRelu(main, shortcut);
    }
}
