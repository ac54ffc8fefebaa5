using TorchSharp.Modules;

namespace GptNas.Export.Onnx;

/// <summary>The single-layer block kinds (<c>Networks/PlainBlocks.cs</c>) that are not one obvious ONNX node.</summary>
public static class PlainExporter
{
    public static string MaxPool(OnnxGraph graph, MaxPool2d pool, string x) =>
        graph.Node("MaxPool", [x], Window(pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode));

    /// <summary>PyTorch's AvgPool2d counts the zero padding in the divisor, as ONNX's count_include_pad=1 does.</summary>
    public static string AvgPool(OnnxGraph graph, AvgPool2d pool, string x) =>
        graph.Node("AveragePool", [x], [.. Window(pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode),
            OnnxGraph.Int("count_include_pad", pool.count_include_pad ? 1 : 0)]);

    private static global::Onnx.AttributeProto[] Window(long[] kernel, long[]? stride, long[]? padding, bool ceil)
    {
        var k = Pair(kernel);
        var s = stride is null || stride.Length == 0 ? k : Pair(stride);
        var p = padding is null || padding.Length == 0 ? [0, 0] : Pair(padding);
        return [OnnxGraph.Ints("kernel_shape", k), OnnxGraph.Ints("strides", s), OnnxGraph.Ints("pads", [p[0], p[1], p[0], p[1]]),
                OnnxGraph.Int("ceil_mode", ceil ? 1 : 0)];
    }

    private static long[] Pair(long[] values) => values.Length == 1 ? [values[0], values[0]] : values;
}
