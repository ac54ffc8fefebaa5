using GptNas.Data.Formats;

namespace GptNas.Data.Tests;

public class IdxFormatTests
{
    private static void WriteSet(TempFolder temp, string folder, bool gzip, int train = 5, int test = 3)
    {
        string suffix = gzip ? ".gz" : "";
        byte[] Pack(byte[] raw) => gzip ? TempFolder.Gzip(raw) : raw;
        temp.Write($"{folder}/train-images-idx3-ubyte{suffix}", Pack(TempFolder.IdxImages(train, 4, 3, i => (byte)(i % 251))));
        temp.Write($"{folder}/train-labels-idx1-ubyte{suffix}", Pack(TempFolder.IdxLabels(Enumerable.Range(0, train).Select(i => (byte)(i % 3)).ToArray())));
        temp.Write($"{folder}/t10k-images-idx3-ubyte{suffix}", Pack(TempFolder.IdxImages(test, 4, 3, i => (byte)(255 - i))));
        temp.Write($"{folder}/t10k-labels-idx1-ubyte{suffix}", Pack(TempFolder.IdxLabels(Enumerable.Range(0, test).Select(i => (byte)(2 - i % 3)).ToArray())));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Round_trip_of_gzip_and_raw_files(bool gzip)
    {
        using var temp = new TempFolder();
        WriteSet(temp, "idx", gzip);
        var splits = IdxFormat.Load(temp["idx"], null);
        Assert.Equal((5, 1, 4, 3), (splits.Train.Count, splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (byte)(i % 251)), splits.Train.Pixels);
        Assert.Equal([0, 1, 2, 0, 1], splits.Train.Labels);
        Assert.Equal(Enumerable.Range(0, 36).Select(i => (byte)(255 - i)), splits.Test.Pixels);
        Assert.Equal([2, 1, 0], splits.Test.Labels);
        Assert.Equal(["0", "1", "2"], splits.Train.ClassNames);
    }

    [Fact]
    public void Truncated_file_names_the_file_and_the_missing_bytes()
    {
        using var temp = new TempFolder();
        WriteSet(temp, "idx", gzip: true);
        var full = TempFolder.IdxImages(5, 4, 3, _ => 7);
        temp.Write("idx/train-images-idx3-ubyte.gz", TempFolder.Gzip(full[..50]));
        var e = Assert.Throws<DataException>(() => IdxFormat.Load(temp["idx"], null));
        Assert.Equal("train-images-idx3-ubyte.gz: truncated: the header promises 5 images of 4x3 (60 bytes) but only 34 bytes " +
                     "(2 complete images) follow; the file is incomplete or damaged: download it again", e.Message);
    }

    [Fact]
    public void Wrong_magic_number_asks_whether_it_is_an_idx_file()
    {
        using var temp = new TempFolder();
        WriteSet(temp, "idx", gzip: true);
        var bytes = TempFolder.IdxImages(5, 4, 3, _ => 0);
        bytes[2] = 0x12; bytes[3] = 0x34;
        temp.Write("idx/train-images-idx3-ubyte.gz", TempFolder.Gzip(bytes));
        var e = Assert.Throws<DataException>(() => IdxFormat.Load(temp["idx"], null));
        Assert.Equal("train-images-idx3-ubyte.gz: wrong magic number 0x00001234 (expected 0x00000803 for IDX images); is this an IDX file?", e.Message);
    }

    [Fact]
    public void Swapped_label_and_image_files_are_named_as_such()
    {
        using var temp = new TempFolder();
        WriteSet(temp, "idx", gzip: false);
        temp.Write("idx/train-images-idx3-ubyte", TempFolder.IdxLabels(1, 2));
        var e = Assert.Throws<DataException>(() => IdxFormat.Load(temp["idx"], null));
        Assert.EndsWith("this is an IDX labels file; are the file names swapped?", e.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        using var temp = new TempFolder();
        WriteSet(temp, "idx", gzip: false);
        temp.Write("idx/t10k-labels-idx1-ubyte", TempFolder.IdxLabels(0, 1));
        var e = Assert.Throws<DataException>(() => IdxFormat.Load(temp["idx"], null));
        Assert.Equal("t10k-images-idx3-ubyte holds 3 images but t10k-labels-idx1-ubyte holds 2 labels; the two files must come from the same release", e.Message);
    }

    [Fact]
    public void Missing_file_lists_the_four_needed()
    {
        using var temp = new TempFolder();
        WriteSet(temp, "idx", gzip: true);
        File.Delete(temp["idx/t10k-labels-idx1-ubyte.gz"]);
        var e = Assert.Throws<DataException>(() => IdxFormat.Load(temp["idx"], null));
        Assert.StartsWith($"'{temp["idx"]}': t10k-labels-idx1-ubyte[.gz] is missing; an IDX data set needs", e.Message);
    }
}
