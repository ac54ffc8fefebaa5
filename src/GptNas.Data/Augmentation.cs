namespace GptNas.Data;

/// <summary>
/// Per-image training augmentation, as in the usual CIFAR recipe (He et al. 2016, §4.2): pad each side by
/// <see cref="CropPadding"/> zero pixels and crop back to the original size at a random offset, then
/// flip left-right with probability 1/2.
/// </summary>
/// <param name="CropPadding">Zero pixels added on each side before the random crop; 0 = no crop.</param>
/// <param name="HorizontalFlip">Mirror half of the images left-right.</param>
/// <param name="AlternatingFlip">
/// Derandomized flip (Jordan 2024, airbench): each image is flipped at random in the first epoch and then in every other
/// epoch after, so that over any two epochs the network sees it once each way, instead of both ways only by chance.
/// </param>
/// <param name="ReflectPadding">The padding mirrors the image's edge pixels instead of being black (airbench's translation).</param>
public sealed record Augmentation(int CropPadding = 0, bool HorizontalFlip = false, bool AlternatingFlip = false, bool ReflectPadding = false)
{
    /// <summary>No change: evaluation, or training without augmentation.</summary>
    public static Augmentation None { get; } = new();

    /// <summary>Pad 4 and crop, plus flip: the standard for 32x32 CIFAR images.</summary>
    public static Augmentation Standard { get; } = new(4, true);

    public bool IsNone => CropPadding == 0 && !HorizontalFlip;

    public override string ToString() => IsNone ? "none" : $"crop pad {CropPadding}{(ReflectPadding ? " reflect" : "")}{(HorizontalFlip ? AlternatingFlip ? " + alternating flip" : " + flip" : "")}";
}
