using GptNas.Architectures;
using GptNas.Training;

namespace GptNas.Bench;

/// <summary>
/// A few random but fixed batches held in memory, cycled for a given number of steps: the same kind of data
/// the PyTorch peer trains on, so both sides measure the training step and not a data pipeline.
/// </summary>
internal sealed class FixedBatches : IBatchSource
{
    private readonly HostBatch[] _batches;
    private readonly int _steps;

    public FixedBatches(Shape shape, int classes, int batchSize, int steps, int distinct = 4, int seed = 1)
    {
        var random = new Random(seed);
        var pixels = shape.Channels * shape.Height * shape.Width;
        _batches = Enumerable.Range(0, distinct).Select(_ =>
        {
            var images = new float[batchSize * pixels];
            for (var i = 0; i < images.Length; i++) images[i] = (float)(random.NextDouble() * 2 - 1) * 1.7f; // about unit variance
            var labels = Enumerable.Range(0, batchSize).Select(_ => (long)random.Next(classes)).ToArray();
            return new HostBatch(images, labels, batchSize);
        }).ToArray();
        _steps = steps;
        ImageShape = shape;
        Classes = classes;
    }

    public int Count => _steps * _batches[0].Count;
    public Shape ImageShape { get; }
    public int Classes { get; }

    public IEnumerable<HostBatch> Epoch(int epoch)
    {
        for (var step = 0; step < _steps; step++) yield return _batches[step % _batches.Length];
    }
}

/// <summary>
/// Times the steps after the warm-up from the trainer's per-batch progress (reported synchronously): the
/// total, and each step on its own for a median that a slow spell of the shared machine does not move.
/// </summary>
internal sealed class StepClock(int warmupImages) : IProgress<TrainingProgress>
{
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private readonly List<double> _steps = [];
    private double _last;

    /// <summary>Images trained after the warm-up, and the seconds they took.</summary>
    public int TimedImages { get; private set; }
    public double Seconds { get; private set; }

    /// <summary>Seconds of the median timed step.</summary>
    public double MedianStepSeconds => Stats.Median(_steps);

    /// <summary>Seconds of the fastest timed step.</summary>
    public double FastestStepSeconds => _steps.Min();

    public void Report(TrainingProgress value)
    {
        if (value.Finished is not null) return; // the end-of-epoch report repeats the last batch
        if (value.ImagesDone == warmupImages) { _clock.Restart(); _last = 0; }
        else if (value.ImagesDone > warmupImages)
        {
            TimedImages = value.ImagesDone - warmupImages;
            Seconds = _clock.Elapsed.TotalSeconds;
            _steps.Add(Seconds - _last);
            _last = Seconds;
        }
    }
}
