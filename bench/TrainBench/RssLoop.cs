using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Networks;
using GptNas.Training;
using TorchSharp;

namespace GptNas.Bench;

/// <summary>
/// <c>--case rss-loop</c>: many short trainings in one process (build a network, train a few steps, dispose),
/// as a search evaluates candidates; the resident set must level off, not grow with every network.
/// </summary>
internal static partial class RssLoop
{
    /// <summary>glibc's per-arena report (system bytes vs in use) on stderr: tells fragmentation from a leak.</summary>
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "malloc_stats")]
    private static partial void MallocStats();

    public static int Run(Options options)
    {
        TorchRuntime.SetThreads(options.Int("threads", 2));
        var runs = options.Int("runs", 100);
        var steps = options.Int("steps", 3);
        var settle = options.Int("settle", 5);
        if (settle < 1 || runs <= 2 * settle)
        {
            Console.Error.WriteLine($"rss-loop: --runs ({runs}) must exceed twice --settle ({settle}): runs {settle + 1}-{2 * settle} make the reference");
            return 2;
        }
        var network = options.Get("network", "resnet8");
        var shape = new Shape(3, 32, 32);
        var architecture = ArchitectureCatalog.Build(network, shape, BenchCase.Classes);
        var data = new FixedBatches(shape, BenchCase.Classes, BenchCase.BatchSize, steps);
        var config = GptNasSide.Config(options);
        Console.WriteLine($"rss-loop: {runs} x (build {network} on 3x32x32, train {steps} steps of batch {BenchCase.BatchSize}, dispose); " +
                          $"from run {2 * settle + 1} on, RSS must stay within 10% of the median of runs {settle + 1}-{2 * settle}");
        var rss = new List<double>();
        var peaks = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            try { File.WriteAllText("/proc/self/clear_refs", "5"); } // resets VmHWM: the peak below is this run's
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            using (var model = NetworkBuilder.Build(architecture, new Seeds(run)))
                new Trainer(config).Fit(model, data);
            if (options.Has("gc")) { GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect(); }
            rss.Add(Memory.RssMb());
            peaks.Add(Memory.PeakRssMb());
            if (options.Has("malloc-stats") && (run == settle || run == runs)) { Console.Out.Flush(); MallocStats(); }
            Console.WriteLine($"run {run,3}: RSS {rss[^1],7:F1} MB, peak {peaks[^1],7:F1} MB (.NET GC heap committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0,5:F1} MB)");
        }
        // The reference is a median, not one sample: each run's RSS swings by a few percent with where glibc's
        // arenas happened to place that run's activation buffers.
        var reference = Stats.Median(rss.Skip(settle).Take(settle).ToList());
        var later = rss.Skip(2 * settle).ToList();
        var worst = later.Max(r => Math.Abs(r - reference)) / reference;
        var ok = worst <= 0.10;
        Console.WriteLine($"median of runs {settle + 1}-{2 * settle}: {reference:F1} MB; runs {2 * settle + 1}-{runs}: {later.Min():F1} - {later.Max():F1} MB, " +
                          $"largest change {100 * worst:F1} % -> {(ok ? "PASS" : "FAIL")} (limit 10 %); per-run peak {peaks.Skip(settle).Min():F1} - {peaks.Skip(settle).Max():F1} MB " +
                          $"(first / last 10 runs' median {Stats.Median(peaks.Take(10).ToList()):F1} / {Stats.Median(peaks.TakeLast(10).ToList()):F1} MB); RSS " +
                          $"first / last 10 runs' median {Stats.Median(rss.Take(10).ToList()):F1} / {Stats.Median(rss.TakeLast(10).ToList()):F1} MB");
        return ok ? 0 : 1;
    }
}
