using System.Globalization;
using System.Text.Json.Serialization;
using Berth.Registry.Content;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary><c>/v2/&lt;name&gt;/tags/list</c>: the tags in lexical order, paged by <c>n</c> and <c>last</c> with a <c>Link</c> to the next page.</summary>
internal sealed class TagRequests(RepositoryContent content)
{
    public async Task ListAsync(HttpContext context, RegistryRepository repository)
    {
        var query = context.Request.Query;
        int? limit = null;
        if (query["n"].ToString() is { Length: > 0 } n)
        {
            limit = int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : throw new DistributionException(StatusCodes.Status400BadRequest, "PAGINATION_NUMBER_INVALID", $"n must be a whole number, not \"{n}\"");
        }
        var last = query["last"].ToString();
        var tags = (await content.ListTagsAsync(repository, context.RequestAborted))
            .Select(t => t.Tag)
            .Where(t => last.Length == 0 || string.CompareOrdinal(t, last) > 0)
            .ToList();
        var page = limit is { } take ? tags.Take(take).ToList() : tags;
        if (limit is { } size && size > 0 && tags.Count > size)
        {
            context.Response.Headers.Link = $"</v2/{repository.Name}/tags/list?n={size}&last={Uri.EscapeDataString(page[^1])}>; rel=\"next\"";
        }
        await context.Response.WriteAsJsonAsync(new TagList(repository.Name, page), DistributionJson.Default.TagList, cancellationToken: context.RequestAborted);
    }
}

internal sealed record TagList([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);
