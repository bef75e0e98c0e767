using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Authentication;
using Berth.Kube.Authorization;
using Berth.Kube.Kubelet;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>
/// The pod subresources served by the pod's node agent — <c>log</c>, <c>exec</c> and <c>portforward</c> — checked here
/// as kube-apiserver checks them (the container, the options, the node) and then forwarded to the agent's endpoint.
/// </summary>
internal sealed partial class ResourceHandler
{
    /// <summary>A pod's lists of containers, in the order kube-apiserver names them.</summary>
    private static readonly string[] s_containerLists = ["initContainers", "containers", "ephemeralContainers"];

    /// <summary>The log options kube-apiserver passes on to the kubelet.</summary>
    private static readonly string[] s_logParameters = ["follow", "previous", "timestamps", "tailLines", "sinceSeconds", "sinceTime", "limitBytes"];

    /// <summary>The exec options kube-apiserver passes on to the kubelet.</summary>
    private static readonly string[] s_execParameters = ["command", "stdin", "stdout", "stderr", "tty"];

    /// <summary>The port-forward options kube-apiserver passes on to the kubelet.</summary>
    private static readonly string[] s_portForwardParameters = ["ports"];

    private async Task ConnectAsync(HttpContext context, string cluster, ResourceType pods, string ns, RequestInfo request)
    {
        var subresource = request.Subresource!;
        var name = request.Name ?? throw KubeApiException.UnknownResource();
        if (subresource == "log" ? request.Verb != "get" : request.Verb is not ("get" or "create"))
        {
            throw KubeApiException.MethodNotSupported($"pods/{subresource}", request.Verb);
        }
        if (subresource != "log" && request.Verb == "get")
        {
            // a WebSocket's GET starts a stream as a POST would: it needs the same permission (Kubernetes 1.32)
            var create = AccessRequest.ForResource(KubeUserFeature.Get(context), request with { Verb = "create" });
            if (!(await authorizer.AuthorizeAsync(create, context.RequestAborted)).Allowed)
            {
                throw create.Forbidden();
            }
        }
        var query = context.Request.Query;
        if (subresource == "log")
        {
            ValidateLogOptions(name, query);
        }
        else if (subresource == "exec" && query["command"].Count == 0)
        {
            throw KubeApiException.BadRequest("you must specify at least 1 command");
        }
        else if (subresource == "portforward")
        {
            ValidatePorts(query["ports"]);
        }
        var pod = await RequireAsync(cluster, pods, ns, name, context.RequestAborted);
        var container = subresource == "portforward" ? "" : ContainerOf(pod, name, query["container"]);
        if (pod["spec"]?["nodeName"].AsText() is not { Length: > 0 } nodeName)
        {
            if (subresource == "log")
            {
                return; // nothing has run yet: an empty log, as kube-apiserver answers without a node to ask
            }
            throw KubeApiException.BadRequest($"pod {name} does not have a host assigned");
        }
        var node = await ReadAsync(cluster, registry.Find("", "v1", "nodes")!, null, nodeName, context.RequestAborted)
            ?? throw KubeApiException.NotFound("nodes", nodeName);
        var (path, passed) = subresource switch
        {
            "log" => ($"/containerLogs/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(container)}", s_logParameters),
            "exec" => ($"/exec/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(container)}", s_execParameters),
            _ => ($"/portForward/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}", s_portForwardParameters),
        };
        var target = new UriBuilder(KubeletConnections.AgentUri(node, path))
        {
            Query = string.Join('&', passed.SelectMany(p => query[p].Select(v => $"{p}={Uri.EscapeDataString(v ?? "")}"))),
        }.Uri;
        await kubelets.ForwardAsync(context, target);
    }

    /// <summary>The container a request means, as kube-apiserver picks it: the one named, or the pod's only one.</summary>
    private static string ContainerOf(JsonObject pod, string name, string? given)
    {
        var spec = pod["spec"];
        var names = s_containerLists
            .SelectMany(list => (spec?[list] as JsonArray ?? []).Select(c => c?["name"].AsText() ?? "")).ToList();
        if (!string.IsNullOrEmpty(given))
        {
            return names.Contains(given) ? given : throw KubeApiException.BadRequest($"container {given} is not valid for pod {name}");
        }
        var containers = spec?["containers"] as JsonArray ?? [];
        return containers.Count switch
        {
            1 => containers[0]?["name"].AsText() ?? "",
            0 => throw KubeApiException.BadRequest($"a container name must be specified for pod {name}"),
            _ => throw KubeApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(' ', names)}]"),
        };
    }

    /// <summary>kube-apiserver's check of <c>PodPortForwardOptions</c>: each port given is a TCP port number.</summary>
    private static void ValidatePorts(Microsoft.Extensions.Primitives.StringValues ports)
    {
        foreach (var port in ports.SelectMany(p => (p ?? "").Split(',')))
        {
            if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number == 0)
            {
                throw KubeApiException.BadRequest($"invalid port \"{port}\": ports must be between 1 and 65535");
            }
        }
    }

    /// <summary>kube-apiserver's checks of <c>PodLogOptions</c>.</summary>
    private static void ValidateLogOptions(string name, IQueryCollection query)
    {
        var errors = new List<FieldError>();
        long? Number(string parameter)
        {
            if (query[parameter].Count == 0 || string.IsNullOrEmpty(query[parameter][0]))
            {
                return null;
            }
            return long.TryParse(query[parameter][0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
                : throw KubeApiException.BadRequest($"{parameter}: invalid value \"{query[parameter][0]}\"");
        }
        if (Number("tailLines") is < 0 and var tail)
        {
            errors.Add(FieldError.Invalid("tailLines", tail, "must be greater than or equal to 0"));
        }
        if (Number("limitBytes") is < 1 and var limit)
        {
            errors.Add(FieldError.Invalid("limitBytes", limit, "must be greater than 0"));
        }
        var sinceSeconds = Number("sinceSeconds");
        if (sinceSeconds is < 1)
        {
            errors.Add(FieldError.Invalid("sinceSeconds", sinceSeconds.Value, "must be greater than 0"));
        }
        if (!string.IsNullOrEmpty(query["sinceTime"]))
        {
            if (sinceSeconds is not null)
            {
                errors.Add(new FieldError("", "FieldValueForbidden", "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"));
            }
            if (KubeTime.Parse(JsonValue.Create(query["sinceTime"].ToString())) is null)
            {
                throw KubeApiException.BadRequest($"sinceTime: invalid value \"{query["sinceTime"]}\"");
            }
        }
        if (errors.Count > 0)
        {
            throw KubeApiException.Invalid("PodLogOptions", "", name, errors);
        }
    }
}
