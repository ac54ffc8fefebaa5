return GptNas.Cli.GptNasCli.Run(args);
