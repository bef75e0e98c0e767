"""ECR's image and layer APIs through boto3, as an SDK user drives them. Usage: ecr_with_boto3.py <endpoint>."""
import base64
import hashlib
import json
import sys
import urllib.error
import urllib.request

import boto3

endpoint = sys.argv[1].rstrip("/")
ecr = boto3.client("ecr", endpoint_url=endpoint, region_name="us-east-1")
repo = "boto/app"


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def expect_error(code, call, **kwargs):
    try:
        call(**kwargs)
    except ecr.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, (code, e.response["Error"])
        return e
    raise AssertionError(f"expected {code} from {call.__name__}")


def push_layer(data, parts):
    upload = ecr.initiate_layer_upload(repositoryName=repo)
    assert upload["partSize"] > 0
    size = len(data) // parts
    offsets = [i * size for i in range(parts)] + [len(data)]
    for first, end in zip(offsets, offsets[1:]):
        answer = ecr.upload_layer_part(repositoryName=repo, uploadId=upload["uploadId"], partFirstByte=first,
                                       partLastByte=end - 1, layerPartBlob=data[first:end])
        assert answer["lastByteReceived"] == end - 1, answer
    done = ecr.complete_layer_upload(repositoryName=repo, uploadId=upload["uploadId"], layerDigests=[digest(data)])
    assert done["layerDigest"] == digest(data)
    return digest(data)


def registry_get(path, password):
    request = urllib.request.Request(endpoint + path)
    request.add_header("Authorization", "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode())
    return urllib.request.urlopen(request)


ecr.create_repository(repositoryName=repo)

layer = bytes(range(256)) * 4000
config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [digest(layer)]}}).encode()
layer_digest = push_layer(layer, 3)
config_digest = push_layer(config, 1)

# a part that skips ahead is refused; the upload keeps what it had
upload = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
ecr.upload_layer_part(repositoryName=repo, uploadId=upload, partFirstByte=0, partLastByte=9, layerPartBlob=b"0123456789")
expect_error("InvalidLayerPartException", ecr.upload_layer_part, repositoryName=repo, uploadId=upload, partFirstByte=20,
             partLastByte=29, layerPartBlob=b"0123456789")
expect_error("InvalidLayerException", ecr.complete_layer_upload, repositoryName=repo, uploadId=upload, layerDigests=[digest(b"other")])
expect_error("UploadNotFoundException", ecr.upload_layer_part, repositoryName=repo, uploadId="0" * 32, partFirstByte=0,
             partLastByte=0, layerPartBlob=b"x")
expect_error("LayerAlreadyExistsException", lambda **kw: (lambda u: (
    ecr.upload_layer_part(repositoryName=repo, uploadId=u, partFirstByte=0, partLastByte=len(config) - 1, layerPartBlob=config),
    ecr.complete_layer_upload(repositoryName=repo, uploadId=u, layerDigests=[config_digest])))(
    ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]))

available = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=[layer_digest, digest(b"missing")])
assert [l["layerAvailability"] for l in available["layers"]] == ["AVAILABLE"], available
assert available["layers"][0]["layerSize"] == len(layer)
assert available["failures"][0]["failureCode"] == "MissingLayerDigest", available

password = base64.b64decode(ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]).decode().split(":", 1)[1]
url = ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=layer_digest)["downloadUrl"]
assert registry_get(url[len(endpoint):], password).read() == layer

manifest = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": config_digest, "size": len(config)},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": layer_digest, "size": len(layer)}],
})
image = ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag="v1")["image"]
assert image["imageId"] == {"imageDigest": digest(manifest.encode()), "imageTag": "v1"}, image
assert image["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
expect_error("ImageAlreadyExistsException", ecr.put_image, repositoryName=repo, imageManifest=manifest, imageTag="v1")
expect_error("ImageDigestDoesNotMatchException", ecr.put_image, repositoryName=repo, imageManifest=manifest, imageDigest=digest(b"x"))
missing = manifest.replace(layer_digest, digest(b"never pushed"))
expect_error("LayersNotFoundException", ecr.put_image, repositoryName=repo, imageManifest=missing, imageTag="broken")
expect_error("InvalidParameterException", ecr.put_image, repositoryName=repo, imageManifest="{not json", imageTag="broken")

got = ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}, {"imageTag": "nope"}])
assert got["images"][0]["imageManifest"] == manifest
assert got["failures"][0]["failureCode"] == "ImageNotFound"
details = ecr.describe_images(repositoryName=repo)["imageDetails"]
assert [(d["imageTags"], d["imageSizeInBytes"]) for d in details] == [(["v1"], len(layer))], details

ecr.put_image_tag_mutability(repositoryName=repo, imageTagMutability="IMMUTABLE")
other = manifest.replace('"schemaVersion": 2', '"schemaVersion": 2, "annotations": {"n": "2"}')
expect_error("ImageTagAlreadyExistsException", ecr.put_image, repositoryName=repo, imageManifest=other, imageTag="v1")
ecr.put_image_tag_mutability(repositoryName=repo, imageTagMutability="MUTABLE")

# a repository policy that denies pulls closes both the API and the registry
deny = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "nopull", "Effect": "Deny", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]})
ecr.set_repository_policy(repositoryName=repo, policyText=deny)
assert json.loads(ecr.get_repository_policy(repositoryName=repo)["policyText"]) == json.loads(deny)
expect_error("AccessDeniedException", ecr.batch_get_image, repositoryName=repo, imageIds=[{"imageTag": "v1"}])
try:
    registry_get(f"/v2/{repo}/manifests/v1", password)
    raise AssertionError("the registry served a pull the policy denies")
except urllib.error.HTTPError as e:
    assert e.code == 403 and json.load(e)["errors"][0]["code"] == "DENIED", e
expect_error("InvalidParameterException", ecr.set_repository_policy, repositoryName=repo, policyText="{}")
ecr.delete_repository_policy(repositoryName=repo)
expect_error("RepositoryPolicyNotFoundException", ecr.get_repository_policy, repositoryName=repo)
assert registry_get(f"/v2/{repo}/manifests/v1", password).status == 200

arn = ecr.describe_repositories(repositoryNames=[repo])["repositories"][0]["repositoryArn"]
ecr.tag_resource(resourceArn=arn, tags=[{"Key": "team", "Value": "web"}, {"Key": "env", "Value": "dev"}])
ecr.untag_resource(resourceArn=arn, tagKeys=["env"])
assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "team", "Value": "web"}]

expect_error("LifecyclePolicyNotFoundException", ecr.get_lifecycle_policy, repositoryName=repo)
expect_error("InvalidParameterException", ecr.put_lifecycle_policy, repositoryName=repo,
             lifecyclePolicyText=json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}]}))

# removing an image's last tag removes the image, as in ECR
ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}])
expect_error("ImageNotFoundException", ecr.describe_images, repositoryName=repo, imageIds=[{"imageDigest": image["imageId"]["imageDigest"]}])
ecr.delete_repository(repositoryName=repo, force=True)
expect_error("RepositoryNotFoundException", ecr.list_images, repositoryName=repo)
print("all checks passed")
