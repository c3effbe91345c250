using Handoff.Desk;

await DeskApp.Build(args).RunAsync();
