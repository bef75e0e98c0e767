namespace Berth.Bench.Store;

/// <summary>A folder for the run's databases, on the same disk for every measurement.</summary>
internal sealed class Scratch : IDisposable
{
    private readonly string _path = Directory.CreateTempSubdirectory("berth-bench-").FullName;

    public string File(string name) => Path.Combine(_path, name);

    public void Dispose() => Directory.Delete(_path, recursive: true);
}
