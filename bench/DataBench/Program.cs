// Measures the data layer on CIFAR-10 JPEGs: decoding a .tar.gz with an empty cache, loading it again from the
// cache, and BatchSampler throughput with the standard augmentation. Usage: dotnet run -c Release --project
// bench/DataBench [archive-or-folder] (default /work/shared/datasets/cifar10-jpg.tar.gz).
using System.Diagnostics;
using GptNas.Data;

var source = args.Length > 0 ? args[0] : "/work/shared/datasets/cifar10-jpg.tar.gz";
var cache = Directory.CreateTempSubdirectory("gptnas-databench-").FullName;
try
{
    var since = Stopwatch.StartNew();
    var options = new DataOptions
    {
        CacheDirectory = cache, ValidationFraction = 0,
        Log = line => Console.WriteLine($"  [{since.Elapsed.TotalSeconds,6:F2} s] {line}"),
    };
    Console.WriteLine($"source {source}, {Environment.ProcessorCount} cores, empty cache {cache}");

    var clock = Stopwatch.StartNew();
    var decoded = DataCatalog.Load(source, options);
    var decodeTime = clock.Elapsed;
    clock.Restart();
    var cached = DataCatalog.Load(source, options);
    var cacheTime = clock.Elapsed;
    bool same = decoded.Train.Pixels.AsSpan().SequenceEqual(cached.Train.Pixels) && decoded.Test.Labels.SequenceEqual(cached.Test.Labels);
    var cacheFile = new FileInfo(Directory.GetFiles(cache, "*.gnds").Single());

    Console.WriteLine($"decode (empty cache): {decodeTime.TotalSeconds:F2} s");
    Console.WriteLine($"load from cache:      {cacheTime.TotalSeconds:F3} s ({cacheFile.Length / 1e6:F0} MB, identical: {same})");
    Console.WriteLine($"counts: train {cached.Train.Count}, test {cached.Test.Count}; " +
                      $"{cached.Train.Channels}x{cached.Train.Height}x{cached.Train.Width}, {cached.Train.ClassCount} classes");
    Console.WriteLine("class  name         train  test  first train indices");
    var trainCounts = cached.Train.CountPerClass();
    var testCounts = cached.Test.CountPerClass();
    for (int c = 0; c < cached.Train.ClassCount; c++)
    {
        var first = Enumerable.Range(0, cached.Train.Count).Where(i => cached.Train.Labels[i] == c).Take(3);
        Console.WriteLine($"{c,5}  {cached.Train.ClassNames[c],-11}  {trainCounts[c],5}  {testCounts[c],4}  {string.Join(", ", first)}");
    }
    Console.WriteLine($"normalisation (train): {cached.Normalization}");

    foreach (var augmentation in new[] { Augmentation.Standard, Augmentation.None })
    {
        var sampler = new BatchSampler(cached.Train, 128, cached.Normalization, augmentation, seed: 1);
        var images = sampler.NewImageBuffer();
        var labels = sampler.NewLabelBuffer();
        for (int b = 0; b < 20; b++) sampler.Fill(0, b, images, labels); // warm up the JIT and thread pool
        clock.Restart();
        long count = 0;
        for (int epoch = 1; epoch <= 2; epoch++)
            for (int b = 0; b < sampler.BatchCount; b++) count += sampler.Fill(epoch, b, images, labels);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"BatchSampler batch 128, augmentation {augmentation}: {count / seconds:N0} images/s " +
                          $"({count} images in {seconds:F2} s)");
    }
}
finally
{
    Directory.Delete(cache, recursive: true);
}
