using System.Globalization;
using Berth.Agent.Runtime;
using Microsoft.AspNetCore.Http;

namespace Berth.Agent.Server;

/// <summary>
/// <c>GET /containerLogs/{namespace}/{pod}/{container}</c>, the kubelet's log endpoint that <c>kubectl logs</c> reaches
/// through the API server: <c>follow</c>, <c>previous</c>, <c>timestamps</c>, <c>tailLines</c>, <c>sinceSeconds</c>,
/// <c>sinceTime</c> and <c>limitBytes</c>, the log streamed as the container writes it.
/// </summary>
internal sealed class ContainerLogEndpoint(ContainerTargets targets, IContainerRuntime runtime, TimeProvider time)
{
    public async Task HandleAsync(HttpContext context, string @namespace, string pod, string container)
    {
        var query = context.Request.Query;
        var found = targets.Pod(@namespace, pod);
        var id = ContainerTargets.ForLog(found, container, Flag(query["previous"]));
        DateTimeOffset? since = Number(query["sinceSeconds"]) is { } seconds ? time.GetUtcNow().AddSeconds(-seconds)
            : DateTimeOffset.TryParse(query["sinceTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at
            : null;
        var options = new LogOptions(Flag(query["follow"]), Number(query["tailLines"]), since, Flag(query["timestamps"]));
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(context.RequestAborted);
        if (Number(query["limitBytes"]) is not { } limit)
        {
            await runtime.WriteLogAsync(id, options, context.Response.Body, context.RequestAborted);
            return;
        }
        using var enough = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            await runtime.WriteLogAsync(id, options, new LimitedStream(context.Response.Body, limit, enough), enough.Token);
        }
        catch (OperationCanceledException) when (enough.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            // the limit is reached
        }
    }

    private static bool Flag(string? value) => value is "true" or "1";

    private static long? Number(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>Passes on at most a number of bytes, then cancels the copy feeding it.</summary>
    private sealed class LimitedStream(Stream inner, long limit, CancellationTokenSource enough) : Stream
    {
        private long _left = limit;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var take = (int)Math.Min(buffer.Length, _left);
            await inner.WriteAsync(buffer[..take], cancellationToken);
            _left -= take;
            if (_left == 0)
            {
                await enough.CancelAsync();
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
