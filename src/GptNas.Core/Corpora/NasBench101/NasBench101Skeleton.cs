using GptNas.Architectures;

namespace GptNas.Corpora.NasBench101;

/// <summary>
/// A cell placed in NAS-Bench-101's fixed network (GPT-NAS §4) and written as layer units, exactly as
/// nasbench's <c>model_builder</c> builds it: a 3x3 conv-BN-ReLU stem to 128 channels; 3 stacks of 3 cells
/// at 128, 256 and 512 channels with a 2x2 max-pool (stride 2) before the second and third stack; global
/// average pooling; a linear classifier. Parameter counts summed from these units equal nasbench's
/// <c>trainable_parameters</c>.
/// </summary>
/// <remarks>
/// Inside a cell (<c>build_module</c>), vertices are written in their (topological) order. For each interior
/// vertex: a <c>truncate</c> unit for each interior input with one channel too many, a 1x1 conv-BN-ReLU
/// projection of the cell input when the input feeds it, an <c>add</c> unit when more than one tensor
/// arrives, then its operation. The output concatenates the vertices that feed it (a <c>concat</c> unit when
/// there are several) and adds a projection of the cell input when the input feeds it directly; a cell whose
/// input is its only source is just that projection. Channels follow <see cref="VertexChannels"/>.
/// NOTE: TensorFlow's 'same' 2x2 pooling pads only at the end of an odd-sized map; it is written here as
/// padding 0 with ceil mode, which gives the same output size.
/// </remarks>
public static class NasBench101Skeleton
{
    public const int StemChannels = 128;
    /// <summary>Layers of the stem (conv, BN, ReLU): the first cell's input is where stages count from.</summary>
    public const int StemUnits = 3;
    public const int Stacks = 3;
    public const int CellsPerStack = 3;

    /// <summary>CIFAR-10's image size, at which NAS-Bench-101 trained every cell.</summary>
    public static Shape DefaultInput { get; } = new(3, 32, 32);

    /// <summary>Every layer of the network built around <paramref name="cell"/>, in forward order.</summary>
    public static IReadOnlyList<LayerUnit> Flatten(Cell cell, Shape input, int classes = 10)
    {
        if (classes < 1) throw new GptNasException($"classes must be at least 1, got {classes}");
        var pruned = cell.Prune() ?? throw new GptNasException($"cell '{cell}' cannot be built: no path joins its input to its output");
        var units = new List<LayerUnit>();
        var w = new LayerWriter(input, units).Conv(StemChannels, 3).BatchNorm().Activation("relu");
        var shape = w.Shape;
        var channels = StemChannels;
        for (var stack = 0; stack < Stacks; stack++)
        {
            if (stack > 0)
            {
                shape = new LayerWriter(shape, units).Pool(PoolType.Max, 2, 2, 0, ceil: true).Shape;
                channels *= 2;
            }
            for (var module = 0; module < CellsPerStack; module++) shape = WriteCell(pruned, shape, channels, units);
        }
        new LayerWriter(shape, units).GlobalAvgPool();
        units.Add(LayerUnit.Fc(shape.Channels, classes));
        return units;
    }

    /// <summary>The layer tokens of <see cref="Flatten"/> (sizes relative to the input, see <see cref="LayerToken"/>).</summary>
    public static IReadOnlyList<LayerToken> Tokens(Cell cell, Shape input, int classes = 10) =>
        LayerToken.Encode(size => Flatten(cell, size, classes), input, StemUnits);

    /// <summary>Appends one cell (nasbench's <c>build_module</c>) with <paramref name="channels"/> output channels; returns its output shape.</summary>
    public static Shape WriteCell(Cell cell, Shape input, int channels, List<LayerUnit> units)
    {
        var pruned = cell.Prune() ?? throw new GptNasException($"cell '{cell}' cannot be built: no path joins its input to its output");
        var n = pruned.Vertices;
        var vc = VertexChannels(pruned, input.Channels, channels);
        var at = (int c) => input.WithChannels(c);
        var sources = 0;
        for (var t = 1; t < n - 1; t++)
        {
            var arriving = 0;
            for (var src = 1; src < t; src++)
            {
                if (!pruned.HasEdge(src, t)) continue;
                arriving++;
                if (vc[src] > vc[t]) new LayerWriter(at(vc[src]), units).Other("truncate", at(vc[t]));
            }
            if (pruned.HasEdge(0, t)) { Projection(input, vc[t], units); arriving++; }
            if (arriving > 1) new LayerWriter(at(vc[t]), units).Other("add");
            var op = new LayerWriter(at(vc[t]), units);
            _ = pruned.Ops[t] switch
            {
                CellOp.Conv3x3BnRelu => op.Conv(vc[t], 3).BatchNorm().Activation("relu"),
                CellOp.Conv1x1BnRelu => op.Conv(vc[t], 1).BatchNorm().Activation("relu"),
                _ => op.Pool(PoolType.Max, 3, 1, 1),
            };
            if (pruned.HasEdge(t, n - 1)) sources++;
        }
        var output = at(channels);
        if (sources == 0)
        {
            Projection(input, channels, units);
            return output;
        }
        if (sources > 1)
        {
            var first = Enumerable.Range(1, n - 2).First(t => pruned.HasEdge(t, n - 1));
            new LayerWriter(at(vc[first]), units).Other("concat", output);
        }
        if (pruned.HasEdge(0, n - 1))
        {
            Projection(input, channels, units);
            new LayerWriter(output, units).Other("add");
        }
        return output;
    }

    // model_builder.projection: a 1x1 conv-BN-ReLU of the cell input.
    private static void Projection(Shape input, int channels, List<LayerUnit> units) =>
        new LayerWriter(input, units).Conv(channels, 1).BatchNorm().Activation("relu");

    /// <summary>
    /// nasbench's <c>compute_vertex_channels</c> on the pruned cell: the output's channels are split evenly
    /// over the vertices that feed it (the first ones get one more when it does not divide), and every other
    /// interior vertex takes the largest channel count among the interior vertices it feeds.
    /// </summary>
    public static int[] VertexChannels(Cell cell, int inputChannels, int outputChannels)
    {
        var pruned = cell.Prune() ?? throw new GptNasException($"cell '{cell}' has no channels: no path joins its input to its output");
        var n = pruned.Vertices;
        var vc = new int[n];
        vc[0] = inputChannels;
        vc[n - 1] = outputChannels;
        if (n == 2) return vc;
        // The output's in-degree, not counting the input (nasbench sums matrix[1:]).
        var fanIn = Enumerable.Range(1, n - 2).Count(v => pruned.HasEdge(v, n - 1));
        var interior = outputChannels / fanIn;
        var correction = outputChannels % fanIn;
        for (var v = 1; v < n - 1; v++)
        {
            if (!pruned.HasEdge(v, n - 1)) continue;
            vc[v] = interior;
            if (correction > 0) { vc[v]++; correction--; }
        }
        for (var v = n - 3; v > 0; v--)
        {
            if (!pruned.HasEdge(v, n - 1))
                for (var dst = v + 1; dst < n - 1; dst++)
                    if (pruned.HasEdge(v, dst)) vc[v] = Math.Max(vc[v], vc[dst]);
            if (vc[v] <= 0) throw new GptNasException($"cell '{cell}': vertex {v} gets no channels from {outputChannels} output channels");
        }
        return vc;
    }

    /// <summary>
    /// The block kind of each layer of a NAS-Bench-101 network, as the block space names them: every conv-BN-ReLU
    /// (the stem, the cell's convolutions and projections) is a ConvNormActivation, every spatial max-pool a MaxPool;
    /// the merges (add, concat) and the head belong to no block (null).
    /// </summary>
    public static BlockKind?[] BlockLabels(IReadOnlyList<LayerToken> tokens)
    {
        var labels = new BlockKind?[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Category == LayerCategory.Conv && i + 2 < tokens.Count && tokens[i + 1].Name == "BN" && tokens[i + 2].Name == "ReLU")
            {
                labels[i] = labels[i + 1] = labels[i + 2] = BlockKind.ConvNormActivation;
                i += 2;
            }
            else if (tokens[i] is { Category: LayerCategory.Pool, Pool: PoolType.Max, IsGlobal: false, Kernel: > 0 })
                labels[i] = BlockKind.MaxPool;
        }
        return labels;
    }
}
