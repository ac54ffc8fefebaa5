using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using GptNas.Config;
using GptNas.Corpora;
using GptNas.Runs;
using GptNas.Training;

namespace GptNas;

/// <summary>
/// How gptnas writes JSON, everywhere: snake_case names, enums as snake_case text, indented. The records a run
/// stores are source-generated (<see cref="GptNasJsonContext"/>); other types (TorchSharp-side manifests, printed
/// documents) fall back to reflection with the same settings.
/// </summary>
public static class GptNasJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads <paramref name="json"/>; a malformed document or a value of the wrong type is a <see cref="GptNasException"/> naming <paramref name="where"/>.</summary>
    public static T Deserialize<T>(string json, string where)
    {
        try { return JsonSerializer.Deserialize<T>(json, Options) ?? throw new GptNasException($"'{where}' is empty"); }
        catch (JsonException e) { throw new GptNasException($"'{where}' is not valid: {e.Message.Split('.')[0]}", e); }
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(GptNasJsonContext.Default.Options)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(GptNasJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly();
        return options;
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(SearchConfig))]
[JsonSerializable(typeof(SearchRunConfig))]
[JsonSerializable(typeof(TrainingRunConfig))]
[JsonSerializable(typeof(TrainedModel))]
[JsonSerializable(typeof(ModelInput))]
[JsonSerializable(typeof(ModelEvaluation))]
[JsonSerializable(typeof(CorpusManifest))]
[JsonSerializable(typeof(Dictionary<string, double>))]
[JsonSerializable(typeof(string[]))]
internal partial class GptNasJsonContext : JsonSerializerContext;
