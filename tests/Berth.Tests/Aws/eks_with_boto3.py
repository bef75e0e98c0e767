"""EKS, Auto Scaling and EC2 through boto3, as an SDK user drives them. Usage: eks_with_boto3.py <endpoint>."""
import sys
import time

import boto3

endpoint = sys.argv[1].rstrip("/")
session = boto3.session.Session(region_name="us-east-1")
eks = session.client("eks", endpoint_url=endpoint)
autoscaling = session.client("autoscaling", endpoint_url=endpoint)
ec2 = session.client("ec2", endpoint_url=endpoint)


def expect_error(client, code, call, **kwargs):
    try:
        call(**kwargs)
    except client.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, (code, e.response["Error"])
        return e
    raise AssertionError(f"expected {code} from {call.__name__}")


def until(what, check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


created = eks.create_cluster(name="sdk", version="1.31", roleArn="arn:aws:iam::000000000000:role/eks",
                             resourcesVpcConfig={"subnetIds": ["subnet-a", "subnet-b"]}, tags={"team": "sdk"})["cluster"]
assert created["status"] == "CREATING" and created["version"] == "1.31", created
eks.get_waiter("cluster_active").wait(name="sdk")
cluster = eks.describe_cluster(name="sdk")["cluster"]
assert cluster["endpoint"].endswith("/clusters/sdk"), cluster
assert cluster["certificateAuthority"]["data"] and cluster["identity"]["oidc"]["issuer"], cluster
assert cluster["resourcesVpcConfig"]["subnetIds"] == ["subnet-a", "subnet-b"], cluster
assert "sdk" in eks.list_clusters()["clusters"]
assert eks.list_tags_for_resource(resourceArn=cluster["arn"])["tags"] == {"team": "sdk"}
expect_error(eks, "ResourceInUseException", eks.create_cluster, name="sdk", roleArn="arn:aws:iam::000000000000:role/eks",
             resourcesVpcConfig={})

expect_error(eks, "InvalidParameterException", eks.create_nodegroup, clusterName="sdk", nodegroupName="bad", subnets=["subnet-a"],
             nodeRole="arn:aws:iam::000000000000:role/node", scalingConfig={"minSize": 3, "maxSize": 1, "desiredSize": 2})
group = eks.create_nodegroup(clusterName="sdk", nodegroupName="workers", subnets=["subnet-a"], instanceTypes=["m5.large"],
                             nodeRole="arn:aws:iam::000000000000:role/node", scalingConfig={"minSize": 1, "maxSize": 4, "desiredSize": 2},
                             labels={"tier": "app"}, taints=[{"key": "dedicated", "value": "app", "effect": "NO_SCHEDULE"}])["nodegroup"]
assert group["status"] == "CREATING", group
until("the node group to be ACTIVE", lambda: eks.describe_nodegroup(clusterName="sdk", nodegroupName="workers")["nodegroup"]["status"] == "ACTIVE")
expect_error(eks, "ResourceInUseException", eks.delete_cluster, name="sdk")

asg_name = eks.describe_nodegroup(clusterName="sdk", nodegroupName="workers")["nodegroup"]["resources"]["autoScalingGroups"][0]["name"]
groups = autoscaling.describe_auto_scaling_groups(Filters=[
    {"Name": "tag-key", "Values": ["k8s.io/cluster-autoscaler/enabled"]},
    {"Name": "tag:k8s.io/cluster-autoscaler/sdk", "Values": ["owned"]}])["AutoScalingGroups"]
assert [g["AutoScalingGroupName"] for g in groups] == [asg_name], groups
assert (groups[0]["MinSize"], groups[0]["MaxSize"], groups[0]["DesiredCapacity"]) == (1, 4, 2), groups
assert len(groups[0]["Instances"]) == 2 and all(i["LifecycleState"] == "InService" for i in groups[0]["Instances"]), groups

ids = [i["InstanceId"] for i in groups[0]["Instances"]]
reservations = ec2.describe_instances(InstanceIds=ids)["Reservations"]
instances = [i for r in reservations for i in r["Instances"]]
assert sorted(i["InstanceId"] for i in instances) == sorted(ids), instances
assert all(i["InstanceType"] == "m5.large" and i["State"]["Name"] == "running" for i in instances), instances
assert all(i["PrivateDnsName"] == "ip-" + i["PrivateIpAddress"].replace(".", "-") + ".us-east-1.compute.internal" for i in instances), instances
types = ec2.describe_instance_types(InstanceTypes=["m5.large", "t3.small"])["InstanceTypes"]
assert {t["InstanceType"]: (t["VCpuInfo"]["DefaultVCpus"], t["MemoryInfo"]["SizeInMiB"]) for t in types} == {"m5.large": (2, 8192), "t3.small": (2, 2048)}
expect_error(ec2, "InvalidInstanceID.NotFound", ec2.describe_instances, InstanceIds=["i-0123456789abcdef0"])

# a terminated instance is replaced, and the group keeps its size
activity = autoscaling.terminate_instance_in_auto_scaling_group(InstanceId=ids[0], ShouldDecrementDesiredCapacity=False)["Activity"]
assert activity["Description"] == f"Terminating EC2 instance: {ids[0]}", activity
until("a replacement instance", lambda: (lambda g: g["DesiredCapacity"] == 2 and len(g["Instances"]) == 2 and ids[0] not in [i["InstanceId"] for i in g["Instances"]]
                                         and all(i["LifecycleState"] == "InService" for i in g["Instances"]))(
    autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"][0]))
expect_error(autoscaling, "ValidationError", autoscaling.set_desired_capacity, AutoScalingGroupName=asg_name, DesiredCapacity=9)
descriptions = [a["Description"] for a in autoscaling.describe_scaling_activities(AutoScalingGroupName=asg_name)["Activities"]]
assert f"Terminating EC2 instance: {ids[0]}" in descriptions and sum(d.startswith("Launching") for d in descriptions) == 3, descriptions

update = eks.update_nodegroup_config(clusterName="sdk", nodegroupName="workers", scalingConfig={"desiredSize": 1})["update"]
assert update["type"] == "ConfigUpdate", update
until("one instance", lambda: len(autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"][0]["Instances"]) == 1)
assert eks.describe_nodegroup(clusterName="sdk", nodegroupName="workers")["nodegroup"]["scalingConfig"]["desiredSize"] == 1

eks.delete_nodegroup(clusterName="sdk", nodegroupName="workers")
until("the node group to go", lambda: eks.list_nodegroups(clusterName="sdk")["nodegroups"] == [])
assert autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[asg_name])["AutoScalingGroups"] == []
eks.delete_cluster(name="sdk")
eks.get_waiter("cluster_deleted").wait(name="sdk", WaiterConfig={"Delay": 1})
expect_error(eks, "ResourceNotFoundException", eks.describe_cluster, name="sdk")
print("all checks passed")
