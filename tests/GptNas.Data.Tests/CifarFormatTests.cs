using GptNas.Data.Formats;

namespace GptNas.Data.Tests;

public class CifarFormatTests
{
    /// <summary>Records whose label bytes are <paramref name="labels"/> (per record) and whose pixels all equal the record index.</summary>
    private static byte[] Records(int count, Func<int, byte[]> labels)
    {
        var bytes = new List<byte>();
        for (int r = 0; r < count; r++)
        {
            bytes.AddRange(labels(r));
            bytes.AddRange(Enumerable.Repeat((byte)r, CifarFormat.PixelBytes));
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Cifar10_reads_five_batches_and_the_official_folder()
    {
        using var temp = new TempFolder();
        for (int b = 1; b <= 5; b++) temp.Write($"c10/cifar-10-batches-bin/data_batch_{b}.bin", Records(2, r => [(byte)(b + r)]));
        temp.Write("c10/cifar-10-batches-bin/test_batch.bin", Records(3, r => [(byte)r]));
        var splits = CifarFormat.Load(temp["c10"]);
        Assert.Equal((10, 3, 32, 32), (splits.Train.Count, splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        Assert.Equal([1, 2, 2, 3, 3, 4, 4, 5, 5, 6], splits.Train.Labels);
        Assert.Equal(3, splits.Test.Count);
        Assert.Equal("airplane", splits.Train.ClassNames[0]);
        Assert.True(splits.Test.Image(2).ToArray().All(v => v == 2));
    }

    [Fact]
    public void Cifar100_uses_the_fine_label()
    {
        using var temp = new TempFolder();
        temp.Write("c100/train.bin", Records(4, r => [(byte)(r % 20), (byte)(50 + r)]));
        temp.Write("c100/test.bin", Records(2, r => [1, (byte)(99 - r)]));
        var splits = CifarFormat.Load(temp["c100"]);
        Assert.Equal([50, 51, 52, 53], splits.Train.Labels);
        Assert.Equal([99, 98], splits.Test.Labels);
        Assert.Equal(100, splits.Train.ClassCount);
    }

    [Fact]
    public void Batch_of_wrong_length_names_file_and_record_size()
    {
        using var temp = new TempFolder();
        for (int b = 1; b <= 5; b++) temp.Write($"c10/data_batch_{b}.bin", Records(1, _ => [0]));
        temp.Write("c10/test_batch.bin", Records(2, _ => [0])[..5000]);
        var e = Assert.Throws<DataException>(() => CifarFormat.Load(temp["c10"]));
        Assert.Equal("test_batch.bin: length 5000 is not a multiple of the CIFAR-10 record size 3073 (1 label byte + 3072 pixel bytes); " +
                     "the file is truncated or not CIFAR binary, extract it again from the official archive", e.Message);
    }

    [Fact]
    public void Missing_batch_is_named()
    {
        using var temp = new TempFolder();
        temp.Write("c10/data_batch_1.bin", Records(1, _ => [0]));
        temp.Write("c10/test_batch.bin", Records(1, _ => [0]));
        var e = Assert.Throws<DataException>(() => CifarFormat.Load(temp["c10"]));
        Assert.StartsWith($"'{temp["c10"]}': data_batch_2.bin is missing; CIFAR-10 needs", e.Message);
    }

    [Fact]
    public void Official_archive_given_as_a_path_is_read_from_memory()
    {
        using var temp = new TempFolder();
        for (int b = 1; b <= 5; b++) temp.Write($"pack/cifar-10-batches-bin/data_batch_{b}.bin", Records(1, _ => [(byte)b]));
        temp.Write("pack/cifar-10-batches-bin/test_batch.bin", Records(2, _ => [9]));
        temp.Write("pack/cifar-10-batches-bin/batches.meta.txt", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n"u8.ToArray());
        var splits = DataCatalog.Load(temp.TarGz("pack", "cifar-10-binary.tar.gz"), temp.Options());
        Assert.Equal([1, 2, 3, 4, 5], splits.Train.Labels);
        Assert.Equal([9, 9], splits.Test.Labels);
        Assert.Equal("j", splits.Train.ClassNames[9]);
    }

    [Fact]
    public void Label_out_of_range_names_value_and_record()
    {
        using var temp = new TempFolder();
        for (int b = 1; b <= 5; b++) temp.Write($"c10/data_batch_{b}.bin", Records(3, r => [(byte)(b == 2 && r == 1 ? 200 : r)]));
        temp.Write("c10/test_batch.bin", Records(1, _ => [0]));
        var e = Assert.Throws<DataException>(() => CifarFormat.Load(temp["c10"]));
        Assert.StartsWith("data_batch_2.bin: record 1 has label 200 but CIFAR-10 has 10 classes", e.Message);
    }
}
