using Berth.Aws.Ec2;
using Berth.Aws.Endpoint;
using Berth.Kube;
using Berth.Kube.Hosting;
using Berth.Kube.Pki;
using Berth.Registry.Distribution;
using Berth.Store;
using Berth.Store.Sqlite;
using Prometheus;

namespace Berth.Server;

/// <summary>
/// The <c>berth server</c> process: one Kestrel host serving every endpoint, over one store.
/// Later parts add their APIs and controllers here through their own <c>AddX</c>/<c>MapX</c> methods.
/// </summary>
internal static partial class BerthServer
{
    public static async Task RunAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        CreateDataDirectory(options.DataDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        ConfigureLogging(builder.Logging, options.LogFormat);
        var kube = new KubeApiOptions
        {
            DataDirectory = options.DataDirectory,
            Address = options.Address,
            Port = options.KubePort,
            MetricResolution = options.MetricResolution,
            HorizontalPodAutoscalerSyncPeriod = options.HorizontalPodAutoscalerSyncPeriod,
        };
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Address, options.Port);
            kestrel.ListenKubernetesApi(kube);
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IStore>(services => KubeApiHosting.WithEncryptionAtRest(
            SqliteStore.Open(new SqliteStoreOptions { Path = options.StorePath }, services.GetRequiredService<ILoggerFactory>()),
            services.GetRequiredService<ClusterPki>(), AwsHosting.IsSealed));
        builder.Services.AddHostedService<StoreCompactionService>();
        builder.Services.AddKubernetesApi(kube);
        builder.Services.AddAwsEndpoint(options.DataDirectory, options.AccountId,
            new InstanceProviderOptions(BerthCommand(), options.DataDirectory, options.InstanceRuntime));
        builder.Services.AddRegistry(Path.Combine(options.DataDirectory, "registry"));

        using var meters = StartMetrics();
        await using var app = builder.Build();
        // Open the store before listening, so a damaged or busy data folder stops the start with a clear error.
        var store = app.Services.GetRequiredService<IStore>();
        var status = await store.GetStatusAsync(cancellationToken);
        LogStoreOpened(app.Logger, options.StorePath, status.Revision);

        app.UseHttpMetrics();
        app.MapKubernetesApi();
        app.MapRegistry();
        app.MapAwsEndpoint();
        app.MapHealthEndpoints();
        app.MapMetrics("/metrics");

        await app.RunAsync(cancellationToken);
    }

    /// <summary>How this process was started, to start its node agents the same way: the published binary, or <c>dotnet berth.dll</c>.</summary>
    /// <summary>How this executable is started again: the apphost, or dotnet with the assembly.</summary>
    internal static List<string> BerthCommand()
    {
        var host = Environment.ProcessPath ?? "berth";
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, typeof(BerthServer).Assembly.Location] : [host];
    }

    /// <summary>The data folder will hold credentials and Secrets: only its owner may enter a new one.</summary>
    private static void CreateDataDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Exports Berth's own meters (named <c>Berth.*</c>) and the runtime's from the start; prometheus-net would
    /// otherwise begin listening only at the first scrape and miss what came before. ASP.NET Core's meters stay
    /// unexported: HTTP requests are counted by prometheus-net's middleware already, and Kestrel's buffer-pool meter
    /// records on every buffer a connection rents (a measured tenth of a create's CPU while it was listened to).
    /// </summary>
    private static IDisposable StartMetrics()
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true, SuppressEventCounters = true });
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument =>
                instrument.Meter.Name.StartsWith("Berth.", StringComparison.Ordinal) || instrument.Meter.Name == "System.Runtime",
            // Store operations take from tens of microseconds to seconds.
            ResolveHistogramBuckets = _ => Histogram.ExponentialBuckets(0.00005, 2, 17),
        });
    }

    private static void ConfigureLogging(ILoggingBuilder logging, LogFormat format)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Store {Path} opened at revision {Revision}")]
    private static partial void LogStoreOpened(ILogger logger, string path, long revision);
}
