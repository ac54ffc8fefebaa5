using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace GptNas;

/// <summary>
/// Process-wide settings that make CPU training fast without the user setting anything. Runs when this
/// assembly loads, before any tensor exists.
/// </summary>
public static partial class TorchRuntime
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>True once <see cref="TuneAllocator"/> has turned glibc's automatic trimming off; <see cref="ReleaseFreeMemory"/> then trims.</summary>
    private static bool _automaticTrimOff;

    /// <summary>
    /// Seeds torch's global generator, from which dropout draws its masks (TorchSharp's Dropout takes no
    /// generator), with <paramref name="epoch"/>'s "dropout" derivation. Trainers call it at the start of every
    /// epoch, so masks follow the run's seed and a run resumed at an epoch boundary equals one that never stopped.
    /// Weights never come from this generator: models initialize from a private one.
    /// </summary>
    /// <remarks>NOTE: the generator is process-wide, so two trainings on parallel threads share its draws.</remarks>
    public static void SeedDropout(Seeds epoch) => torch.manual_seed(epoch.Derive("dropout"));

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "the allocator and oneDNN read their settings once, before the first tensor: only a module initializer runs early enough in every host, tests included")]
    internal static void Initialize()
    {
        if (!OperatingSystem.IsLinux()) return;
        TuneAllocator();
        TuneOpenMpWaiting();
        AvoidBrokenConvolutions();
    }

    /// <summary>How oneDNN's instruction set is chosen in this process, for logs and benchmark reports.</summary>
    public static string OneDnnIsa { get; private set; } = "oneDNN's own choice";

    /// <summary>Whether this CPU is one whose oneDNN AVX-512 convolutions gptnas caps (AMD with AVX-512).</summary>
    public static bool HasBrokenAvx512Convolutions()
    {
        string cpu;
        try { cpu = File.ReadAllText("/proc/cpuinfo"); }
        catch (IOException) { return false; }
        return cpu.Contains("AuthenticAMD", StringComparison.Ordinal) && cpu.Contains(" avx512f", StringComparison.Ordinal);
    }

    /// <summary>
    /// libtorch 2.10's oneDNN computes some float32 convolutions wrong on AMD EPYC with AVX-512 (errors of 0.5-8 or NaN against
    /// float64): with its own AVX-512 choice NCHW is wrong in 144 of 960 block-space shapes and channels-last in 4, which broke
    /// whole networks' logits (resnet18: 0.73) against ONNX Runtime; capped at AVX2, 36 of 1,328 NCHW shapes (20 input channels)
    /// and 1 channels-last shape (a grouped 1x1) stay wrong, none a preset makes (<c>bench/TrainBench --case conv-check</c>). On
    /// AMD CPUs with AVX-512 gptnas therefore caps oneDNN at AVX2 (<c>ONEDNN_MAX_CPU_ISA</c>), which oneDNN reads when it creates
    /// its first kernel, so this runs before TorchSharp loads; it costs 1.6-3.4x of CNN training speed (bench/RESULTS.md). A
    /// user's own <c>ONEDNN_MAX_CPU_ISA</c> wins, and <c>GPTNAS_NATIVE_ONEDNN=1</c> keeps oneDNN's choice.
    /// </summary>
    private static void AvoidBrokenConvolutions()
    {
        if (Marshal.PtrToStringUTF8(GetEnv("ONEDNN_MAX_CPU_ISA")) is { } isa) { OneDnnIsa = $"ONEDNN_MAX_CPU_ISA={isa} (set by the user)"; return; }
        if (Environment.GetEnvironmentVariable("GPTNAS_NATIVE_ONEDNN") == "1") return;
        if (!HasBrokenAvx512Convolutions()) return;
        try
        {
            if (SetEnv("ONEDNN_MAX_CPU_ISA", "AVX2", 0) == 0)
            {
                OneDnnIsa = "ONEDNN_MAX_CPU_ISA=AVX2 (TorchRuntime: AMD CPU with AVX-512)";
                _cappedOneDnn = true;
            }
        }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    private static bool _cappedOneDnn;

    /// <summary>
    /// Lifts the AVX2 cap of <see cref="AvoidBrokenConvolutions"/> for a process whose every convolution runs under bf16
    /// autocast: the wrong kernels are float32 ones, and capped at AVX2 oneDNN has no fast bf16 convolution (an airbench94
    /// training did not finish one 1,024-image step in 100 s capped, and ran 299 images/s uncapped). oneDNN reads the cap
    /// when it creates its first kernel, so call this before the first convolution; a cap the user set stays.
    /// </summary>
    public static void UncapOneDnnForBf16()
    {
        if (!_cappedOneDnn) return;
        try
        {
            if (UnsetEnv("ONEDNN_MAX_CPU_ISA") != 0) return;
        }
        catch (EntryPointNotFoundException) { return; }
        _cappedOneDnn = false;
        OneDnnIsa = "oneDNN's own choice (every convolution under bf16 autocast)";
    }

    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnsetEnv(string name);

    /// <summary>
    /// Activation buffers otherwise go through mmap/munmap on every step (glibc's dynamic threshold),
    /// which costs CNN training more than half its speed. Both settings are needed; either alone does
    /// nothing or harm. <c>GPTNAS_DEFAULT_MALLOC=1</c> keeps glibc's defaults.
    /// </summary>
    private static void TuneAllocator()
    {
        if (Environment.GetEnvironmentVariable("GPTNAS_DEFAULT_MALLOC") == "1") return;
        try
        {
            MallOpt(M_MMAP_THRESHOLD, 32 << 20);
            _automaticTrimOff = MallOpt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
        }
        catch (EntryPointNotFoundException) { } // not glibc (e.g. musl): keep its defaults
        catch (DllNotFoundException) { }
    }

    /// <summary>
    /// Frees what a training left behind, before the next one: TorchSharp's native handles wait for the finalizer,
    /// which a training loop rarely triggers, and freed heap pages stay with the process because
    /// <see cref="TuneAllocator"/> turns glibc's automatic trimming off for speed. A search trains thousands of
    /// candidates in one process; with this its resident set stays flat (bench/TrainBench --case rss-loop).
    /// </summary>
    public static void ReleaseFreeMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (_automaticTrimOff) MallocTrim(0);
    }

    /// <summary>
    /// Call after each optimizer step. TorchSharp leaves small native objects to the finalizer (tensor wrappers, and
    /// the Scalars of the optimizers other than <see cref="Training.SafeSgd"/>, AdamW's among them). A step allocates too
    /// little managed memory for the GC to run on its own, so they pile up between activation buffers and fragment the
    /// native heap: RSS grew by megabytes per step (bench/RESULTS.md). A gen-0 collection costs well under a millisecond.
    /// </summary>
    public static void CollectStepGarbage() => GC.Collect(0);

    /// <summary>Spins a libgomp thread makes at a barrier before it sleeps; see <see cref="TuneOpenMpWaiting"/>.</summary>
    public const int OpenMpSpinCount = 1_000;

    /// <summary>How OpenMP threads wait in this process, for logs and benchmark reports.</summary>
    public static string OpenMpWaiting { get; private set; } = "libgomp default (300,000 spins, about 3 ms, then sleep)";

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// libtorch's OpenMP (libgomp) lets a thread that waits at the end of a parallel region spin for about
    /// 3 ms before it sleeps. When the cores are shared (another process, or a second training), the
    /// spinning thread holds the core that the thread it waits for needs, and training slows 3-20x
    /// (bench/RESULTS.md). <see cref="OpenMpSpinCount"/> spins (libgomp's estimate: about 10 µs) keep the
    /// quick hand-offs of an idle machine, where sleeping at once (OMP_WAIT_POLICY=PASSIVE) costs a wake-up
    /// per parallel region, and sleep soon on a busy one. libgomp reads GOMP_SPINCOUNT once, when it loads, so this
    /// runs before TorchSharp loads libtorch; a user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins, and
    /// <c>GPTNAS_DEFAULT_OMP_WAIT=1</c> keeps libgomp's default.
    /// </summary>
    private static void TuneOpenMpWaiting()
    {
        string? Native(string name) => Marshal.PtrToStringUTF8(GetEnv(name));
        if (Native("OMP_WAIT_POLICY") is { } policy) { OpenMpWaiting = $"OMP_WAIT_POLICY={policy} (set by the user)"; return; }
        if (Native("GOMP_SPINCOUNT") is { } count) { OpenMpWaiting = $"GOMP_SPINCOUNT={count} (set by the user)"; return; }
        if (Environment.GetEnvironmentVariable("GPTNAS_DEFAULT_OMP_WAIT") == "1") return;
        if (File.ReadAllText("/proc/self/maps").Contains("libgomp", StringComparison.Ordinal))
        {
            OpenMpWaiting += "; libgomp was loaded before gptnas could tune it";
            return;
        }
        try
        {
            if (SetEnv("GOMP_SPINCOUNT", OpenMpSpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture), 0) == 0)
                OpenMpWaiting = $"GOMP_SPINCOUNT={OpenMpSpinCount} (TorchRuntime)";
        }
        catch (EntryPointNotFoundException) { }
        catch (DllNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    /// <summary>Uses every core for intra-op parallelism unless told otherwise.</summary>
    /// <exception cref="GptNasException">A count below 1 (libtorch would abort the process).</exception>
    public static void SetThreads(int? threads = null)
    {
        CheckThreads(threads);
        var count = threads ?? Environment.ProcessorCount;
        if (torch.get_num_threads() != count) torch.set_num_threads(count);
    }

    /// <summary>
    /// Enters CPU autocast to bfloat16 on this thread (PyTorch's <c>torch.autocast("cpu", torch.bfloat16)</c>):
    /// convolutions and matrix products run in bf16, the ops autocast keeps in float32 stay there. Dispose on
    /// the same thread to leave it; leaving the outermost region clears autocast's cache of bf16 weight copies,
    /// so an optimizer step between two regions is always seen.
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107 has no autocast API, so this calls libtorch's own <c>at::autocast</c> functions by their
    /// C++ names (stable since libtorch 2.4). A libtorch without them throws <see cref="NotSupportedException"/>.
    /// </remarks>
    public static IDisposable AutocastBFloat16() => new AutocastScope();

    /// <summary>Runs torch on one thread until disposed, then on as many as before: for work whose sums must not depend on the thread count.</summary>
    public static IDisposable OneThread()
    {
        var before = torch.get_num_threads();
        if (before != 1) torch.set_num_threads(1);
        return new Restore(() => { if (before != 1) torch.set_num_threads(before); });
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Refuses a <c>--threads</c> below 1 before anything starts: libtorch aborts the process on it.</summary>
    public static void CheckThreads(int? threads)
    {
        if (threads < 1) throw new GptNasException($"--threads must be 1 or more, got {threads}; leave it out to use every core");
    }

    /// <summary>The device <c>--device</c> names: auto (CUDA when there is one), cpu, cuda or cuda:N.</summary>
    /// <exception cref="GptNasException">An unknown name, or CUDA asked for where this build or machine has none.</exception>
    public static torch.Device Device(string? name = null)
    {
        if (name is null or "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (name == "cpu") return torch.CPU;
        if (name != "cuda" && !(name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), out _)))
            throw new GptNasException($"--device must be auto, cpu, cuda or cuda:N, got '{name}'");
        if (!torch.cuda.is_available())
            throw new GptNasException($"--device {name}: no CUDA device is available (this build uses the CPU libtorch unless built with " +
                                      "-p:TorchBackend=cuda); give --device cpu or auto");
        var device = torch.device(name);
        if (device.index >= torch.cuda.device_count())
            throw new GptNasException($"--device {name}: this machine has {torch.cuda.device_count()} CUDA device(s); give cuda:0 .. cuda:{torch.cuda.device_count() - 1}");
        return device;
    }

    private sealed class AutocastScope : IDisposable
    {
        private const sbyte DeviceTypeCpu = 0;        // c10::DeviceType::CPU
        private const sbyte ScalarTypeBFloat16 = 15;  // c10::ScalarType::BFloat16
        private readonly bool _wasEnabled;
        private readonly sbyte _previousType;
        private bool _disposed;

        public AutocastScope()
        {
            try
            {
                _wasEnabled = Autocast.IsEnabled(DeviceTypeCpu);
                _previousType = Autocast.GetDtype(DeviceTypeCpu);
                Autocast.IncrementNesting();
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                throw new NotSupportedException($"this libtorch has no CPU autocast entry points: {e.Message}", e);
            }
            Autocast.SetDtype(DeviceTypeCpu, ScalarTypeBFloat16);
            Autocast.SetEnabled(DeviceTypeCpu, true);
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Autocast.SetEnabled(DeviceTypeCpu, _wasEnabled);
            Autocast.SetDtype(DeviceTypeCpu, _previousType);
            if (Autocast.DecrementNesting() == 0) Autocast.ClearCache();
        }
    }

    private static int _nnpackOff;

    /// <summary>
    /// Turns NNPACK off in libtorch. libtorch asks whether NNPACK can run each convolution that oneDNN does not take (the
    /// float64 ones of <see cref="Training.NarrowConvolutionGuard"/>), and on a CPU NNPACK does not support it logs
    /// "Could not initialize NNPACK" every time; NNPACK would only ever run float32 convolutions oneDNN leaves.
    /// </summary>
    public static void DisableNnpack()
    {
        if (Interlocked.Exchange(ref _nnpackOff, 1) == 1) return;
        try
        {
            LibTorchContext.SetUserEnabledNnpack(LibTorchContext.Global(), false);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { }
    }

    /// <summary>libtorch's global <c>at::Context</c> (libtorch_cpu, C++ names; members take the instance first).</summary>
    private static partial class LibTorchContext
    {
        [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
        public static partial IntPtr Global();

        [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
        public static partial void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [LibraryImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        public static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    }

    /// <summary>libtorch's own convolution kernels instead of oneDNN's, for checks that tell which library a wrong result comes from.</summary>
    public static void DisableOneDnn() => LibTorchContext.SetUserEnabledMkldnn(LibTorchContext.Global(), false);

    /// <summary>libtorch's <c>at::autocast</c> functions (libtorch_cpu, C++ names); c10 enums are int8.</summary>
    private static partial class Autocast
    {
        private const string Library = "libtorch_cpu";

        [LibraryImport(Library, EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
        [return: MarshalAs(UnmanagedType.U1)]
        public static partial bool IsEnabled(sbyte deviceType);

        [LibraryImport(Library, EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
        public static partial void SetEnabled(sbyte deviceType, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [LibraryImport(Library, EntryPoint = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE")]
        public static partial sbyte GetDtype(sbyte deviceType);

        [LibraryImport(Library, EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
        public static partial void SetDtype(sbyte deviceType, sbyte scalarType);

        [LibraryImport(Library, EntryPoint = "_ZN2at8autocast17increment_nestingEv")]
        public static partial int IncrementNesting();

        [LibraryImport(Library, EntryPoint = "_ZN2at8autocast17decrement_nestingEv")]
        public static partial int DecrementNesting();

        [LibraryImport(Library, EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
        public static partial void ClearCache();
    }
}
