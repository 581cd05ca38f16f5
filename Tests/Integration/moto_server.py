"""moto in server mode (Kinesis, SQS, S3) on a free loopback port, for lake's AWS sources."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3


class MotoServer:
    def __init__(self, no_auth_calls=None):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = dict(os.environ)
        if no_auth_calls is not None:
            # The first calls skip auth (enough to make a user and key); after them moto checks SigV4.
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(no_auth_calls)
        server = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
        self.proc = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def env(self, key="testing", secret="testing"):
        """The environment lake runs with: credentials, region and this endpoint."""
        return {**os.environ, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": self.url, "HOME": os.environ.get("HOME", "/tmp")}

    def client(self, service, key="testing", secret="testing"):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
