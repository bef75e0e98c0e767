namespace Berth.Server;

internal enum LogFormat
{
    Text,
    Json,
}
