namespace GptNas.Data;

/// <summary>
/// The three splits a trainer uses. Validation is null when <see cref="DataOptions.ValidationFraction"/>
/// is 0 and the source has no validation split of its own.
/// </summary>
public sealed class DataSplits
{
    private readonly Lazy<ChannelStats> _normalization;

    public ImageDataset Train { get; }
    public ImageDataset? Validation { get; }
    public ImageDataset Test { get; }

    /// <summary>Per-channel mean and std of the training split, the normalisation every split uses.</summary>
    public ChannelStats Normalization => _normalization.Value;

    public DataSplits(ImageDataset train, ImageDataset? validation, ImageDataset test)
    {
        Check(train, test);
        if (validation is not null) Check(train, validation);
        Train = train;
        Validation = validation;
        Test = test;
        // Lazy: a histogram over all training pixels; callers that only count images should not pay for it.
        _normalization = new Lazy<ChannelStats>(() => ChannelStats.Compute(train));
    }

    public IEnumerable<(string Name, ImageDataset Data)> All()
    {
        yield return ("train", Train);
        if (Validation is not null) yield return ("validation", Validation);
        yield return ("test", Test);
    }

    private static void Check(ImageDataset train, ImageDataset other)
    {
        if (other.Channels != train.Channels || other.Height != train.Height || other.Width != train.Width)
            throw new DataException($"{other.Source}: images are {other.Channels}x{other.Height}x{other.Width} but the training images are " +
                                    $"{train.Channels}x{train.Height}x{train.Width}; all splits must come from the same data set");
        if (!other.ClassNames.SequenceEqual(train.ClassNames))
            throw new DataException($"{other.Source}: its {other.ClassCount} classes differ from the {train.ClassCount} training classes; " +
                                    "all splits must use the same class list");
    }

    public override string ToString() =>
        $"train {Train.Count}, validation {Validation?.Count ?? 0}, test {Test.Count}; " +
        $"{Train.Channels}x{Train.Height}x{Train.Width}, {Train.ClassCount} classes";
}
