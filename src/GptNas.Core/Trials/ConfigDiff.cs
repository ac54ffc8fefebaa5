using System.Text.Json.Nodes;

namespace GptNas.Trials;

/// <summary>Which settings differ between two JSON configs, as "key: old -> new" (dotted keys).</summary>
/// <remarks>
/// A setting that a later gptnas added is absent from a study stored before it. New settings are neutral at
/// zero (0, false, "", null, [], or an enum's first member such as <c>strategy: "ga"</c> or <c>ga.selection: "roulette"</c>: "as before"), so such a
/// key given at zero is no difference, and an old study resumes.
/// </remarks>
public static class ConfigDiff
{
    private static readonly HashSet<string> Neutral = ["0", "false", "\"\"", "null", "[]", "\"ga\"", "\"roulette\""];

    public static IReadOnlyList<string> Between(string stored, string given)
    {
        var a = Flatten(JsonNode.Parse(stored));
        var b = Flatten(JsonNode.Parse(given));
        return a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(key => a.GetValueOrDefault(key) != b.GetValueOrDefault(key))
            .Where(key => a.ContainsKey(key) || !Neutral.Contains(b[key] ?? "null"))
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
