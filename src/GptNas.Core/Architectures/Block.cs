using System.Globalization;
using System.Text;

namespace GptNas.Architectures;

/// <summary>
/// A block as data: a kind plus its settings (see <see cref="BlockDefinition"/>). Immutable; two blocks are
/// equal when their canonical text is equal. Text form: <c>Bottleneck out=256 stride=1 width=64</c>.
/// </summary>
public sealed class Block : IEquatable<Block>
{
    private readonly Dictionary<string, string> _values;

    public BlockKind Kind { get; }
    public string Text { get; }

    private Block(BlockKind kind, Dictionary<string, string> values)
    {
        Kind = kind;
        _values = values;
        var text = new StringBuilder(kind.ToString());
        foreach (var spec in BlockKinds.Of(kind).Settings)
            if (!spec.OmittedAtDefault || values[spec.Name] != spec.Default) text.Append(' ').Append(spec.Name).Append('=').Append(values[spec.Name]);
        Text = text.ToString();
    }

    /// <summary>Builds a block; settings not given take their defaults. Throws when a required one is missing.</summary>
    public static Block Of(BlockKind kind, params (string Name, object Value)[] settings)
    {
        var given = settings.ToDictionary(s => s.Name, s => Format(s.Value), StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in BlockKinds.Of(kind).Settings)
        {
            if (given.Remove(spec.Name, out var value)) values[spec.Name] = value;
            else values[spec.Name] = spec.Default ?? throw new ArchitectureException($"{kind}: setting '{spec.Name}' is required");
        }
        if (given.Count > 0) throw new ArchitectureException($"{kind}: unknown setting '{given.Keys.First()}'");
        return new Block(kind, values);
    }

    public bool Has(string name) => _values.ContainsKey(name);
    public int Int(string name) => int.Parse(_values[name], CultureInfo.InvariantCulture);
    public double Float(string name) => double.Parse(_values[name], CultureInfo.InvariantCulture);
    public string Choice(string name) => _values[name];

    /// <summary>Output channels when the kind sets them; null when the block keeps its input's channels.</summary>
    public int? Out => Has("out") ? Int("out") : null;
    public int Stride => Has("stride") ? Int("stride") : 1;

    /// <summary>Everything about this block's kind.</summary>
    public BlockDefinition Definition => BlockKinds.Of(Kind);

    /// <summary>Appends the block's layers on <paramref name="input"/> and returns its output shape; throws when it does not fit.</summary>
    public Shape Write(Shape input, List<LayerUnit> units) => Definition.Write(this, input, units);

    /// <summary>The block's output shape on <paramref name="input"/>; throws when it does not fit.</summary>
    public Shape OutputOn(Shape input) => Write(input, []);

    public Block With(string name, object value)
    {
        if (!_values.ContainsKey(name)) throw new ArchitectureException($"{Kind}: unknown setting '{name}'");
        var values = new Dictionary<string, string>(_values, StringComparer.Ordinal) { [name] = Format(value) };
        return new Block(Kind, values);
    }

    internal static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "1" : "0",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Parses <c>Kind key=value ...</c>; errors name the line and the field.</summary>
    public static Block Parse(string text, int line = 1) => Parse(new FieldReader(text, line));

    internal static Block Parse(FieldReader fields)
    {
        if (!BlockKinds.TryParse(fields.Head, out var kind))
            throw fields.Error($"unknown block kind '{fields.Head}'; known kinds: {BlockKinds.Known}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in BlockKinds.Of(kind).Settings)
        {
            if (!fields.Has(spec.Name))
            {
                values[spec.Name] = spec.Default ?? throw fields.Error($"{kind} needs field '{spec.Name}'");
                continue;
            }
            values[spec.Name] = spec.Type switch
            {
                ParamType.Int => Format(fields.Int(spec.Name, spec.Min)),
                ParamType.Float => Format(fields.Double(spec.Name, 0, 64)),
                _ => fields.Choice(spec.Name, spec.Choices!),
            };
        }
        fields.EnsureAllUsed();
        return new Block(kind, values);
    }

    public override string ToString() => Text;
    public bool Equals(Block? other) => other is not null && Text == other.Text;
    public override bool Equals(object? obj) => obj is Block other && Equals(other);
    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);
}
