"""Drives Berth's Kubernetes API with Debian's python3-kubernetes: list, create, watch, delete.

Usage: python_session.py KUBECONFIG NAMESPACE. Prints one JSON object with what it saw.
"""
import json
import sys

from kubernetes import client, config, watch

config.load_kube_config(config_file=sys.argv[1])
namespace = sys.argv[2]
core = client.CoreV1Api()
seen = {}

core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
seen["namespaces"] = sorted(n.metadata.name for n in core.list_namespace().items)
created = core.create_namespaced_config_map(namespace, client.V1ConfigMap(
    metadata=client.V1ObjectMeta(name="from-python", labels={"client": "python"}), data={"answer": "42"}))
seen["created"] = created.metadata.name
seen["listed"] = [c.metadata.name for c in core.list_namespaced_config_map(namespace, label_selector="client=python").items]

events = []
stream = watch.Watch()
for event in stream.stream(core.list_namespaced_config_map, namespace, label_selector="client=python", timeout_seconds=5):
    events.append([event["type"], event["object"].metadata.name])
    if len(events) == 1:
        core.delete_namespaced_config_map("from-python", namespace)
    if event["type"] == "DELETED":
        stream.stop()
seen["events"] = events

try:
    core.read_namespaced_config_map("from-python", namespace)
    seen["after"] = "still there"
except client.exceptions.ApiException as e:
    seen["after"] = e.status

print(json.dumps(seen))
