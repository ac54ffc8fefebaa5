using GptNas.Networks;
using TorchSharp;

namespace GptNas.Export.Onnx;

/// <summary>torchvision's GoogLeNet blocks (<c>Networks/GoogLeNetBlocks.cs</c>): BasicConv2d and Inception's four concatenated branches.</summary>
public static class GoogLeNetExporter
{
    public static string Write(OnnxModuleWriter writer, string prefix, torch.nn.Module module, string x) => module switch
    {
        BasicConv2d => writer.Graph.Relu(writer.Child(prefix, module, "bn", writer.Child(prefix, module, "conv", x))),
        Inception => writer.Graph.Concat(
            writer.Child(prefix, module, "branch1", x), writer.Child(prefix, module, "branch2", x),
            writer.Child(prefix, module, "branch3", x), writer.Child(prefix, module, "branch4", x)),
        _ => throw new ArgumentException($"not a GoogLeNet block: {module.GetType().Name}", nameof(module)),
    };
}
