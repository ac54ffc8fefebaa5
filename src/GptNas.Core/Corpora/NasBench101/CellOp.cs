namespace GptNas.Corpora.NasBench101;

/// <summary>
/// The operation at a NAS-Bench-101 cell vertex. The first vertex is always <see cref="Input"/>, the last
/// always <see cref="Output"/>; interior vertices take one of the three operations of nasbench's
/// <c>available_ops</c>, in that order (the order fixes the labels the graph hash uses).
/// </summary>
public enum CellOp
{
    Conv3x3BnRelu,
    Conv1x1BnRelu,
    MaxPool3x3,
    Input,
    Output,
}

/// <summary>nasbench's spelling of each operation, and its integer label in <c>graph_util.hash_module</c>.</summary>
public static class CellOps
{
    /// <summary>The interior operations in nasbench's canonical order (config <c>available_ops</c>).</summary>
    public static IReadOnlyList<CellOp> Interior { get; } = [CellOp.Conv3x3BnRelu, CellOp.Conv1x1BnRelu, CellOp.MaxPool3x3];

    public static string Name(this CellOp op) => op switch
    {
        CellOp.Conv3x3BnRelu => "conv3x3-bn-relu",
        CellOp.Conv1x1BnRelu => "conv1x1-bn-relu",
        CellOp.MaxPool3x3 => "maxpool3x3",
        CellOp.Input => "input",
        _ => "output",
    };

    public static bool TryParse(string name, out CellOp op)
    {
        foreach (var candidate in Enum.GetValues<CellOp>())
        {
            if (candidate.Name() != name) continue;
            op = candidate;
            return true;
        }
        op = default;
        return false;
    }

    /// <summary>The label <c>ModelSpec.hash_spec</c> gives the vertex: -1 input, -2 output, else the index in <see cref="Interior"/>.</summary>
    internal static sbyte HashLabel(this CellOp op) => op switch
    {
        CellOp.Input => -1,
        CellOp.Output => -2,
        _ => (sbyte)op,
    };
}
