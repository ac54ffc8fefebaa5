using System.Globalization;

namespace GptNas.Architectures;

public enum ParamType { Int, Float, Choice }

/// <summary>One setting of a block kind: its name, type, default (null when required) and choices.</summary>
public sealed record ParamSpec(string Name, ParamType Type, string? Default, string[]? Choices = null, int Min = 1)
{
    /// <summary>
    /// The block's text names this setting only when it differs from its default: for settings a kind gained later, so
    /// that every architecture written before keeps its text, its hash and its layer tokens.
    /// </summary>
    public bool OmittedAtDefault { get; init; }

    public static ParamSpec Int(string name, int? fallback = null, int min = 1) =>
        new(name, ParamType.Int, fallback?.ToString(CultureInfo.InvariantCulture), null, min);

    public static ParamSpec Float(string name, double fallback) =>
        new(name, ParamType.Float, fallback.ToString("R", CultureInfo.InvariantCulture), null, 0);

    public static ParamSpec Choice(string name, string fallback, string[] choices) => new(name, ParamType.Choice, fallback, choices);
}
