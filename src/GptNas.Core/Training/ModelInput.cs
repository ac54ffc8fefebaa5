namespace GptNas.Training;

/// <summary>
/// What a trained model expects of an image and what its outputs mean, stored with its weights so that
/// prediction and export need no data set: the image shape, the per-channel normalization of the training split
/// (pixels scaled to [0, 1], then <c>(x - mean) / std</c>) and the class names in output order.
/// </summary>
public sealed record ModelInput
{
    public int Channels { get; init; }
    public int Height { get; init; }
    public int Width { get; init; }
    /// <summary>Per-channel mean of the training pixels, scaled to [0, 1].</summary>
    public float[] Mean { get; init; } = [];
    /// <summary>Per-channel standard deviation of the training pixels, scaled to [0, 1].</summary>
    public float[] Std { get; init; } = [];
    /// <summary>Class names by output index.</summary>
    public string[] ClassNames { get; init; } = [];
    /// <summary>The data set the model was trained on, as given to <c>--data</c>.</summary>
    public string Data { get; init; } = "";

    /// <summary>Null when the record is consistent, else why not.</summary>
    public string? Validate()
    {
        if (Channels < 1 || Height < 1 || Width < 1) return $"image shape {Channels}x{Height}x{Width} is not positive";
        if (Mean.Length != Channels || Std.Length != Channels) return $"normalization has {Mean.Length} means and {Std.Length} deviations for {Channels} channels";
        if (Std.Any(s => !(s > 0))) return "a standard deviation is not positive";
        if (ClassNames.Length < 1) return "no class names";
        return null;
    }

    /// <summary>The input shape (written <c>HxWxC</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Architectures.Shape Shape => new(Channels, Height, Width);
}
