using GptNas.Architectures;

namespace GptNas.Training;

/// <summary>One batch in host memory: normalized images (N x C x H x W, row-major) and class ids.</summary>
/// <remarks>The arrays may be reused by the next batch; <see cref="Count"/> says how many rows are filled.</remarks>
public readonly record struct HostBatch(float[] Images, long[] Labels, int Count);

/// <summary>A split of a data set as the trainer sees it: batches per epoch, already augmented.</summary>
public interface IBatchSource
{
    /// <summary>Images in one pass.</summary>
    int Count { get; }
    Shape ImageShape { get; }
    int Classes { get; }
    /// <summary>The batches of one epoch; order and augmentation depend only on the seed and the epoch.</summary>
    IEnumerable<HostBatch> Epoch(int epoch);
}
