using System.Text;
using System.Text.Json;

namespace Berth.Store.Tests;

/// <summary>Small helpers to write and read test documents.</summary>
internal static class TestJson
{
    public static byte[] Doc(object value) => JsonSerializer.SerializeToUtf8Bytes(value);

    public static byte[] Doc(string json) => Encoding.UTF8.GetBytes(json);

    public static string Text(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    public static int Number(ReadOnlyMemory<byte> value, string property = "n") =>
        JsonDocument.Parse(value).RootElement.GetProperty(property).GetInt32();
}
