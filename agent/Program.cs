return await Agent.Cli.AgentCli.RunAsync(args);
