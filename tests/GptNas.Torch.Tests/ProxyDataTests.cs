using GptNas.Config;
using GptNas.Data;
using GptNas.Search;

namespace GptNas.Tests;

public class ProxyDataTests
{
    private static DataSplits Splits(int train)
    {
        static ImageDataset Toy(int count, string name) =>
            new(Enumerable.Range(0, count).Select(i => (byte)(i % 251)).ToArray(), Enumerable.Range(0, count).Select(i => i % 2).ToArray(), ["a", "b"], 1, 1, 1, name);
        return new DataSplits(Toy(train, "train"), Toy(10, "validation"), Toy(10, "test"));
    }

    [Fact]
    public void MaxTrainImagesCapsTheProxySplitAndLeavesTheOthers()
    {
        var data = Splits(1_000);
        var proxy = TrainingEvaluator.ProxyData(data, new ProxySettings { MaxTrainImages = 300 }, new Seeds(1));
        Assert.Equal(300, proxy.Train.Count);
        Assert.Same(data.Validation, proxy.Validation);
        Assert.Same(data.Test, proxy.Test);
    }

    [Fact]
    public void TheCapAppliesAfterTheFractionAndTheSameImagesAreDrawnEachTime()
    {
        var data = Splits(1_000);
        Assert.Equal(200, TrainingEvaluator.ProxyData(data, new ProxySettings { TrainFraction = 0.2, MaxTrainImages = 300 }, new Seeds(1)).Train.Count);
        Assert.Equal(300, TrainingEvaluator.ProxyData(data, new ProxySettings { TrainFraction = 0.5, MaxTrainImages = 300 }, new Seeds(1)).Train.Count);
        Assert.Same(data, TrainingEvaluator.ProxyData(data, new ProxySettings { MaxTrainImages = 5_000 }, new Seeds(1)));
        var first = TrainingEvaluator.ProxyData(data, new ProxySettings { MaxTrainImages = 300 }, new Seeds(1)).Train;
        var second = TrainingEvaluator.ProxyData(data, new ProxySettings { MaxTrainImages = 300 }, new Seeds(1)).Train;
        Assert.Equal(first.Pixels, second.Pixels);
    }

    [Fact]
    public void The_images_follow_the_run_s_seed()
    {
        var data = Splits(1_000);
        var settings = new ProxySettings { MaxTrainImages = 300 };
        var first = TrainingEvaluator.ProxyData(data, settings, new Seeds(1)).Train;
        var other = TrainingEvaluator.ProxyData(data, settings, new Seeds(2)).Train;
        Assert.NotEqual(first.Pixels, other.Pixels);
    }
}
