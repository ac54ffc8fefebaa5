namespace GptNas.Training;

public enum ScheduleKind { Constant, Step, Cosine, Linear }

/// <summary>
/// Learning rate per optimizer step: an optional linear warm-up (GPT-NAS §7 ramps the proxy training up
/// to its rate), then constant, step decay (§7's final training: divide by 10 every 100 epochs), cosine, or a linear
/// decay to the end (with the warm-up, the triangular schedule of fast CIFAR-10 training). The warm-up starts at
/// <see cref="WarmupFrom"/> of the peak; cosine and linear end at <see cref="MinRate"/>.
/// Computed per step from the epoch fraction, so it does not depend on how many batches an epoch has.
/// </summary>
public sealed record LearningRateSchedule(
    double BaseRate,
    ScheduleKind Kind = ScheduleKind.Cosine,
    double WarmupEpochs = 0,
    int StepEpochs = 30,
    double StepFactor = 0.1,
    double MinRate = 0,
    double WarmupFrom = 0)
{
    /// <param name="epoch">Fractional epoch, e.g. 2.5 halfway through the third epoch.</param>
    /// <param name="totalEpochs">Length of the whole run, which cosine decays over.</param>
    public double RateAt(double epoch, int totalEpochs)
    {
        if (WarmupEpochs > 0 && epoch < WarmupEpochs)
        {
            var done = Math.Min(1.0, (epoch + 1e-9) / WarmupEpochs);
            return BaseRate * (WarmupFrom + (1 - WarmupFrom) * done);
        }
        return Kind switch
        {
            ScheduleKind.Constant => BaseRate,
            ScheduleKind.Step => BaseRate * Math.Pow(StepFactor, Math.Floor(epoch / StepEpochs)),
            ScheduleKind.Linear => MinRate + (BaseRate - MinRate) * (1 - Progress(epoch, totalEpochs)),
            _ => Cosine(epoch, totalEpochs),
        };
    }

    private double Cosine(double epoch, int totalEpochs) =>
        MinRate + (BaseRate - MinRate) * 0.5 * (1 + Math.Cos(Math.PI * Progress(epoch, totalEpochs)));

    /// <summary>How far the decay after the warm-up has come, 0 to 1.</summary>
    private double Progress(double epoch, int totalEpochs) =>
        Math.Clamp((epoch - WarmupEpochs) / Math.Max(1e-9, totalEpochs - WarmupEpochs), 0, 1);

    public static ScheduleKind ParseKind(string text) => text.ToLowerInvariant() switch
    {
        "constant" => ScheduleKind.Constant,
        "step" => ScheduleKind.Step,
        "cosine" => ScheduleKind.Cosine,
        "linear" => ScheduleKind.Linear,
        _ => throw new ArgumentException($"unknown schedule '{text}'; expected constant, step, cosine or linear"),
    };
}
