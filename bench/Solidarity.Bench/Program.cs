using System.Globalization;
using Solidarity.Bench;

// Benchmarks of the site's heavy paths; see bench/README.md. Run in Release:
//   dotnet run -c Release --project bench/Solidarity.Bench -- <webhooks [n] [senders] | receipts [n] | statements [sizes...] | pages [donations] [messages]>
const string Usage = """
    Usage: dotnet run -c Release --project bench/Solidarity.Bench -- <benchmark> [arguments]
      webhooks [n] [senders]
                            n signed checkout.session.completed events, one sender then many at once (default 2000, 32)
      receipts [n]          n receipt PDFs rendered on one thread, without the database (default 500)
      statements [sizes...] a week's statement, CSV and PDF for a branch of each size (default 20000 200000)
      pages [donations] [messages]
                            the dispute and home pages under wrk, with the demo seeded by volume (default 1000000 100000)
    """;

if (args.Length == 0)
{
    Console.WriteLine(Usage);
    return 0;
}

// The site's content root, which the test host otherwise looks for beside the solution file.
var root = new DirectoryInfo(AppContext.BaseDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Solidarity.sln")))
{
    root = root.Parent;
}

Environment.SetEnvironmentVariable(
    "ASPNETCORE_TEST_CONTENTROOT_SOLIDARITY_WEB",
    Path.Combine(root?.FullName ?? throw new InvalidOperationException("Run from inside the repository."), "src", "Solidarity.Web"));

try
{
    return args[0] switch
    {
        "webhooks" => await WebhookBench.RunAsync(Count(args, 2_000), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : WebhookBench.AnchorClients),
        "receipts" => ReceiptBench.Run(Count(args, 500)),
        "statements" => await StatementBench.RunAsync(args[1..]),
        "pages" => await PagesBench.RunAsync(root.FullName, Count(args, 1_000_000), args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000),
        _ => Fail($"Unknown benchmark '{args[0]}'."),
    };
}
catch (FormatException)
{
    return Fail($"'{string.Join(' ', args[1..])}' is not a count.");
}

static int Count(string[] args, int fallback) => args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : fallback;

int Fail(string message)
{
    Console.Error.WriteLine(message);
    Console.Error.WriteLine(Usage);
    return 2;
}
