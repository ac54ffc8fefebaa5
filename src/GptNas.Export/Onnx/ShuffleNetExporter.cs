using GptNas.Networks;
using TorchSharp.Modules;

namespace GptNas.Export.Onnx;

/// <summary>
/// torchvision's ShuffleNetV2 InvertedResidual (<c>Networks/ShuffleNetBlocks.cs</c>): with stride 1 (no
/// <c>branch1</c>) the channels split in two halves and only the second runs <c>branch2</c>; with a stride both
/// branches see the whole input. Then concatenation and the channel shuffle of two groups.
/// </summary>
public static class ShuffleNetExporter
{
    public static string Write(OnnxModuleWriter writer, string prefix, InvertedResidual block, string x)
    {
        var graph = writer.Graph;
        // branch2's last conv gives the width of each half.
        var half = OnnxModuleWriter.ChildOrNull(block, "branch2")!.named_children().Select(c => c.module).OfType<Conv2d>().Last().weight!.shape[0];
        string joined;
        if (OnnxModuleWriter.ChildOrNull(block, "branch1") is null)
        {
            var halves = graph.Node("Split", [x, graph.Int64s($"{prefix}split", half, half)], 2, OnnxGraph.Int("axis", 1));
            joined = graph.Concat(halves[0], writer.Child(prefix, block, "branch2", halves[1]));
        }
        else joined = graph.Concat(writer.Child(prefix, block, "branch1", x), writer.Child(prefix, block, "branch2", x));
        return ChannelShuffle(graph, prefix, joined, 2, 2 * half);
    }

    /// <summary>
    /// torchvision's <c>channel_shuffle</c>: (B, g*c, H, W) -> (B, g, c, H*W) -> swap g and c -> back to (B, C, H, W).
    /// The batch stays dynamic (Reshape's 0 copies it); the final shape is the input's own.
    /// </summary>
    public static string ChannelShuffle(OnnxGraph graph, string prefix, string x, long groups, long channels)
    {
        var shape = graph.Node("Shape", [x]);
        var grouped = graph.Node("Reshape", [x, graph.Int64s($"{prefix}shuffle_shape", 0, groups, channels / groups, -1)]);
        var swapped = graph.Node("Transpose", [grouped], OnnxGraph.Ints("perm", [0, 2, 1, 3]));
        return graph.Node("Reshape", [swapped, shape]);
    }
}
