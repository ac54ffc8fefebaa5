using System.Globalization;

namespace GptNas.Architectures;

/// <summary>
/// Reads one line of the form <c>head key=value key=value ...</c>. Every error names the line and the
/// field, so a user can find the mistake in a file of hundreds of lines.
/// </summary>
internal sealed class FieldReader
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly int _line;

    public string Head { get; }
    public IReadOnlyList<string> Positional { get; }

    public FieldReader(string text, int line, int positionalCount = 0)
    {
        _line = line;
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0) throw Error("empty line");
        Head = tokens[0];
        if (tokens.Length - 1 < positionalCount) throw Error($"'{Head}' needs {positionalCount} more word(s)");
        Positional = tokens.Skip(1).Take(positionalCount).ToArray();
        foreach (var token in tokens.Skip(1 + positionalCount))
        {
            var eq = token.IndexOf('=');
            if (eq <= 0 || eq == token.Length - 1) throw Error($"expected key=value, got '{token}'");
            var key = token[..eq];
            if (!_values.TryAdd(key, token[(eq + 1)..])) throw Error($"field '{key}' is given twice");
        }
    }

    public bool Has(string key) => _values.ContainsKey(key);

    public string Raw(string key)
    {
        if (!_values.TryGetValue(key, out var value)) throw Error($"field '{key}' is missing");
        _used.Add(key);
        return value;
    }

    public int Int(string key, int min = 1, int max = int.MaxValue)
    {
        var raw = Raw(key);
        if (!int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Error($"field '{key}' must be an integer, got '{raw}'");
        if (value < min || value > max)
            throw Error(max == int.MaxValue ? $"field '{key}' must be at least {min}, got {value}" : $"field '{key}' must be in {min}..{max}, got {value}");
        return value;
    }

    public double Double(string key, double min = double.MinValue, double max = double.MaxValue)
    {
        var raw = Raw(key);
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Error($"field '{key}' must be a number, got '{raw}'");
        if (value < min || value > max) throw Error($"field '{key}' must be in {min}..{max}, got {raw}");
        return value;
    }

    public Shape Shape(string key)
    {
        var raw = Raw(key);
        if (!Architectures.Shape.TryParse(raw, out var shape))
            throw Error($"field '{key}' must be a size HxWxC of positive integers, got '{raw}'");
        return shape;
    }

    public string Choice(string key, params string[] allowed)
    {
        var raw = Raw(key);
        if (!allowed.Contains(raw)) throw Error($"field '{key}' must be one of {string.Join(", ", allowed)}, got '{raw}'");
        return raw;
    }

    public string Name(string key)
    {
        var raw = Raw(key);
        if (!raw.All(c => char.IsLetterOrDigit(c) || c is '_' or '-')) throw Error($"field '{key}' must be a plain name, got '{raw}'");
        return raw;
    }

    /// <summary>Refuses fields nobody asked for, so a misspelt key is never silently ignored.</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw Error($"unknown field '{unknown[0]}' for '{Head}'");
    }

    public ArchitectureException Error(string message) => new($"line {_line}: {message}");
}
