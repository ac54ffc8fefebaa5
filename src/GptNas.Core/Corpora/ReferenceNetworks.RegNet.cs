using GptNas.Architectures;

namespace GptNas.Corpora;

public static partial class ReferenceNetworks
{
    /// <summary>
    /// torchvision.models.regnet.RegNet: SimpleStemIN to 32 channels, then one stage per distinct width of
    /// <see cref="RegNetStages"/>, each a run of ResBottleneckBlocks (the first with stride 2), bottleneck
    /// multiplier 1; RegNetY adds squeeze-excitation with ratio 0.25.
    /// </summary>
    private static Architecture RegNet(Shape input, int classes, int depth, int w0, double wa, double wm, int groupWidth, double se = 0)
    {
        var stem = new[] { B(BlockKind.SimpleStemIN, ("out", 32), ("stride", 2)) };
        var blocks = new List<Block>();
        foreach (var (width, stageDepth, stageGroupWidth) in RegNetStages(depth, w0, wa, wm, groupWidth))
            for (var i = 0; i < stageDepth; i++)
                blocks.Add(B(BlockKind.ResBottleneckBlock, ("out", width), ("stride", i == 0 ? 2 : 1), ("group_width", stageGroupWidth),
                             ("bottleneck", 1.0), ("se", se)));
        return new Architecture(input, classes, stem, blocks);
    }

    /// <summary>
    /// BlockParams.from_init_params: per-block widths w_0 + i * w_a, snapped in log space to powers of
    /// w_m and quantized to multiples of 8; consecutive equal widths form a stage; then
    /// _adjust_widths_groups_compatibilty makes each width a multiple of its group width.
    /// torchvision computes the widths with float32 tensors, so this does too: a different rounding
    /// near a .5 boundary would change a stage width.
    /// </summary>
    internal static IReadOnlyList<(int Width, int Depth, int GroupWidth)> RegNetStages(int depth, int w0, double wa, double wm, int groupWidth)
    {
        const int quant = 8;
        var logWm = (float)Math.Log(wm);
        var widths = new int[depth];
        for (var i = 0; i < depth; i++)
        {
            var continuous = (float)i * (float)wa + w0;
            var capacity = MathF.Round(MathF.Log(continuous / w0) / logWm);
            var width = (float)w0 * MathF.Pow((float)wm, capacity);
            widths[i] = (int)(MathF.Round(width / quant) * quant);
        }
        var stages = new List<(int Width, int Depth, int GroupWidth)>();
        for (var i = 0; i < depth; i++)
        {
            if (i > 0 && widths[i] == widths[i - 1]) stages[^1] = stages[^1] with { Depth = stages[^1].Depth + 1 };
            else stages.Add((widths[i], 1, 0));
        }
        // Bottleneck multiplier 1: the bottleneck width equals the stage width.
        return stages.Select(s =>
        {
            var g = Math.Min(groupWidth, s.Width);
            return (MakeDivisible(s.Width, g), s.Depth, g);
        }).ToArray();
    }
}
