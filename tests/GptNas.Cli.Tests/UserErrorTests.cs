using System.IO.Compression;

namespace GptNas.Tests;

/// <summary>
/// Bad input gets one line on stderr that names the problem, exit code 2, and no stack trace.
/// </summary>
public class UserErrorTests
{
    private const string GoodArchitecture = "input 28x28x1\nclasses 10\nstem Conv out=16\nblock BasicBlock out=32 stride=2\nhead dropout=0\n";

    private static void AssertOneLineError(string[] args, params string[] expected) => CliAssert.OneLineError(args, expected);

    [Fact]
    public void MalformedArchitectureLineNamesLineAndField()
    {
        using var folder = new TempFolder();
        var file = folder.File("bad.arch", GoodArchitecture.Replace("BasicBlock out=32", "BasicBlock out=thirty-two"));
        AssertOneLineError(["arch", "show", file], "line 4", "'out'", "integer");
    }

    [Fact]
    public void UnknownBlockKindIsNamedWithTheKnownKinds()
    {
        using var folder = new TempFolder();
        var file = folder.File("bad.arch", GoodArchitecture.Replace("BasicBlock", "DenseBlock"));
        AssertOneLineError(["arch", "show", file], "line 4", "unknown block kind 'DenseBlock'", "InvertedResidual");
    }

    [Fact]
    public void ChannelsThatDoNotFitNameTheBlock()
    {
        using var folder = new TempFolder();
        var file = folder.File("bad.arch", GoodArchitecture.Replace("BasicBlock out=32 stride=2", "InvertedResidual out=32 stride=1"));
        AssertOneLineError(["arch", "show", file, "--input", "28x28x1", "--classes", "10"], "block 1 (InvertedResidual)", "must equal out=32");
    }

    [Fact]
    public void SizesThatDoNotFitNameTheBlock()
    {
        using var folder = new TempFolder();
        var file = folder.File("bad.arch", GoodArchitecture.Replace("stem Conv out=16", "stem Conv out=16 kernel=9 padding=0"));
        AssertOneLineError(["arch", "show", file, "--input", "4x4x1", "--classes", "10"], "stem 1 (Conv)", "does not fit");
    }

    [Fact]
    public void MissingDataPathSaysWhatToGive()
    {
        AssertOneLineError(["train", "--data", "/no/such/folder", "--epochs", "1"], "/no/such/folder", "does not exist");
    }

    [Fact]
    public void TruncatedIdxFileIsNamed()
    {
        using var folder = new TempFolder();
        WriteIdx(folder, truncate: true);
        AssertOneLineError(["train", "--data", folder.Path, "--epochs", "1"], "train-images-idx3-ubyte", "truncated");
    }

    [Fact]
    public void WrongIdxMagicIsNamed()
    {
        using var folder = new TempFolder();
        WriteIdx(folder, magic: 0x1234);
        AssertOneLineError(["train", "--data", folder.Path, "--epochs", "1"], "magic");
    }

    [Fact]
    public void CifarBatchOfWrongLengthIsNamed()
    {
        using var folder = new TempFolder();
        for (var i = 1; i <= 5; i++) folder.File($"data_batch_{i}.bin", new byte[3073 * 2]);
        folder.File("test_batch.bin", new byte[3073 * 2 + 7]);
        AssertOneLineError(["train", "--data", folder.Path, "--epochs", "1"], "test_batch.bin", "3073");
    }

    [Fact]
    public void EmptyImageFolderIsNamed()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "train", "cat"));
        Directory.CreateDirectory(Path.Combine(folder.Path, "test", "cat"));
        AssertOneLineError(["train", "--data", folder.Path, "--epochs", "1"], "empty");
    }

    [Fact]
    public void NegativeCropPaddingIsRefusedBeforeAnyDataLoads()
    {
        AssertOneLineError(["train", "--crop-padding", "-1", "--epochs", "1"], "--crop-padding", "0 or more", "-1");
    }

    [Fact]
    public void UnknownArchitectureNameSaysWhereToLook()
    {
        AssertOneLineError(["arch", "show", "resnet9000"], "resnet9000", "gptnas arch list");
    }

    private static void WriteIdx(TempFolder folder, bool truncate = false, int magic = 0x803)
    {
        const int count = 4;
        var images = new List<byte>();
        images.AddRange(BigEndian(magic));
        images.AddRange(BigEndian(count));
        images.AddRange(BigEndian(28));
        images.AddRange(BigEndian(28));
        images.AddRange(new byte[(truncate ? count - 1 : count) * 28 * 28]);
        var labels = new List<byte>();
        labels.AddRange(BigEndian(0x801));
        labels.AddRange(BigEndian(count));
        labels.AddRange(new byte[count]);
        foreach (var split in new[] { "train", "t10k" })
        {
            folder.File($"{split}-images-idx3-ubyte.gz", Gzip(images.ToArray()));
            folder.File($"{split}-labels-idx1-ubyte.gz", Gzip(labels.ToArray()));
        }
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(data);
        return memory.ToArray();
    }
}
