namespace GptNas.Training;

/// <summary>Top-1, top-5 and mean loss of one evaluation pass; <see cref="AugmentedTop1"/>: top-1 with test-time augmentation (flip, translation), when asked.</summary>
public sealed record Evaluation(double Top1, double Top5, double Loss, int Images, double? AugmentedTop1 = null);

public sealed record TrainingResult(IReadOnlyList<EpochMetrics> History, Evaluation? Test, double Seconds)
{
    public EpochMetrics Last => History[^1];
}

/// <summary>Live progress, reported after every batch and at every epoch's end.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int ImagesDone, int ImagesPerEpoch, double Loss, double Accuracy,
    double ImagesPerSecond, EpochMetrics? Finished = null);
