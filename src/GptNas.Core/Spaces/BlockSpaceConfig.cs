using GptNas.Architectures;

namespace GptNas.Spaces;

/// <summary>The GPT-NAS block space (§2) for one data set: sizes, widths and limits of its candidates.</summary>
public sealed record BlockSpaceConfig
{
    /// <summary>Input images, HxWxC.</summary>
    public required Shape Input { get; init; }
    public required int Classes { get; init; }
    /// <summary>Fewest blocks after the stem (paper: 10).</summary>
    public int MinBlocks { get; init; } = 10;
    /// <summary>Most blocks after the stem (paper: 20).</summary>
    public int MaxBlocks { get; init; } = 20;
    /// <summary>Output channels per stage (a stage ends at each down-sampling block); paper scale 64/128/256.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256];
    /// <summary>Most down-sampling blocks (3 for 32x32 inputs, 5 for 224x224); never the first block.</summary>
    public int MaxDownsamples { get; init; } = 3;
    /// <summary>Stem: ConvNormActivation 3x3 to the first width, with this stride (2 for large inputs).</summary>
    public int StemStride { get; init; } = 1;
    /// <summary>Dropout before the classifier.</summary>
    public double Dropout { get; init; }
    /// <summary>Block kinds a candidate may use; all 15 by default.</summary>
    public IReadOnlyList<BlockKind> Kinds { get; init; } = Enum.GetValues<BlockKind>();

    /// <summary>The §2 default for the number of down-sampling blocks at this input size.</summary>
    public static int DefaultDownsamples(Shape input) => Math.Min(input.Height, input.Width) >= 128 ? 5 : Math.Min(input.Height, input.Width) >= 28 ? 3 : 2;
}
