namespace Berth.Agent.Runtime;

/// <summary>
/// Passes on a log the engine sends with a timestamp before every entry, and remembers the last entry passed on, so
/// that a followed log the engine ends while the container still runs (Podman's file tailer does, now and then) can be
/// read again from a moment before it and continued without repeating or losing an entry. The timestamps are
/// removed again unless the client asked for them.
/// </summary>
internal sealed class LogResumption(Stream destination, bool keepTimestamps)
{
    private LogStamp? _last;
    private int _deliveredAtLast;
    private bool _resuming;
    private int _seenAtLast;
    private bool _skippingEntry;

    /// <summary>The time to read the log again from: a second before the last entry passed on, so it is surely included.</summary>
    public DateTimeOffset? ResumeFrom => _last?.Second.AddSeconds(-1);

    /// <summary>Starts reading a repeated log: entries up to the last one passed on are skipped.</summary>
    public void Resume()
    {
        _resuming = _last is not null;
        _seenAtLast = 0;
        _skippingEntry = false;
    }

    /// <summary>
    /// Takes one read of the engine's stream. A read that begins with a timestamp starts an entry; a read that does not
    /// continues the entry before it (an entry longer than a read arrives in several).
    /// </summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> read, CancellationToken cancellationToken)
    {
        if (LogStamp.TryParse(read.Span, out var stamp, out var length))
        {
            _skippingEntry = Skip(stamp);
            if (!_skippingEntry)
            {
                Remember(stamp);
            }
            if (!keepTimestamps)
            {
                read = read[length..];
            }
        }
        if (!_skippingEntry)
        {
            await destination.WriteAsync(read, cancellationToken);
        }
    }

    private bool Skip(LogStamp stamp)
    {
        if (!_resuming)
        {
            return false;
        }
        var order = stamp.CompareTo(_last!.Value);
        if (order > 0)
        {
            _resuming = false;
            return false;
        }
        if (order == 0 && ++_seenAtLast >= _deliveredAtLast)
        {
            _resuming = false; // the last entry passed on: what follows is new
        }
        return true;
    }

    private void Remember(LogStamp stamp)
    {
        if (_last is { } last && last.CompareTo(stamp) == 0)
        {
            _deliveredAtLast++;
            return;
        }
        _last = stamp;
        _deliveredAtLast = 1;
    }
}
