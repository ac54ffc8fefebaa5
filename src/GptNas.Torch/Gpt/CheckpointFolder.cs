using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;

namespace GptNas.Gpt;

/// <summary>
/// The folder layout shared by the GPT and block classifier checkpoints: <c>manifest.json</c> (what made
/// the weights, with a SHA-256 of every other file) next to TorchSharp-format weight and optimizer files.
/// Written to a sibling folder first and swapped in, so a crash never leaves half a checkpoint. Every
/// failure to read one becomes a <see cref="GptNasException"/> that names the folder and the way out.
/// </summary>
internal static class CheckpointFolder
{
    public const string ManifestFile = "manifest.json";
    public const string WeightsFile = "weights.bin";
    public const string OptimizerFile = "optimizer.bin";

    /// <summary>Creates a scratch folder, lets <paramref name="fill"/> write into it, then replaces <paramref name="path"/> with it.</summary>
    public static void Write(string path, Action<string> fill)
    {
        path = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar));
        if (File.Exists(path)) throw new GptNasException($"cannot save a checkpoint to '{path}': a file of that name exists; choose a folder name");
        var scratch = $"{path}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(scratch);
        try
        {
            fill(scratch);
            if (Directory.Exists(path))
            {
                var old = $"{path}.old-{Guid.NewGuid():N}";
                Directory.Move(path, old);
                Directory.Move(scratch, path);
                Directory.Delete(old, recursive: true);
            }
            else Directory.Move(scratch, path);
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    public static void WriteManifest<T>(string folder, T manifest) =>
        File.WriteAllText(Path.Combine(folder, ManifestFile), GptNasJson.Serialize(manifest));

    /// <summary>Reads and parses the manifest, refusing a missing folder, a missing or unreadable manifest, or another kind of checkpoint.</summary>
    public static T ReadManifest<T>(string path, string kind, Func<T, string?> kindOf) where T : class
    {
        if (!Directory.Exists(path))
            throw new GptNasException(File.Exists(path)
                ? $"'{path}' is a file, not a {kind} checkpoint folder; pass the folder that holds {ManifestFile}"
                : $"{kind} checkpoint '{path}' does not exist; check the path or train one first");
        var file = Path.Combine(path, ManifestFile);
        if (!File.Exists(file)) throw Damaged(path, kind, $"{ManifestFile} is missing");
        T? manifest;
        try { manifest = JsonSerializer.Deserialize<T>(File.ReadAllText(file), GptNasJson.Options); }
        catch (JsonException) { throw Damaged(path, kind, $"{ManifestFile} is not valid JSON"); }
        catch (NotSupportedException) { throw Damaged(path, kind, $"{ManifestFile} is not valid JSON"); }
        if (manifest is null) throw Damaged(path, kind, $"{ManifestFile} is empty");
        var found = kindOf(manifest);
        if (found != kind)
            throw new GptNasException($"checkpoint '{path}' holds a {found ?? "unknown model"}, not a {kind}; pass a {kind} checkpoint");
        return manifest;
    }

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Refuses a missing file or one whose content changed since it was saved.</summary>
    public static string Verified(string path, string kind, string name, string? expectedHash)
    {
        var file = Path.Combine(path, name);
        if (!File.Exists(file)) throw Damaged(path, kind, $"{name} is missing");
        if (expectedHash is null || Hash(file) != expectedHash) throw Damaged(path, kind, $"{name} does not match the checksum in {ManifestFile}");
        return file;
    }

    /// <summary>Loads module weights, turning TorchSharp's errors into a one-line message.</summary>
    public static void LoadWeights(torch.nn.Module module, string path, string kind, string? expectedHash)
    {
        var file = Verified(path, kind, WeightsFile, expectedHash);
        try { module.load(file); }
        catch (Exception e) when (e is not GptNasException)
        {
            throw Damaged(path, kind, $"{WeightsFile} does not fit the model its manifest describes ({FirstLine(e)})");
        }
    }

    /// <summary>Refuses weights trained on another vocabulary: the token ids would mean other layers.</summary>
    public static void CheckVocabulary(string path, string kind, int savedSize, string savedHash, int size, string hash)
    {
        if (savedSize != size || savedHash != hash)
            throw new GptNasException(
                $"{kind} checkpoint '{path}' was trained on a vocabulary of {savedSize} tokens (hash {savedHash}) but this vocabulary has {size} tokens (hash {hash}); " +
                $"use the vocabulary it was trained with, or train the {kind} again on this one");
    }

    public static GptNasException Damaged(string path, string kind, string detail) =>
        new($"{kind} checkpoint '{path}' is damaged: {detail}; save it again or train a new one");

    public static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();
}
