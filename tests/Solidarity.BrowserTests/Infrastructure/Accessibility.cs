using System.Globalization;
using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Solidarity.BrowserTests.Infrastructure;

/// <summary>axe-core (the script the Deque package bundles) run in the page, limited to WCAG 2.0 and 2.1 levels A and AA.</summary>
internal static class Accessibility
{
    public static readonly string[] WcagAaTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    /// <param name="rulesNotChecked">axe rule ids left out, each with its reason where the caller names it.</param>
    public static async Task<AxeResult> RunAxeAsync(IPage page, params string[] rulesNotChecked) =>
        await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. WcagAaTags] },
            Rules = rulesNotChecked.Length == 0 ? null : rulesNotChecked.ToDictionary(rule => rule, _ => new RuleOptions { Enabled = false }),
        });

    /// <summary>One line per violation, then the nodes it was found on: what a failing test should print.</summary>
    public static string Describe(AxeResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"axe found {result.Violations.Length} WCAG 2.1 AA violation(s) on {result.Url}:");
        foreach (var violation in result.Violations)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {violation.Id} ({violation.Impact}): {violation.Help} <{violation.HelpUrl}>");
            foreach (var node in violation.Nodes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    on {node.Target}: {node.Html}");
            }
        }

        return text.ToString();
    }
}
