namespace GptNas.Data.Tests;

public class DataCatalogTests
{
    [Fact]
    public void Embedded_fashion_mnist_small_loads()
    {
        using var temp = new TempFolder();
        var splits = DataCatalog.Load(DataCatalog.DefaultName, temp.Options());
        Assert.Equal((6000, 1000), (splits.Train.Count, splits.Test.Count));
        Assert.Equal((1, 28, 28), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        Assert.Equal(10, splits.Train.ClassCount);
        Assert.Equal("Ankle boot", splits.Train.ClassNames[9]);
        Assert.All(splits.Train.CountPerClass(), n => Assert.InRange(n, 450, 750));
        Assert.InRange(splits.Normalization.Mean[0], 0.25f, 0.35f); // Fashion-MNIST's mean is about 0.29
    }

    [Fact]
    public void Default_validation_fraction_holds_out_a_tenth()
    {
        using var temp = new TempFolder();
        var splits = DataCatalog.Load(DataCatalog.DefaultName, temp.Options() with { ValidationFraction = 0.1 });
        Assert.Equal((5400, 600, 1000), (splits.Train.Count, splits.Validation!.Count, splits.Test.Count));
    }

    [Fact]
    public void Missing_path_says_what_to_give()
    {
        var e = Assert.Throws<DataException>(() => DataCatalog.Load("/x/y", new DataOptions { CacheDirectory = "/nonexistent" }));
        Assert.Equal("data path '/x/y' does not exist; give a folder with IDX, CIFAR binary or <split>/<class>/ images (or a .tar.gz of one), " +
                     "or one of the names fashion-mnist-small, fashion-mnist, mnist, cifar10, cifar100", e.Message);
    }

    [Fact]
    public void Named_mnist_missing_says_where_to_put_the_files()
    {
        using var temp = new TempFolder();
        var e = Assert.Throws<DataException>(() => DataCatalog.Load("mnist", temp.Options()));
        Assert.StartsWith($"MNIST is not in '{temp["data/mnist"]}'; place train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, " +
                          "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz there", e.Message);
    }

    [Fact]
    public void Cifar10_offline_says_which_files_go_where()
    {
        using var temp = new TempFolder();
        // Port 1 on the loopback refuses at once: an offline machine without waiting for a timeout.
        var options = temp.Options() with { AllowDownload = true, DownloadBaseUrl = "http://127.0.0.1:1/" };
        var e = Assert.Throws<DataException>(() => DataCatalog.Load("cifar10", options));
        Assert.StartsWith($"CIFAR-10 is not in '{temp["data/cifar10"]}' and could not download http://127.0.0.1:1/cifar-10-binary.tar.gz: ", e.Message);
        Assert.EndsWith($"place data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin in " +
                        $"'{temp["data/cifar10/cifar-10-batches-bin"]}', or the archive cifar-10-binary.tar.gz " +
                        $"(from http://127.0.0.1:1/cifar-10-binary.tar.gz) in '{temp["data/cifar10"]}', or set GPTNAS_DATA to a data root that has them", e.Message);
    }

    [Fact]
    public void Archive_with_wrong_md5_is_refused()
    {
        using var temp = new TempFolder();
        temp.Write("data/cifar100/cifar-100-binary.tar.gz", TempFolder.Gzip([1, 2, 3]));
        var e = Assert.Throws<DataException>(() => DataCatalog.Load("cifar100", temp.Options()));
        Assert.Contains("differs from the published 03b5dce01913d631647c71ecec9e9cb8", e.Message);
    }

    [Fact]
    public void Cifar10_by_name_reads_extracted_files_in_the_data_root()
    {
        using var temp = new TempFolder();
        var record = new byte[3073];
        for (int b = 1; b <= 5; b++) temp.Write($"data/cifar10/cifar-10-batches-bin/data_batch_{b}.bin", record);
        temp.Write("data/cifar10/cifar-10-batches-bin/test_batch.bin", record);
        var splits = DataCatalog.Load("cifar10", temp.Options());
        Assert.Equal((5, 1), (splits.Train.Count, splits.Test.Count));
    }
}
