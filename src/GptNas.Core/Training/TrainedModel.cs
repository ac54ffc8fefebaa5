namespace GptNas.Training;

/// <summary>
/// What training one architecture to the end measured: a search's final training (GPT-NAS §7, stored with its
/// study) and <c>gptnas train</c> (stored as <c>metrics.json</c>) both record this. Accuracies are fractions.
/// </summary>
/// <remarks>Studies written by earlier versions hold only the test accuracies, seconds and history; the rest reads as 0.</remarks>
public sealed record TrainedModel
{
    public string Hash { get; init; } = "";
    public long Parameters { get; init; }
    public long Flops { get; init; }
    public double TestTop1 { get; init; }
    public double TestTop5 { get; init; }
    /// <summary>Test top-1 with test-time augmentation (<see cref="TrainingConfig.TestTimeAugmentation"/>); null without it.</summary>
    public double? TestTop1Augmented { get; init; }
    public double TestLoss { get; init; }
    public int TestImages { get; init; }
    public double Seconds { get; init; }
    public IReadOnlyList<EpochMetrics> History { get; init; } = [];

    /// <summary>Mean training rate over the epochs.</summary>
    public double TrainImagesPerSecond => History.Count == 0 ? 0 : History.Average(h => h.ImagesPerSecond);
}
