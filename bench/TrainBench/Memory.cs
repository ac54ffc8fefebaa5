namespace GptNas.Bench;

/// <summary>
/// This process's resident memory from /proc/self/status, read the same way on both sides: the resident set after
/// imports, model and data (the baseline), then the kernel's high-water mark (VmHWM), reset at the baseline through
/// /proc/self/clear_refs, so that the peak belongs to the training alone.
/// </summary>
internal static class Memory
{
    /// <summary>Peak resident set (VmHWM) since the process started or since <see cref="ResetPeak"/>, MB.</summary>
    public static double PeakRssMb() => Read("VmHWM:");

    /// <summary>Resident set now (VmRSS), MB.</summary>
    public static double RssMb() => Read("VmRSS:");

    /// <summary>The resident set now, as the baseline, with the high-water mark reset to it (Linux 4.0+, "5" in clear_refs).</summary>
    public static double Baseline()
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return RssMb();
    }

    private static double Read(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024.0; // kB
        return double.NaN;
    }
}
