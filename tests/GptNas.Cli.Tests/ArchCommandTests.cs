using System.Text.Json;

namespace GptNas.Tests;

public class ArchCommandTests
{
    [Fact]
    public void ShowJsonReportsTorchvisionParameterCountForResnet50()
    {
        var (code, stdout, _) = CliRunner.Run("arch", "show", "resnet50", "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(25557032, json.RootElement.GetProperty("parameters").GetInt64());
        Assert.InRange(json.RootElement.GetProperty("flops").GetInt64(), 4.05e9, 4.13e9);
        Assert.Equal(16, json.RootElement.GetProperty("hash").GetString()!.Length);
    }

    [Fact]
    public void ShowReadsAnArchitectureFileAtTheGivenInput()
    {
        using var folder = new TempFolder();
        var file = folder.File("net.arch", "input 28x28x1\nclasses 10\nstem Conv out=8\nblock BasicBlock out=16 stride=2\nhead dropout=0\n");
        var (code, stdout, stderr) = CliRunner.Run("arch", "show", file, "--input", "32x32x3", "--classes", "100", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("32x32x3", json.RootElement.GetProperty("input").GetString());
        // conv 3x3x3x8 + block (3x3x8x16 + BN + 3x3x16x16 + BN + 1x1 proj 8x16 + BN) + fc 16x100+100
        Assert.Equal(216 + 1152 + 32 + 2304 + 32 + 128 + 32 + 1700, json.RootElement.GetProperty("parameters").GetInt64());
    }
}
