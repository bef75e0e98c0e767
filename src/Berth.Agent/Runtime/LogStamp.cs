using System.Globalization;
using System.Text;

namespace Berth.Agent.Runtime;

/// <summary>
/// The RFC 3339 timestamp an engine writes before a log entry and the space after it. Podman writes whole seconds,
/// Docker nanoseconds; entries in the same instant are told apart by their order.
/// </summary>
internal readonly record struct LogStamp(DateTimeOffset Second, int Nanoseconds) : IComparable<LogStamp>
{
    private const int LongestStamp = 35; // 2006-01-02T15:04:05.999999999+07:00

    public int CompareTo(LogStamp other)
    {
        var bySecond = Second.CompareTo(other.Second);
        return bySecond != 0 ? bySecond : Nanoseconds.CompareTo(other.Nanoseconds);
    }

    public static bool TryParse(ReadOnlySpan<byte> read, out LogStamp stamp, out int length)
    {
        stamp = default;
        length = 0;
        var space = read[..Math.Min(read.Length, LongestStamp + 1)].IndexOf((byte)' ');
        if (space < "2006-01-02T15:04:05Z".Length)
        {
            return false;
        }
        var text = Encoding.ASCII.GetString(read[..space]);
        var fraction = text.IndexOf('.', StringComparison.Ordinal);
        var nanoseconds = 0;
        var whole = text;
        if (fraction >= 0)
        {
            var digits = text.AsSpan(fraction + 1);
            var count = digits.IndexOfAnyExceptInRange('0', '9');
            if (count is < 1 or > 9)
            {
                return false;
            }
            nanoseconds = int.Parse(digits[..count], NumberStyles.None, CultureInfo.InvariantCulture) * (int)Math.Pow(10, 9 - count);
            whole = string.Concat(text.AsSpan(0, fraction), digits[count..]);
        }
        if (!DateTimeOffset.TryParseExact(whole, ["yyyy-MM-ddTHH:mm:ssK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var second))
        {
            return false;
        }
        stamp = new LogStamp(second, nanoseconds);
        length = space + 1;
        return true;
    }
}
