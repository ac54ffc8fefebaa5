using System.Diagnostics;
using System.Text.Json;

namespace GptNas.Bench;

/// <summary>
/// Runs every side of every case in its own process, alternating the sides (A B A B ...) so slow and fast
/// moments of a noisy machine fall on both, then prints medians as markdown tables.
/// </summary>
internal static class Driver
{
    /// <summary>One finished run as its process printed it.</summary>
    /// <param name="Rate">Rate of the run's median step (the whole timed span's for the GPT).</param>
    /// <param name="BestRate">Rate of the run's fastest step.</param>
    /// <param name="MeanRate">Rate over the whole timed span.</param>
    /// <param name="BaselineRssMb">Resident set after imports, model and data, before the first step.</param>
    /// <param name="PeakRssMb">High-water resident set during the training (reset at the baseline).</param>
    private sealed record RunResult(int Round, double Rate, double BestRate, double MeanRate, double BaselineRssMb, double PeakRssMb, JsonElement Settings)
    {
        public double PeakAboveBaselineMb => PeakRssMb - BaselineRssMb;
    }

    private static Options? _options;

    public static int Run(Options options, string[] args)
    {
        _options = options;
        var cases = options.List("cases", BenchCase.DefaultCases);
        var sides = options.List("sides", "gptnas,pytorch").Select(Side.Parse).ToList();
        var pairs = options.Int("pairs", 5);
        Console.WriteLine($"command: TrainBench {string.Join(' ', args)}");
        Console.WriteLine($"machine: {CpuModel()}, {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"sides alternate {string.Join(" ", sides.Select(s => s.Name))} in each of {pairs} rounds; one process per run" +
                          (options.Has("contend") ? "; each run shares the cores with a second training of the same side (--contend)" : ""));
        var results = new Dictionary<(string Case, string Side), List<RunResult>>();
        var failed = false;
        foreach (var caseName in cases)
        {
            if (caseName is "data" or "rss-loop")
            {
                failed |= RunInherited(caseName, options) != 0;
                continue;
            }
            var benchCase = BenchCase.Find(caseName);
            Console.WriteLine();
            Console.WriteLine($"## {benchCase.Name}: {benchCase.Description}");
            for (var round = 1; round <= pairs; round++)
                foreach (var side in sides)
                {
                    var result = RunChild(benchCase, side, options, round);
                    if (result is null) { failed = true; continue; }
                    if (!results.TryGetValue((caseName, side.Name), out var list)) results[(caseName, side.Name)] = list = [];
                    list.Add(result);
                    Console.WriteLine($"round {round}: {side.Name,-28} {result.Rate,9:F1} {benchCase.Unit} median step, {result.BestRate,9:F1} fastest, " +
                                      $"{result.MeanRate,9:F1} mean; RSS {result.BaselineRssMb,6:F0} MB after build, peak {result.PeakRssMb,6:F0} MB");
                }
        }
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        PrintTables(cases.Where(c => c is not ("data" or "rss-loop")).Select(BenchCase.Find).ToList(), sides, results);
        return failed ? 1 : 0;
    }

    private static void PrintTables(List<BenchCase> cases, List<Side> sides, Dictionary<(string, string), List<RunResult>> results)
    {
        if (cases.Count == 0) return;
        List<RunResult> Of(BenchCase c, Side s) => results.GetValueOrDefault((c.Name, s.Name)) ?? [];
        var reference = _options!.Get("reference") is { } named
            ? sides.FirstOrDefault(s => s.Name == named) ?? throw new ArgumentException($"--reference {named} is not one of the --sides")
            : sides.FirstOrDefault(s => s.Name == "pytorch") ?? sides[^1];
        var r = reference.Name;
        Console.WriteLine();
        Console.WriteLine($"Per run: the rate of its median step and of its fastest step (the GPT: of its {BenchCase.GptChunk}-step chunks). Per side: the " +
                          "median over the rounds. Ratios: each round's run against the " + r + " run of the same round, median over the " +
                          "rounds (robust to the shared machine's slow spells). Memory (VmHWM, both sides): the resident set after imports, " +
                          "model and data, and the training's peak above it.");
        Console.WriteLine();
        Console.WriteLine($"| case | side | median step | fastest step | mean over run | vs {r}, median step | vs {r}, fastest step | RSS after build MB | peak above it MB | peak RSS MB | peak vs {r} |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in cases)
        {
            var referenceRuns = Of(c, reference);
            foreach (var side in sides)
            {
                var runs = Of(c, side);
                if (runs.Count == 0) continue;
                double Median(Func<RunResult, double> value) => Stats.Median(runs.Select(value).ToList());
                double Paired(Func<RunResult, double> value) =>
                    Stats.Median(runs.Join(referenceRuns, x => x.Round, x => x.Round, (a, b) => value(a) / value(b)).ToList());
                Console.WriteLine($"| {c.Name} | {side.Name} | {Median(x => x.Rate):F1} | {Median(x => x.BestRate):F1} | {Median(x => x.MeanRate):F1} | " +
                                  $"{Paired(x => x.Rate):F2}x | {Paired(x => x.BestRate):F2}x | {Median(x => x.BaselineRssMb):F0} | {Median(x => x.PeakAboveBaselineMb):F0} | " +
                                  $"{Median(x => x.PeakRssMb):F0} | {Paired(x => x.PeakRssMb):F2}x |");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"Units: {string.Join(", ", cases.Select(c => $"{c.Name} {c.Unit}"))}.");
        Console.WriteLine();
        Console.WriteLine("Settings (as each side reported them):");
        foreach (var side in sides)
        {
            var first = cases.Select(c => Of(c, side).FirstOrDefault()).FirstOrDefault(x => x is not null);
            if (first is null) continue;
            var items = first.Settings.EnumerateObject().Select(p => $"{p.Name} {p.Value}");
            Console.WriteLine($"- {side.Name}: {string.Join("; ", items)}{side.EnvironmentText}");
        }
    }

    private static ProcessStartInfo ChildStart(BenchCase benchCase, Side side, IEnumerable<string> steps)
    {
        var start = side.Peer ? PeerStart(_options!) : SelfStart();
        var arguments = start.ArgumentList;
        foreach (var a in new[] { "--case", benchCase.Name }) arguments.Add(a);
        if (!side.Peer) foreach (var a in new[] { "--side", "gptnas" }) arguments.Add(a);
        foreach (var a in steps) arguments.Add(a);
        foreach (var a in _options!.Forward("threads")) arguments.Add(a);
        foreach (var a in side.Arguments) arguments.Add(a);
        foreach (var (name, value) in side.Environment) start.Environment[name] = value;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        return start;
    }

    private static RunResult? RunChild(BenchCase benchCase, Side side, Options options, int round)
    {
        // --contend: a second training of the same side shares the cores for the whole run, as two search
        // workers on one machine would.
        using var rival = options.Has("contend") ? Process.Start(ChildStart(benchCase, side, ["--steps", "2000", "--warmup", "0"])) : null;
        if (rival is not null)
        {
            _ = rival.StandardOutput.ReadToEndAsync();
            _ = rival.StandardError.ReadToEndAsync();
            Thread.Sleep(3000); // let it load and start training
        }
        try { return RunMeasured(benchCase, side, options, round); }
        finally
        {
            if (rival is not null && !rival.HasExited) { rival.Kill(entireProcessTree: true); rival.WaitForExit(); }
        }
    }

    private static RunResult? RunMeasured(BenchCase benchCase, Side side, Options options, int round)
    {
        // Both sides get the same counts: the case's unless given.
        var steps = options.Int("steps", benchCase.Steps).ToString();
        var warmup = options.Int("warmup", benchCase.Warmup).ToString();
        var start = ChildStart(benchCase, side, ["--steps", steps, "--warmup", warmup]);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (process.ExitCode != 0 || line is null)
        {
            Console.WriteLine($"{side.Name} failed (exit {process.ExitCode}):\n{output}\n{errors.Result}");
            return null;
        }
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        double Read(string name) => root.TryGetProperty(name, out var value) ? value.GetDouble() : root.GetProperty("rate").GetDouble();
        return new RunResult(round, Read("median_step_rate"), Read("best_step_rate"), Read("rate"), root.GetProperty("baseline_rss_mb").GetDouble(),
            root.GetProperty("peak_rss_mb").GetDouble(), root.GetProperty("settings").Clone());
    }

    private static int RunInherited(string caseName, Options options)
    {
        var start = SelfStart();
        foreach (var a in new[] { "--case", caseName }) start.ArgumentList.Add(a);
        foreach (var a in options.Forward("threads", "runs")) start.ArgumentList.Add(a);
        Console.WriteLine();
        Console.WriteLine($"## {caseName}");
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>This program again: its apphost, or <c>dotnet TrainBench.dll</c> when started that way.</summary>
    private static ProcessStartInfo SelfStart()
    {
        var path = Environment.ProcessPath!;
        var start = new ProcessStartInfo(path) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet") start.ArgumentList.Add(typeof(Driver).Assembly.Location);
        return start;
    }

    private static ProcessStartInfo PeerStart(Options options)
    {
        var start = new ProcessStartInfo(options.Get("python", "/usr/bin/python3")) { UseShellExecute = false };
        start.ArgumentList.Add(options.Get("peer") ?? FindPeer());
        return start;
    }

    /// <summary>bench/peer/train_peer.py, looked for above the working directory and above this program.</summary>
    private static string FindPeer()
    {
        foreach (var root in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "peer", "train_peer.py");
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException("bench/peer/train_peer.py not found above the working directory; pass --peer PATH");
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    /// <summary>
    /// A side: "gptnas" or "pytorch", with modifiers after '+': channels-last / no-channels-last, bf16 / no-bf16,
    /// default-malloc (gptnas without its mallopt tuning), tuned-malloc (PyTorch with the same glibc thresholds
    /// as gptnas), default-omp-wait (gptnas with libgomp's default spinning), gptnas-omp-wait (PyTorch with
    /// gptnas's GOMP_SPINCOUNT), openblas-openmp (PyTorch's BLAS calls in libgomp's pool, the only pool then, instead of
    /// OpenBLAS's own pthreads beside it), onednn-avx2 (PyTorch with oneDNN capped at AVX2, as gptnas caps it on AMD CPUs
    /// with AVX-512), native-onednn (gptnas without that cap), dropout0 (the GPT without dropout), passive
    /// (OMP_WAIT_POLICY=PASSIVE), env:NAME=VALUE (any environment variable). <c>pytorch+equal</c> is PyTorch at gptnas's
    /// settings: channels-last, gptnas-omp-wait, tuned-malloc, openblas-openmp and, where gptnas applies it, onednn-avx2.
    /// </summary>
    internal sealed record Side(string Name, bool Peer, List<string> Arguments, List<(string Name, string Value)> Environment)
    {
        public string EnvironmentText => Environment.Count == 0 ? "" : "; environment " + string.Join(" ", Environment.Select(e => $"{e.Name}={e.Value}"));

        public static Side Parse(string text)
        {
            var parts = text.Split('+');
            var peer = parts[0] switch
            {
                "gptnas" => false,
                "pytorch" => true,
                _ => throw new ArgumentException($"unknown side '{parts[0]}'; use gptnas or pytorch, with +modifiers"),
            };
            var arguments = new List<string>();
            var environment = new List<(string, string)>();
            foreach (var modifier in parts.Skip(1).SelectMany(m => m == "equal" && peer ? EqualSettings : [m]))
            {
                switch (modifier)
                {
                    case "channels-last": arguments.AddRange(peer ? ["--channels-last"] : ["--channels-last", "on"]); break;
                    case "no-channels-last" when !peer: arguments.AddRange(["--channels-last", "off"]); break;
                    case "bf16" when !peer: arguments.AddRange(["--bf16", "on"]); break;
                    case "no-bf16" when !peer: arguments.AddRange(["--bf16", "off"]); break;
                    case "default-malloc" when !peer: environment.Add(("GPTNAS_DEFAULT_MALLOC", "1")); break;
                    case "default-omp-wait" when !peer: environment.Add(("GPTNAS_DEFAULT_OMP_WAIT", "1")); break;
                    case "gptnas-omp-wait" when peer: environment.Add(("GOMP_SPINCOUNT", TorchRuntime.OpenMpSpinCount.ToString())); break;
                    case "tuned-malloc" when peer:
                        environment.Add(("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184")); break;
                    case "openblas-openmp" when peer: environment.Add(("LD_LIBRARY_PATH", OpenBlasOpenMp)); break;
                    case "onednn-avx2" when peer: environment.Add(("ONEDNN_MAX_CPU_ISA", "AVX2")); break;
                    case "native-onednn" when !peer: environment.Add(("GPTNAS_NATIVE_ONEDNN", "1")); break;
                    case "dropout0": arguments.AddRange(["--dropout", "0"]); break;
                    case "passive": environment.Add(("OMP_WAIT_POLICY", "PASSIVE")); break;
                    case var env when env.StartsWith("env:", StringComparison.Ordinal) && env.Contains('='):
                        environment.Add((env[4..env.IndexOf('=')], env[(env.IndexOf('=') + 1)..])); break;
                    default: throw new ArgumentException($"unknown modifier '+{modifier}' for {parts[0]}");
                }
            }
            return new Side(text, peer, arguments, environment);
        }

        /// <summary>Debian's OpenMP build of OpenBLAS (libopenblas0-openmp); first on the library path, libblas.so.3 resolves to it.</summary>
        private const string OpenBlasOpenMp = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

        private static IEnumerable<string> EqualSettings =>
            new[] { "channels-last", "gptnas-omp-wait", "tuned-malloc", "openblas-openmp" }.Concat(TorchRuntime.HasBrokenAvx512Convolutions() ? ["onednn-avx2"] : []);

    }
}
