using System.Text.Json.Nodes;

namespace GptNas.Trials;

/// <summary>Which settings differ between two JSON configs, as "key: old -> new" (dotted keys).</summary>
public static class ConfigDiff
{
    public static IReadOnlyList<string> Between(string stored, string given)
    {
        var a = Flatten(JsonNode.Parse(stored));
        var b = Flatten(JsonNode.Parse(given));
        return a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(key => a.GetValueOrDefault(key) != b.GetValueOrDefault(key))
            .Select(key => $"{key}: {a.GetValueOrDefault(key) ?? "(none)"} -> {b.GetValueOrDefault(key) ?? "(none)"}")
            .ToList();
    }

    private static Dictionary<string, string?> Flatten(JsonNode? node, string prefix = "", Dictionary<string, string?>? into = null)
    {
        into ??= new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj) Flatten(value, prefix.Length == 0 ? key : $"{prefix}.{key}", into);
                break;
            default:
                into[prefix] = node?.ToJsonString();
                break;
        }
        return into;
    }
}
