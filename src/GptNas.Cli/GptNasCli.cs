using System.CommandLine;
using GptNas.Cli.Commands;

namespace GptNas.Cli;

/// <summary>The <c>gptnas</c> command tree. Commands only parse their options and call the libraries.</summary>
public static class GptNasCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("gptnas: neural architecture search with a GPT prior (GPT-NAS) for image classification");
        root.Subcommands.Add(ArchCommands.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(TrialsCommands.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(PriorCommands.Create());
        root.Subcommands.Add(AblationCommand.Create());
        root.Subcommands.Add(BenchCommands.Create());
        return root;
    }

    public static int Run(string[] args) => Create().Parse(args).Invoke();
}
