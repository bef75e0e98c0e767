// These tests drive the real executable with Unix signals and file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
