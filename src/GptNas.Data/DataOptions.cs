namespace GptNas.Data;

/// <summary>How <see cref="DataCatalog.Load"/> finds, caches and splits a data set.</summary>
public sealed record DataOptions
{
    /// <summary>Where named data sets live (<c>&lt;root&gt;/cifar10</c>, <c>&lt;root&gt;/mnist</c>, ...) and
    /// downloads go. Default: <c>$GPTNAS_DATA</c>, else <c>~/.cache/gptnas/data</c>.</summary>
    public string DataRoot { get; init; } = FromEnvironment("GPTNAS_DATA", "data");

    /// <summary>Where decoded data sets are cached. Default: <c>$GPTNAS_CACHE</c>, else <c>~/.cache/gptnas/cache</c>.</summary>
    public string CacheDirectory { get; init; } = FromEnvironment("GPTNAS_CACHE", "cache");

    /// <summary>False: always decode from the source and write no cache file.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Share of the training split held out for validation, per class; 0 = no validation split.
    /// Ignored when the source has its own validation split (an image folder with <c>val/</c>).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Root seed of the train/validation split (the run's); the split draws from its "validation-split"
    /// derivation, so the same seed always holds out the same images.</summary>
    public int SplitSeed { get; init; }

    /// <summary>False: never download; a missing CIFAR archive is an error saying where to put it.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Base address of the CIFAR archives (the dataset authors' site); tests point it elsewhere.</summary>
    public string DownloadBaseUrl { get; init; } = "https://www.cs.toronto.edu/~kriz/";

    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Threads used to decode images; null = all cores.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Progress lines (downloading, decoding, cache hit); null = silent.</summary>
    public Action<string>? Log { get; init; }

    private static string FromEnvironment(string variable, string folder)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(value)) return value;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "gptnas", folder);
    }

    internal ParallelOptions DecodeParallelism => new() { MaxDegreeOfParallelism = MaxDegreeOfParallelism ?? -1 };
}
