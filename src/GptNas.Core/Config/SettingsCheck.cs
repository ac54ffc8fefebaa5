using System.Globalization;

namespace GptNas.Config;

/// <summary>
/// What a settings record's <c>Validate</c> found: errors (the run is refused before anything is created) and
/// warnings (legal, but almost certainly not what the user meant). Every message names the setting as the user
/// gives it: its <c>--set</c> key, or the command-line option that <see cref="Rename"/> maps it to.
/// </summary>
public sealed class SettingsCheck
{
    private readonly List<string> _errors = [];
    private readonly List<string> _warnings = [];

    /// <summary>Maps a dotted key (<c>learning_rate</c>) to what the user typed (<c>--lr</c>); null = the key itself.</summary>
    public Func<string, string?>? Rename { get; init; }

    public IReadOnlyList<string> Errors => _errors;
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>How the user names <paramref name="key"/>.</summary>
    public string Name(string key) => Rename?.Invoke(key) ?? key;

    /// <summary>Refuses <paramref name="value"/> of <paramref name="key"/> unless <paramref name="ok"/>; <paramref name="rule"/> says what is allowed.</summary>
    public void Require(bool ok, string key, string rule, object value)
    {
        if (!ok) _errors.Add($"{Name(key)} must be {rule}, got {Format(value)}");
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>] (or the open ends when asked).</summary>
    public void Range(double value, string key, double min, double max, bool minOpen = false, bool maxOpen = false)
    {
        var ok = double.IsFinite(value) && (minOpen ? value > min : value >= min) && (maxOpen ? value < max : value <= max);
        var rule = double.IsPositiveInfinity(max)
            ? (minOpen ? $"above {Format(min)}" : min == 0 ? "0 or more" : $"at least {Format(min)}")
            : $"in {(minOpen ? "(" : "[")}{Format(min)}, {Format(max)}{(maxOpen ? ")" : "]")}";
        Require(ok, key, rule, value);
    }

    public void AtLeast(long value, string key, long min) =>
        Require(value >= min, key, min == 0 ? "0 or more" : min == 1 ? "1 or more" : $"at least {min}", value);

    /// <summary>A refusal that is not one setting's range (a relation between two, a list).</summary>
    public void Fail(string message) => _errors.Add(message);

    public void Warn(bool suspicious, string message)
    {
        if (suspicious) _warnings.Add(message);
    }

    /// <summary>Throws the errors as one line; returns the warnings.</summary>
    public IReadOnlyList<string> ThrowIfInvalid()
    {
        if (_errors.Count > 0) throw new GptNasException(string.Join("; ", _errors));
        return _warnings;
    }

    public static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
