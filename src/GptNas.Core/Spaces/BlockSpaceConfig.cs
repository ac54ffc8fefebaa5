using System.Text.Json.Serialization;
using GptNas.Architectures;

namespace GptNas.Spaces;

/// <summary>
/// The GPT-NAS block space (§2): its settings (a search config's <c>space</c> section, settable with
/// <c>--set space.key=value</c>) and, once <see cref="For"/> has given them, the data set's input and classes.
/// </summary>
public sealed record BlockSpaceConfig
{
    /// <summary>Fewest blocks after the stem (paper: 10).</summary>
    public int MinBlocks { get; init; } = 10;
    /// <summary>Most blocks after the stem (paper: 20).</summary>
    public int MaxBlocks { get; init; } = 20;
    /// <summary>Output channels per stage (a stage ends at each down-sampling block); paper scale 64/128/256.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256];
    /// <summary>Most down-sampling blocks, never the first block; 0 = the §2 default for the input size (<see cref="DownsampleLimit"/>).</summary>
    public int MaxDownsamples { get; init; }
    /// <summary>Dropout before the classifier.</summary>
    public double Dropout { get; init; }

    /// <summary>Input images, HxWxC: the data set's, given by <see cref="For"/>.</summary>
    [JsonIgnore] public Shape Input { get; init; }
    /// <summary>Classes of the data set, given by <see cref="For"/>.</summary>
    [JsonIgnore] public int Classes { get; init; }
    /// <summary>Block kinds a candidate may use; all 15 by default. A library setting: the command line has no key for it.</summary>
    [JsonIgnore] public IReadOnlyList<BlockKind> Kinds { get; init; } = Enum.GetValues<BlockKind>();

    /// <summary>These settings on a data set's images.</summary>
    public BlockSpaceConfig For(Shape input, int classes) => this with { Input = input, Classes = classes };

    /// <summary>Most down-sampling blocks: <see cref="MaxDownsamples"/>, or the §2 default at this input (3 at 28x28 / 32x32, 5 at 224x224).</summary>
    [JsonIgnore] public int DownsampleLimit => MaxDownsamples > 0 ? MaxDownsamples : DefaultDownsamples(Input);

    /// <summary>The stem's stride: 2 for large inputs (ImageNet-sized), else 1.</summary>
    [JsonIgnore] public int StemStride => Math.Min(Input.Height, Input.Width) >= 128 ? 2 : 1;

    /// <summary>The §2 default for the number of down-sampling blocks at this input size.</summary>
    public static int DefaultDownsamples(Shape input) => Math.Min(input.Height, input.Width) >= 128 ? 5 : Math.Min(input.Height, input.Width) >= 28 ? 3 : 2;

    /// <summary>Refuses settings no block space can be made from; keys are <c>space.*</c>.</summary>
    public void Validate(Config.SettingsCheck check)
    {
        if (Widths.Count == 0) check.Fail("space.widths must list at least one width, e.g. space.widths=16,32,64");
        for (var i = 0; i < Widths.Count; i++)
            if (Widths[i] < 1) check.Fail($"space.widths must all be positive, got {Widths[i]} at position {i + 1} of {string.Join(",", Widths)}");
        check.AtLeast(MinBlocks, "space.min_blocks", 1);
        if (MinBlocks > MaxBlocks) check.Fail($"space.min_blocks ({MinBlocks}) must be at most space.max_blocks ({MaxBlocks})");
        check.AtLeast(MaxDownsamples, "space.max_downsamples", 0);
        check.Range(Dropout, "space.dropout", 0, 1, maxOpen: true);
    }
}

