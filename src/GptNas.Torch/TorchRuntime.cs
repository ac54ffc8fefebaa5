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

    /// <summary>
    /// Activation buffers otherwise go through mmap/munmap on every step (glibc's dynamic threshold),
    /// which costs CNN training more than half its speed. Both settings are needed; either alone does
    /// nothing or harm.
    /// </summary>
    [ModuleInitializer]
    internal static void TuneAllocator()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("GPTNAS_DEFAULT_MALLOC") == "1") return;
        try
        {
            MallOpt(M_MMAP_THRESHOLD, 32 << 20);
            MallOpt(M_TRIM_THRESHOLD, int.MaxValue);
        }
        catch (EntryPointNotFoundException) { } // not glibc (e.g. musl): keep its defaults
        catch (DllNotFoundException) { }
    }

    /// <summary>Uses every core for intra-op parallelism unless told otherwise.</summary>
    public static void SetThreads(int? threads = null)
    {
        var count = threads ?? Environment.ProcessorCount;
        if (torch.get_num_threads() != count) torch.set_num_threads(count);
    }

    public static torch.Device Device(string? name = null) =>
        name is null or "auto" ? (torch.cuda.is_available() ? torch.CUDA : torch.CPU) : torch.device(name);
}
