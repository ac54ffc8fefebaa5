namespace GptNas.Training;

/// <summary>What one epoch measured. Accuracies are fractions in [0, 1]; null where no split was given.</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationTop1,
    double? ValidationLoss,
    double LearningRate,
    double Seconds,
    double ImagesPerSecond);
