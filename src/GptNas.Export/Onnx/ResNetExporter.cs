using GptNas.Networks;
using TorchSharp;

namespace GptNas.Export.Onnx;

/// <summary>
/// torchvision's ResNet blocks (<c>Networks/ResNetBlocks.cs</c>): BasicBlock (two convs) and Bottleneck (three, also
/// ResNeXt's and Wide-ResNet's), each conv followed by its BN, ReLU between, then the shortcut added and a ReLU.
/// </summary>
public static class ResNetExporter
{
    public static string Write(OnnxModuleWriter writer, string prefix, torch.nn.Module block, string x)
    {
        var convs = block is Bottleneck ? 3 : 2;
        var y = x;
        for (var i = 1; i <= convs; i++)
        {
            y = writer.Child(prefix, block, $"bn{i}", writer.Child(prefix, block, $"conv{i}", y));
            if (i < convs) y = writer.Graph.Relu(y);
        }
        var shortcut = OnnxModuleWriter.ChildOrNull(block, "downsample") is null ? x : writer.Child(prefix, block, "downsample", x);
        return writer.AddRelu(y, shortcut);
    }
}
