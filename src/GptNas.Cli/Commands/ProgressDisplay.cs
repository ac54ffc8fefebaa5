using GptNas.Training;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary>Live training progress: one bar per epoch with loss, accuracy and speed, and a line per finished epoch.</summary>
public static class ProgressDisplay
{
    public static T Run<T>(int epochs, int imagesPerEpoch, Func<IProgress<TrainingProgress>, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                return work(new SyncProgress<TrainingProgress>(p =>
                {
                    if (task is null || task.IsFinished && p.Finished is null)
                        task = context.AddTask($"epoch {p.Epoch}/{epochs}", maxValue: imagesPerEpoch);
                    task.Value = p.ImagesDone;
                    task.Description = $"epoch {p.Epoch}/{epochs}  loss {p.Loss:F4}  acc {p.Accuracy:P1}  {p.ImagesPerSecond:F0} img/s";
                    if (p.Finished is { } m)
                    {
                        task.StopTask();
                        var validation = m.ValidationTop1 is { } v ? $"  val top-1 {v:P2}" : "";
                        AnsiConsole.MarkupLine($"epoch {m.Epoch}/{epochs}  loss {m.TrainLoss:F4}  train {m.TrainAccuracy:P2}{validation}  lr {m.LearningRate:G3}  {m.Seconds:F1} s  {m.ImagesPerSecond:F0} img/s");
                    }
                }));
            });
}
