namespace GptNas.Data.Tests;

public class ValidationSplitTests
{
    private static ImageDataset Data(int count, int classes)
    {
        var pixels = Enumerable.Range(0, count).Select(i => (byte)i).ToArray();   // image i is the byte i
        var labels = Enumerable.Range(0, count).Select(i => i % classes).ToArray();
        return new ImageDataset(pixels, labels, Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), 1, 1, 1, "toy");
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        var data = Data(200, 4);
        var (trainA, validationA) = ValidationSplit.Split(data, 0.1, seed: 7);
        var (trainB, validationB) = ValidationSplit.Split(data, 0.1, seed: 7);
        var (_, validationC) = ValidationSplit.Split(data, 0.1, seed: 8);
        Assert.Equal(validationA.Pixels, validationB.Pixels);
        Assert.Equal(trainA.Pixels, trainB.Pixels);
        Assert.NotEqual(validationA.Pixels, validationC.Pixels);
    }

    [Fact]
    public void Split_is_stratified_disjoint_and_complete()
    {
        var data = Data(200, 4);
        var (train, validation) = ValidationSplit.Split(data, 0.1, seed: 1);
        Assert.Equal([5, 5, 5, 5], validation.CountPerClass());
        Assert.Equal(180, train.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (byte)i), train.Pixels.Concat(validation.Pixels).Order());
        Assert.Equal(train.Pixels.Order(), train.Pixels); // original order kept
    }

    [Fact]
    public void Fraction_outside_range_is_refused()
    {
        var e = Assert.Throws<DataException>(() => ValidationSplit.Split(Data(10, 2), 1.5, 0));
        Assert.Equal("validation fraction 1.5 is outside (0, 1); use e.g. 0.1, or 0 for no validation split", e.Message);
    }
}
