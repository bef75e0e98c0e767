using System.Text;
using System.Text.Json;
using Berth.Agent.Runtime;

namespace Berth.Agent.Services;

/// <summary>
/// Writes a cluster's table with <c>nft -f</c>, in one transaction: the rules and verdict maps are replaced whole,
/// chains and sets no longer declared are deleted, and the affinity sets still declared keep their entries. Either
/// the whole new table is in place or the old one still is; connections already translated keep their translation
/// (conntrack holds it), so rewriting the table never drops one.
/// </summary>
internal static class Nftables
{
    /// <summary>Replaces the table with <paramref name="table"/>.</summary>
    public static async Task ApplyAsync(string name, NftablesRules.Table table, CancellationToken cancellationToken)
    {
        var (chains, sets, maps) = await ListAsync(name, cancellationToken);
        var script = new StringBuilder();
        script.Append("add table ip ").Append(name).Append('\n');
        script.Append("flush table ip ").Append(name).Append('\n');
        foreach (var map in maps)
        {
            script.Append("delete map ip ").Append(name).Append(' ').Append(map).Append('\n');
        }
        foreach (var chain in chains.Where(c => !table.Chains.Contains(c)))
        {
            script.Append("delete chain ip ").Append(name).Append(' ').Append(chain).Append('\n');
        }
        foreach (var set in sets.Where(s => !table.Sets.Contains(s)))
        {
            script.Append("delete set ip ").Append(name).Append(' ').Append(set).Append('\n');
        }
        script.Append(table.Declaration);
        await Network.HostCommand.RunAsync("nft", ["-f", "-"], script.ToString(), cancellationToken);
    }

    /// <summary>Removes the table, if it is there.</summary>
    public static async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        // declared first, so the delete never fails for a table that was never made
        await Network.HostCommand.RunAsync("nft", ["-f", "-"], $"add table ip {name}\ndelete table ip {name}\n", cancellationToken);
    }

    /// <summary>The chains, sets and maps the table holds now; none when there is no such table.</summary>
    private static async Task<(List<string> Chains, List<string> Sets, List<string> Maps)> ListAsync(string name, CancellationToken cancellationToken)
    {
        string listing;
        try
        {
            listing = await Network.HostCommand.RunAsync("nft", ["-j", "list", "table", "ip", name], null, cancellationToken);
        }
        catch (RuntimeException e) when (e.Message.Contains("No such file or directory", StringComparison.Ordinal))
        {
            return ([], [], []);
        }
        var (chains, sets, maps) = (new List<string>(), new List<string>(), new List<string>());
        using var json = JsonDocument.Parse(listing);
        foreach (var item in json.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out var chain))
            {
                chains.Add(chain.GetProperty("name").GetString()!);
            }
            else if (item.TryGetProperty("set", out var set))
            {
                sets.Add(set.GetProperty("name").GetString()!);
            }
            else if (item.TryGetProperty("map", out var map))
            {
                maps.Add(map.GetProperty("name").GetString()!);
            }
        }
        return (chains, sets, maps);
    }
}
