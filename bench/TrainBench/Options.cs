namespace GptNas.Bench;

/// <summary>Command-line options: <c>--name value</c> pairs and bare <c>--flag</c>s.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public Options(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
            var name = args[i][2..];
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            _values[name] = hasValue ? args[++i] : null;
        }
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public string Get(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public int Int(string name, int fallback) => _values.GetValueOrDefault(name) is { } text ? int.Parse(text) : fallback;

    public double Double(string name, double fallback) =>
        _values.GetValueOrDefault(name) is { } text ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<string> List(string name, string fallback) =>
        Get(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Everything given, as arguments again (to hand on to a child process).</summary>
    public IEnumerable<string> Forward(params string[] names)
    {
        foreach (var name in names)
        {
            if (!_values.TryGetValue(name, out var value)) continue;
            yield return "--" + name;
            if (value is not null) yield return value;
        }
    }
}
