using Google.Protobuf;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GptNas.Export.Onnx;

/// <summary>
/// An ONNX graph being written: nodes in topological order, weights as initializers named after the
/// network's state-dict names (<c>features.3.conv1.weight</c>), so the ONNX file and the PyTorch export name every
/// tensor alike. Node outputs get fresh names; the block exporters only pass names along.
/// </summary>
public sealed class OnnxGraph
{
    private int _next;
    private readonly HashSet<string> _scalars = [];

    public GraphProto Graph { get; } = new() { Name = "gptnas" };

    /// <summary>Adds one node and returns its first output.</summary>
    public string Node(string op, string[] inputs, params AttributeProto[] attributes) => Node(op, inputs, 1, attributes)[0];

    /// <summary>Adds one node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Node(string op, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        var id = _next++;
        var node = new NodeProto { OpType = op, Name = $"{op}_{id}" };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(i => outputs == 1 ? $"t{id}" : $"t{id}_{i}").ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return names;
    }

    /// <summary>A float initializer holding a copy of <paramref name="tensor"/> (contiguous, on the CPU).</summary>
    public string Weight(string name, Tensor tensor)
    {
        using var cpu = tensor.detach().to(float32).cpu().contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(cpu.bytes) };
        proto.Dims.AddRange(cpu.shape);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A float constant of the given shape.</summary>
    public string Constant(string name, float[] values, params long[] dims)
    {
        using var tensor = torch.tensor(values).reshape(dims);
        return Weight(name, tensor);
    }

    /// <summary>An int64 constant (shapes, split sizes).</summary>
    public string Int64s(string name, params long[] values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        Graph.Initializer.Add(proto);
        return name;
    }

    // The layers PyTorch modules map to, one ONNX node each.

    /// <summary><c>nn.Conv2d</c>: kernel, stride, padding and groups read from the module itself.</summary>
    public string Conv(string prefix, Conv2d conv, string x)
    {
        var kernel = conv.weight!.shape[2..];
        var padding = conv.padding ?? [0, 0];
        var inputs = new List<string> { x, Weight(prefix + "weight", conv.weight) };
        if (conv.bias is not null) inputs.Add(Weight(prefix + "bias", conv.bias));
        return Node("Conv", [.. inputs],
            Ints("kernel_shape", kernel), Ints("strides", conv.stride), Ints("pads", [padding[0], padding[1], padding[0], padding[1]]),
            Ints("dilations", conv.dilation), Int("group", conv.groups));
    }

    /// <summary><c>nn.BatchNorm2d</c> at inference: the running statistics, kept as one node.</summary>
    public string BatchNorm(string prefix, TorchSharp.Modules.BatchNorm bn, string x) =>
        Node("BatchNormalization", [x, Weight(prefix + "weight", bn.weight!), Weight(prefix + "bias", bn.bias!),
            Weight(prefix + "running_mean", bn.running_mean!), Weight(prefix + "running_var", bn.running_var!)], Float("epsilon", (float)bn.eps));

    public string Relu(string x) => Node("Relu", [x]);

    public string Sigmoid(string x) => Node("Sigmoid", [x]);

    /// <summary>SiLU as <c>x * sigmoid(x)</c> (ONNX has no SiLU operator before opset 24).</summary>
    public string Silu(string x) => Node("Mul", [x, Sigmoid(x)]);

    /// <summary>PyTorch's exact GELU as <c>x * 0.5 * (1 + erf(x / sqrt(2)))</c> (ONNX has no Gelu operator before opset 20).</summary>
    public string Gelu(string x)
    {
        var erf = Node("Erf", [Mul(x, Scalar(1 / Math.Sqrt(2)))]);
        return Mul(x, Mul(Add(erf, Scalar(1)), Scalar(0.5)));
    }

    /// <summary>A one-element float constant, written once per graph and shared.</summary>
    private string Scalar(double value)
    {
        var name = $"scalar_{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}";
        return _scalars.Add(name) ? Constant(name, [(float)value], 1) : name;
    }

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Concat(params string[] inputs) => Node("Concat", inputs, Int("axis", 1));

    public string GlobalAveragePool(string x) => Node("GlobalAveragePool", [x]);

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
