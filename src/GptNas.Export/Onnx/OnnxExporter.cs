using System.Text.Json;
using GptNas.Networks;
using GptNas.Training;
using Onnx;
using Google.Protobuf;

namespace GptNas.Export.Onnx;

/// <summary>
/// A trained <see cref="Network"/> as an ONNX model: input <c>image</c>, float (N, C, H, W) with N dynamic and
/// pixels scaled to [0, 1]; the training split's normalization as the graph's first two nodes; output
/// <c>logits</c> (N, classes). Metadata: the class names, input shape, normalization and architecture.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Opset 17 (ONNX 1.12); IR version 8 keeps the file readable by Debian 12's onnx checker (1.13).</summary>
    public const int Opset = 17;
    public const int IrVersion = 8;
    public const string InputName = "image";
    public const string OutputName = "logits";

    public static ModelProto Build(Network network, ModelInput input)
    {
        var architecture = network.Architecture;
        if (input.Shape != architecture.Input)
            throw new GptNasException($"the model's input record says {input.Shape} but its architecture takes {architecture.Input}");
        var graph = new OnnxGraph();
        var writer = new OnnxModuleWriter(graph);
        graph.Graph.Input.Add(Value(InputName, "batch", input.Channels, input.Height, input.Width));

        var c = input.Channels;
        var x = graph.Node("Sub", [InputName, graph.Constant("normalization.mean", input.Mean, 1, c, 1, 1)]);
        x = graph.Node("Div", [x, graph.Constant("normalization.std", input.Std, 1, c, 1, 1)]);
        x = writer.Sequence("features.", OnnxModuleWriter.ChildOrNull(network, "features")!, x);   // (N, C', H', W')
        x = graph.Node("ReduceMean", [x], OnnxGraph.Ints("axes", [2, 3]), OnnxGraph.Int("keepdims", 0)); // (N, C')
        var fc = (TorchSharp.Modules.Linear)OnnxModuleWriter.ChildOrNull(network, "fc")!;
        graph.Node("Gemm", [x, graph.Weight("fc.weight", fc.weight!), graph.Weight("fc.bias", fc.bias!)], OnnxGraph.Int("transB", 1));
        graph.Graph.Node[^1].Output[0] = OutputName;                                             // (N, classes)
        graph.Graph.Output.Add(Value(OutputName, "batch", architecture.Classes));

        var model = new ModelProto
        {
            IrVersion = IrVersion, ProducerName = "gptnas", ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph.Graph, DocString = architecture.Canonical,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in Metadata(network, input)) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically.</summary>
    public static void Export(Network network, ModelInput input, string path) =>
        ExportFiles.WriteAtomically(path, temporary => File.WriteAllBytes(temporary, Build(network, input).ToByteArray()));

    /// <summary>The metadata keys a reader needs to feed the model and name its outputs.</summary>
    public static IEnumerable<(string Key, string Value)> Metadata(Network network, ModelInput input)
    {
        yield return ("gptnas.classes", JsonSerializer.Serialize(input.ClassNames));
        yield return ("gptnas.input_shape", JsonSerializer.Serialize(new[] { input.Channels, input.Height, input.Width }));
        yield return ("gptnas.input", "float32 NCHW, N dynamic, pixels scaled to [0, 1]; the normalization (x - mean) / std is inside the graph");
        yield return ("gptnas.mean", JsonSerializer.Serialize(input.Mean));
        yield return ("gptnas.std", JsonSerializer.Serialize(input.Std));
        yield return ("gptnas.data", input.Data);
        yield return ("gptnas.architecture", network.Architecture.Canonical);
        yield return ("gptnas.hash", network.Architecture.Hash);
    }

    private static ValueInfoProto Value(string name, string batch, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
