namespace GptNas.Bench;

/// <summary>This process's resident memory from /proc/self/status (the kernel's counters, as getrusage reads them).</summary>
internal static class Memory
{
    /// <summary>Peak resident set (VmHWM), MB; the same counter as PyTorch's side reads with resource.getrusage.</summary>
    public static double PeakRssMb() => Read("VmHWM:");

    /// <summary>Resident set now (VmRSS), MB.</summary>
    public static double RssMb() => Read("VmRSS:");

    private static double Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024.0; // kB
        return double.NaN;
    }
}
