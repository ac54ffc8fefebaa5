using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GptNas.Config;

/// <summary>
/// <c>--set key=value</c> on any config record: dotted snake_case keys (<c>ga.population=12</c>,
/// <c>proxy.training.epochs=3</c>). An unknown key or a value of the wrong type is refused, naming the key. A training's
/// <c>recipe=NAME</c> sets its <see cref="Training.TrainingRecipes"/> bundle there.
/// </summary>
public static class ConfigOverrides
{
    private static JsonSerializerOptions Json => GptNasJson.Options;

    public static T Apply<T>(T config, IEnumerable<string> assignments)
    {
        var root = JsonSerializer.SerializeToNode(config, Json)!.AsObject();
        foreach (var assignment in assignments)
        {
            var eq = assignment.IndexOf('=');
            if (eq <= 0) throw new GptNasException($"--set '{assignment}': expected key=value, e.g. ga.population=12");
            Set(root, assignment[..eq].Trim(), assignment[(eq + 1)..].Trim());
        }
        try { return root.Deserialize<T>(Json)!; }
        catch (JsonException e)
        {
            throw new GptNasException($"--set: a value does not fit its setting ({e.Path?.TrimStart('$', '.')}): {e.Message.Split('.')[0]}");
        }
    }

    /// <summary>Every settable key with its current value, for help and error messages.</summary>
    public static IReadOnlyList<string> Keys<T>(T config) =>
        Leaves(JsonSerializer.SerializeToNode(config, Json)!, "").Select(l => l.Key).ToList();

    private static void Set(JsonObject root, string key, string value)
    {
        var parts = key.Split('.');
        JsonObject node = root;
        for (var i = 0; i < parts.Length - 1; i++)
            node = node[parts[i]] as JsonObject ?? throw Unknown(root, key);
        var leaf = parts[^1];
        if (!node.ContainsKey(leaf) || node[leaf] is JsonObject) throw Unknown(root, key);
        if (leaf == "recipe" && value.Length > 0)
        {
            var prefix = key[..^leaf.Length];
            foreach (var (setting, settingValue) in Training.TrainingRecipes.Find(value, key)) Set(root, prefix + setting, settingValue);
        }
        node[leaf] = Convert(node[leaf], key, value);
    }

    private static JsonNode? Convert(JsonNode? current, string key, string value)
    {
        var kind = current?.GetValueKind() ?? JsonValueKind.String;
        switch (kind)
        {
            case JsonValueKind.True or JsonValueKind.False:
                return bool.TryParse(value, out var b) ? JsonValue.Create(b) : throw Bad(key, value, "true or false");
            case JsonValueKind.Number:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
                    ? (current!.ToJsonString().Contains('.') || value.Contains('.') || value.Contains('e') ? JsonValue.Create(d) : JsonValue.Create((long)d))
                    : throw Bad(key, value, "a number");
            case JsonValueKind.Array:
                try { return JsonNode.Parse(value.StartsWith('[') ? value : $"[{value}]"); }
                catch (JsonException) { throw Bad(key, value, "a list such as 16,32,64"); }
            default:
                return JsonValue.Create(value);
        }
    }

    private static GptNasException Unknown(JsonObject root, string key)
    {
        var known = Leaves(root, "").Select(l => l.Key).ToList();
        var close = known.Where(k => k.Split('.')[^1].Contains(key.Split('.')[^1], StringComparison.Ordinal)).Take(3).ToList();
        return new GptNasException($"--set: unknown key '{key}'" + (close.Count > 0 ? $"; did you mean {string.Join(" or ", close)}?" : "") +
                                   (known.Count <= 30 ? $" (keys: {string.Join(", ", known)})" : " ('gptnas search --show-config' lists every key)"));
    }

    private static GptNasException Bad(string key, string value, string expected) => new($"--set {key}={value}: expected {expected}");

    private static IEnumerable<(string Key, string Value)> Leaves(JsonNode node, string prefix) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Leaves(p.Value!, prefix.Length == 0 ? p.Key : $"{prefix}.{p.Key}")),
        _ => [(prefix, node.ToJsonString())],
    };
}
