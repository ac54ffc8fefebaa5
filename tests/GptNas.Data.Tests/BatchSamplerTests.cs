namespace GptNas.Data.Tests;

public class BatchSamplerTests
{
    // One 2x3 grey image, repeated: rows (1 2 3) and (4 5 6).
    private static readonly byte[] Tiny = [1, 2, 3, 4, 5, 6];

    private static ImageDataset Copies(int count, byte[] image, int channels, int height, int width) =>
        new(Enumerable.Range(0, count).SelectMany(_ => image).ToArray(), Enumerable.Range(0, count).Select(i => i % 3).ToArray(),
            ["a", "b", "c"], channels, height, width, "tiny");

    private static List<float[]> Images(BatchSampler sampler, int epoch)
    {
        var images = sampler.NewImageBuffer();
        var labels = sampler.NewLabelBuffer();
        var result = new List<float[]>();
        for (int b = 0; b < sampler.BatchCount; b++)
        {
            int n = sampler.Fill(epoch, b, images, labels);
            for (int k = 0; k < n; k++) result.Add(images.AsSpan(k * sampler.ImageSize, sampler.ImageSize).ToArray());
        }
        return result;
    }

    /// <summary>Reference crop of the 2x3 image padded by one zero pixel, offset (dx, dy), optionally mirrored; in bytes.</summary>
    private static float[] Expected(int dx, int dy, bool flip)
    {
        var result = new float[6];
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                int cx = flip ? 2 - x : x, sy = y + dy - 1, sx = cx + dx - 1;
                result[y * 3 + x] = sy is >= 0 and < 2 && sx is >= 0 and < 3 ? Tiny[sy * 3 + sx] : 0;
            }
        return result;
    }

    private static float[] Bytes(float[] normalised) => normalised.Select(v => MathF.Round(v * 255)).ToArray();

    [Fact]
    public void Flip_mirrors_rows_and_happens_to_about_half()
    {
        var sampler = new BatchSampler(Copies(200, Tiny, 1, 2, 3), 16, ChannelStats.Identity(1), new Augmentation(HorizontalFlip: true), seed: 3);
        var images = Images(sampler, epoch: 0).Select(Bytes).ToList();
        int flipped = images.Count(i => i.SequenceEqual([3f, 2, 1, 6, 5, 4]));
        int kept = images.Count(i => i.SequenceEqual([1f, 2, 3, 4, 5, 6]));
        Assert.Equal(200, flipped + kept);
        Assert.InRange(flipped, 70, 130);
    }

    [Fact]
    public void Alternating_flip_shows_each_image_once_each_way_in_any_two_epochs()
    {
        var sampler = new BatchSampler(Copies(200, Tiny, 1, 2, 3), 16, ChannelStats.Identity(1), new Augmentation(HorizontalFlip: true, AlternatingFlip: true),
            seed: 3, shuffle: false);
        bool[] Flipped(int epoch) => Images(sampler, epoch).Select(Bytes).Select(i => i.SequenceEqual([3f, 2, 1, 6, 5, 4])).ToArray();
        var (first, second, third) = (Flipped(0), Flipped(1), Flipped(2));
        Assert.InRange(first.Count(f => f), 70, 130);
        Assert.All(Enumerable.Range(0, 200), i => Assert.NotEqual(first[i], second[i]));
        Assert.Equal(first, third);
        // Random flips, by contrast, repeat an image's side from one epoch to the next about half the time.
        var random = new BatchSampler(Copies(200, Tiny, 1, 2, 3), 16, ChannelStats.Identity(1), new Augmentation(HorizontalFlip: true), seed: 3, shuffle: false);
        var (a, b) = (Images(random, 0).Select(Bytes).ToList(), Images(random, 1).Select(Bytes).ToList());
        Assert.InRange(Enumerable.Range(0, 200).Count(i => a[i].SequenceEqual(b[i])), 70, 130);
    }

    [Fact]
    public void Crop_with_padding_shifts_in_zeros()
    {
        var sampler = new BatchSampler(Copies(300, Tiny, 1, 2, 3), 32, ChannelStats.Identity(1), new Augmentation(CropPadding: 1), seed: 5);
        var images = Images(sampler, epoch: 2).Select(Bytes).ToList();
        // Offset (0, 0) moves the image one pixel right and down: the hand-computed result.
        Assert.Equal([0f, 0, 0, 0, 1, 2], Expected(0, 0, false));
        var seen = new HashSet<(int, int)>();
        foreach (var image in images)
        {
            var match = (from dx in Enumerable.Range(0, 3) from dy in Enumerable.Range(0, 3)
                         where Expected(dx, dy, false).SequenceEqual(image) select (dx, dy)).ToList();
            Assert.NotEmpty(match);
            seen.Add(match[0]);
        }
        Assert.Equal(9, seen.Count); // every offset occurs
    }

    [Fact]
    public void Reflect_padding_mirrors_the_edge_instead_of_shifting_in_zeros()
    {
        // The 2x3 image padded by one mirrored pixel (torch's reflect: the edge is not repeated), rows -1..2, columns -1..3.
        static float[] Reflected(int dx, int dy, bool flip)
        {
            static int Mirror(int i, int n) => i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
            var result = new float[6];
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < 3; x++)
                {
                    int cx = flip ? 2 - x : x;
                    result[y * 3 + x] = Tiny[Mirror(y + dy - 1, 2) * 3 + Mirror(cx + dx - 1, 3)];
                }
            return result;
        }
        Assert.Equal([5f, 4, 5, 2, 1, 2], Reflected(0, 0, false)); // hand-computed: one pixel right and down
        var sampler = new BatchSampler(Copies(300, Tiny, 1, 2, 3), 32, ChannelStats.Identity(1),
            new Augmentation(CropPadding: 1, HorizontalFlip: true, ReflectPadding: true), seed: 5);
        var candidates = (from dx in Enumerable.Range(0, 3) from dy in Enumerable.Range(0, 3) from flip in new[] { false, true }
                          select Reflected(dx, dy, flip)).ToList();
        var images = Images(sampler, epoch: 2).Select(Bytes).ToList();
        Assert.All(images, image => Assert.DoesNotContain(0f, image));
        Assert.All(images, image => Assert.Contains(candidates, c => c.SequenceEqual(image)));
        Assert.Equal(candidates.Distinct(new ArrayComparer()).Count(), images.Distinct(new ArrayComparer()).Count()); // every crop occurs
    }

    [Fact]
    public void Crop_and_flip_together_match_the_reference()
    {
        var sampler = new BatchSampler(Copies(300, Tiny, 1, 2, 3), 64, ChannelStats.Identity(1), new Augmentation(1, true), seed: 9);
        var candidates = (from dx in Enumerable.Range(0, 3) from dy in Enumerable.Range(0, 3) from flip in new[] { false, true }
                          select Expected(dx, dy, flip)).ToList();
        var images = Images(sampler, epoch: 1).Select(Bytes).ToList();
        Assert.All(images, image => Assert.Contains(candidates, c => c.SequenceEqual(image)));
        Assert.True(images.Distinct(new ArrayComparer()).Count() >= 15);
    }

    [Fact]
    public void Same_seed_and_epoch_give_the_same_batches_whatever_the_batch_size()
    {
        var data = Copies(100, Tiny, 1, 2, 3);
        var stats = new ChannelStats([0.5f], [0.25f]);
        var a = Images(new BatchSampler(data, 32, stats, Augmentation.Standard, seed: 1, shuffle: false), 4);
        var b = Images(new BatchSampler(data, 7, stats, Augmentation.Standard, seed: 1, shuffle: false), 4);
        var c = Images(new BatchSampler(data, 32, stats, Augmentation.Standard, seed: 1, shuffle: false), 5);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Shuffle_is_a_seeded_permutation_per_epoch()
    {
        var sampler = new BatchSampler(Copies(50, Tiny, 1, 2, 3), 8, ChannelStats.Identity(1), seed: 2);
        var again = new BatchSampler(Copies(50, Tiny, 1, 2, 3), 8, ChannelStats.Identity(1), seed: 2);
        Assert.Equal(Enumerable.Range(0, 50), sampler.Order(0).Order());
        Assert.Equal(sampler.Order(0), again.Order(0));
        Assert.NotEqual(sampler.Order(0), sampler.Order(1));
        Assert.NotEqual(Enumerable.Range(0, 50), sampler.Order(0));
    }

    [Fact]
    public void Normalises_per_channel_and_writes_labels()
    {
        byte[] image = [0, 255, 51, 102]; // 2 channels of 1x2
        var data = new ImageDataset([.. image, .. image], [2, 1], ["a", "b", "c"], 2, 1, 2, "two");
        var sampler = new BatchSampler(data, 4, new ChannelStats([0.5f, 0.2f], [0.25f, 0.1f]), shuffle: false);
        var images = sampler.NewImageBuffer();
        var labels = sampler.NewLabelBuffer();
        Assert.Equal(2, sampler.Fill(0, 0, images, labels));
        Assert.Equal([-2f, 2f, 0f, 2f], images[..4].Select(v => MathF.Round(v, 4)));
        Assert.Equal([2L, 1L], labels[..2]);
    }

    [Fact]
    public void Last_batch_is_smaller_unless_dropped()
    {
        var data = Copies(10, Tiny, 1, 2, 3);
        Assert.Equal(3, new BatchSampler(data, 4, ChannelStats.Identity(1)).BatchCount);
        Assert.Equal(2, new BatchSampler(data, 4, ChannelStats.Identity(1), dropLast: true).BatchCount);
        var sampler = new BatchSampler(data, 4, ChannelStats.Identity(1));
        Assert.Equal(2, sampler.Fill(0, 2, sampler.NewImageBuffer(), sampler.NewLabelBuffer()));
    }

    private sealed class ArrayComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) => x!.SequenceEqual(y!);
        public int GetHashCode(float[] a) => a.Aggregate(17, (h, v) => h * 31 + v.GetHashCode());
    }
}
