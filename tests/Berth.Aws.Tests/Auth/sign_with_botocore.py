"""Signs the requests the SigV4 tests verify, with botocore's own signers, and prints them as JSON.

Usage: sign_with_botocore.py <access key> <secret>
"""
import json
import sys

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

access_key, secret = sys.argv[1], sys.argv[2]
credentials = Credentials(access_key, secret)

cases = [
    ("json-post", "ecr", "POST", "http://localhost:4566/", {"X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
                                                             "Content-Type": "application/x-amz-json-1.1"}, b'{"maxResults": 5}', False),
    ("rest-path", "eks", "GET", "http://localhost:4566/clusters/my%20cluster/node-groups?maxResults=10&nextToken=a%2Fb%3D", {}, b"", False),
    ("query-unicode", "autoscaling", "POST", "http://localhost:4566/?Action=DescribeAutoScalingGroups&Version=2011-01-01&Tags.member.1.Value=caf%C3%A9%20bar",
     {"Content-Type": "application/x-www-form-urlencoded"}, b"", False),
    ("spaces-in-header", "sts", "GET", "http://localhost:4566/?Action=GetCallerIdentity&Version=2011-06-15", {"X-Custom": "  a   b  "}, b"", False),
    ("presigned", "ecr", "GET", "http://localhost:4566/v2/app/blobs/sha256:abc?x=1", {}, b"", True),
]

out = []
for name, service, method, url, headers, body, presign in cases:
    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    signer = SigV4QueryAuth(credentials, service, "us-east-1", expires=300) if presign else SigV4Auth(credentials, service, "us-east-1")
    signer.add_auth(request)
    prepared = request.prepare()
    headers = {k: v for k, v in prepared.headers.items()}
    headers.setdefault("Host", "localhost:4566")
    out.append({"name": name, "method": method, "url": prepared.url, "headers": headers, "body": body.decode()})
print(json.dumps(out))
