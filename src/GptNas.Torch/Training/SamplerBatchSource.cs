using GptNas.Architectures;
using GptNas.Data;

namespace GptNas.Training;

/// <summary>An <see cref="IBatchSource"/> over a <see cref="BatchSampler"/>, reusing one pair of buffers.</summary>
public sealed class SamplerBatchSource(BatchSampler sampler) : IBatchSource
{
    public int Count => sampler.DropLast ? sampler.BatchCount * sampler.BatchSize : sampler.Data.Count;
    public Shape ImageShape => new(sampler.Data.Channels, sampler.Data.Height, sampler.Data.Width);
    public int Classes => sampler.Data.ClassCount;

    public IEnumerable<HostBatch> Epoch(int epoch)
    {
        var images = sampler.NewImageBuffer();
        var labels = sampler.NewLabelBuffer();
        for (var batch = 0; batch < sampler.BatchCount; batch++)
        {
            var count = sampler.Fill(epoch, batch, images, labels);
            yield return new HostBatch(images, labels, count);
        }
    }
}

/// <summary>
/// The three splits of a data set as batch sources for one training config: the training split shuffled
/// and augmented per image, validation and test in order and untouched. All share the training split's
/// normalization.
/// </summary>
public sealed class DataBatches
{
    private const int EvaluationBatchSize = 256;

    public IBatchSource Train { get; }
    public IBatchSource? Validation { get; }
    public IBatchSource Test { get; }

    public DataBatches(DataSplits splits, TrainingConfig config)
    {
        var normalization = splits.Normalization;
        var augmentation = new Augmentation(config.CropPadding, config.Flip, config.AlternatingFlip, config.CropReflect);
        // Dropping the last, smaller batch keeps BatchNorm statistics even (and avoids a batch of one).
        Train = new SamplerBatchSource(new BatchSampler(splits.Train, config.BatchSize, normalization, augmentation, config.Seed, shuffle: true,
            dropLast: splits.Train.Count > config.BatchSize));
        Validation = splits.Validation is null ? null : Evaluation(splits.Validation, normalization);
        Test = Evaluation(splits.Test, normalization);
    }

    private static SamplerBatchSource Evaluation(ImageDataset data, ChannelStats normalization) =>
        new(new BatchSampler(data, EvaluationBatchSize, normalization, Augmentation.None, shuffle: false));
}
