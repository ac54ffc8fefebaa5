using GptNas.Data.Caching;

namespace GptNas.Data.Tests;

public class DatasetCacheTests
{
    private static string CacheFile(TempFolder temp) => Assert.Single(Directory.GetFiles(temp["cache"], "*.gnds"));

    /// <summary>The same splits (none missing, none extra), each with the same images, labels, classes and shape.</summary>
    private static void AssertSame(DataSplits expected, DataSplits actual)
    {
        var left = expected.All().ToList();
        var right = actual.All().ToList();
        Assert.Equal(left.Select(s => s.Name), right.Select(s => s.Name));
        foreach (var ((name, a), (_, b)) in left.Zip(right))
        {
            Assert.True(a.Pixels.AsSpan().SequenceEqual(b.Pixels), $"{name}: pixels differ");
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.ClassNames, b.ClassNames);
            Assert.Equal((a.Channels, a.Height, a.Width, a.Source), (b.Channels, b.Height, b.Width, b.Source));
        }
    }

    private static string WriteImages(TempFolder temp)
    {
        temp.WritePng("images/train/a/1.png", 3, 2, 10, 20, 30);
        temp.WritePng("images/train/b/1.png", 3, 2, 40, 50, 60, corner: 9);
        temp.WritePng("images/val/b/2.png", 3, 2, 1, 2, 3);
        temp.WritePng("images/test/a/1.png", 3, 2, 70, 80, 90);
        return temp["images"];
    }

    [Fact]
    public void Hit_returns_identical_data_without_decoding()
    {
        using var temp = new TempFolder();
        var log = new List<string>();
        var options = temp.Options() with { Log = log.Add };
        var first = DataCatalog.Load(WriteImages(temp), options);
        var path = CacheFile(temp);
        var second = DataCatalog.Load(temp["images"], options);
        Assert.Equal(["train", "validation", "test"], first.All().Select(s => s.Name));
        AssertSame(first, second);
        Assert.Contains($"cache hit: {path}", log);
        Assert.Single(log, line => line.StartsWith("decoding"));
    }

    [Fact]
    public void Changed_source_gets_a_new_cache_file()
    {
        using var temp = new TempFolder();
        var cache = new DatasetCache(temp["cache"]);
        var before = cache.PathFor(WriteImages(temp), "");
        temp.WritePng("images/train/a/2.png", 3, 2, 1, 1, 1);
        Assert.NotEqual(before, cache.PathFor(temp["images"], ""));
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("magic")]
    [InlineData("garbage")]
    public void Damaged_cache_is_ignored_and_rebuilt(string damage)
    {
        using var temp = new TempFolder();
        var log = new List<string>();
        var options = temp.Options() with { Log = log.Add };
        var first = DataCatalog.Load(WriteImages(temp), options);
        var path = CacheFile(temp);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, damage switch
        {
            "truncate" => bytes[..(bytes.Length - 10)],
            "magic" => [.. "XXXX"u8.ToArray(), .. bytes[4..]],
            _ => [.. bytes[..40], .. Enumerable.Repeat((byte)0xFF, bytes.Length - 40)],
        });
        var second = DataCatalog.Load(temp["images"], options);
        AssertSame(first, second);
        Assert.Contains(log, line => line.StartsWith($"ignoring damaged cache file {path}"));
        Assert.Equal(bytes, File.ReadAllBytes(path)); // rebuilt in place
        Assert.Empty(Directory.GetFiles(temp["cache"], "*.tmp"));
    }
}
