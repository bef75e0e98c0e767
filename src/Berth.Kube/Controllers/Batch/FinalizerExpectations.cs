using System.Collections.Concurrent;

namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// The pods whose tracking finalizer a Job's controller removed and its informer has not yet seen go, per Job: until
/// it does, such a pod is not counted again from a stale copy.
/// </summary>
internal sealed class FinalizerExpectations
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _jobOfPod = new(StringComparer.Ordinal);

    public void Expect(string job, string podUid)
    {
        _pending.GetOrAdd(job, _ => new(StringComparer.Ordinal))[podUid] = true;
        _jobOfPod[podUid] = job;
    }

    /// <summary>The pod was seen without the finalizer, or gone, or its removal failed.</summary>
    public void Observed(string podUid)
    {
        if (_jobOfPod.TryRemove(podUid, out var job))
        {
            _pending.GetValueOrDefault(job)?.TryRemove(podUid, out _);
        }
    }

    public bool IsExpected(string job, string podUid) => _pending.GetValueOrDefault(job)?.ContainsKey(podUid) == true;

    public bool Satisfied(string job) => _pending.GetValueOrDefault(job)?.IsEmpty ?? true;

    public void Forget(string job)
    {
        if (_pending.TryRemove(job, out var pods))
        {
            foreach (var uid in pods.Keys)
            {
                _jobOfPod.TryRemove(uid, out _);
            }
        }
    }
}
