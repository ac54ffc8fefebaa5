using System.CommandLine;
using System.Text.Json;
using GptNas.Architectures;
using GptNas.Corpora;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas arch list | show</c>: the architectures gptnas knows, and what one contains.</summary>
public static class ArchCommands
{
    public static Command Create()
    {
        var arch = new Command("arch", "List and inspect architectures");
        arch.Subcommands.Add(CreateList());
        arch.Subcommands.Add(CreateShow());
        return arch;
    }

    private static Command CreateList()
    {
        var list = new Command("list", "The reference CNNs and small networks that can be named instead of a file");
        list.SetAction(_ => UserErrors.Run(() =>
        {
            var table = new Table().AddColumns("name", "parameters (224x224x3, 1000 classes)", "GFLOPs");
            foreach (var name in ArchitectureCatalog.Names)
            {
                var a = ArchitectureCatalog.Build(name, new Shape(3, 224, 224), 1000);
                table.AddRow(name, a.Parameters.ToString("N0"), (a.Flops / 1e9).ToString("F2"));
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return list;
    }

    private static Command CreateShow()
    {
        var target = new Argument<string>("arch") { Description = "A name from 'gptnas arch list' or an architecture text file" };
        var input = new Option<string?>("--input") { Description = "Input size HxWxC (default: a file's own input line, else 224x224x3)" };
        var classes = new Option<int?>("--classes") { Description = "Number of classes (default: a file's own classes line, else 1000)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables" };
        var layers = new Option<bool>("--layers") { Description = "Also list every layer unit" };
        var show = new Command("show", "Blocks, layers, parameters, FLOPs and hash of one architecture") { target, input, classes, json, layers };
        show.SetAction(parse => UserErrors.Run(() =>
        {
            var given = parse.GetValue(input) is { } text ? ArchitectureSource.ParseShape(text) : (Shape?)null;
            if (parse.GetValue(classes) is < 1 and var bad) throw new UsageException($"--classes must be 1 or more, got {bad}");
            var architecture = ArchitectureSource.Show(parse.GetValue(target)!, given, parse.GetValue(classes));
            if (architecture.Validate() is { } problem) throw new ArchitectureException(problem);
            if (parse.GetValue(json)) PrintJson(parse.GetValue(target)!, architecture);
            else PrintTables(architecture, parse.GetValue(layers));
            return 0;
        }));
        return show;
    }

    private static void PrintJson(string name, Architecture a)
    {
        var shapes = a.Shapes();
        var document = new
        {
            name,
            input = a.Input.ToString(),
            classes = a.Classes,
            parameters = a.Parameters,
            flops = a.Flops,
            hash = a.Hash,
            blocks = a.AllBlocks.Select((b, i) => new { index = i, stem = i < a.Stem.Count, block = b.Text, output = shapes[i + 1].ToString() }),
            layers = a.Flatten().Select(u => u.ToString()),
            canonical = a.Canonical,
        };
        Console.WriteLine(GptNasJson.Serialize(document));
    }

    private static void PrintTables(Architecture a, bool withLayers)
    {
        var units = a.Flatten(out var spans);
        var shapes = a.Shapes();
        var table = new Table().AddColumns("#", "part", "block", "output", "parameters");
        for (var i = 0; i < spans.Count; i++)
        {
            var end = i + 1 < spans.Count ? spans[i + 1].FirstUnit : units.Count;
            var parameters = units.Skip(spans[i].FirstUnit).Take(end - spans[i].FirstUnit).Sum(u => u.Parameters);
            table.AddRow((i + 1).ToString(), spans[i].IsStem ? "stem" : "block", Markup.Escape(spans[i].Block.Text), shapes[i + 1].ToString(), parameters.ToString("N0"));
        }
        AnsiConsole.Write(table);
        if (withLayers)
            foreach (var unit in units) Console.WriteLine(unit);
        AnsiConsole.MarkupLine($"input [bold]{a.Input}[/], classes [bold]{a.Classes}[/], layers [bold]{units.Count}[/]");
        AnsiConsole.MarkupLine($"parameters [bold]{a.Parameters:N0}[/], FLOPs (multiply-adds) [bold]{a.Flops:N0}[/], hash [bold]{a.Hash}[/]");
    }
}
