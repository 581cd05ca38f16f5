"""A SASL (and TLS) listener in front of librdkafka's mock cluster, which has neither.

Each broker gets a loopback port that speaks the broker side of KIP-152 as Kafka does:
SaslHandshake v1, then SaslAuthenticate v0/v1 carrying PLAIN (RFC 4616) or SCRAM-SHA-256/512
(RFC 5802/7677, server side, with a salted password store). Until a client has authenticated,
only ApiVersions and those two are answered; anything else closes the connection, as a
broker's SASL listener does. After that, requests go to the mock broker unchanged, and the
broker addresses in Metadata and FindCoordinator answers are rewritten to the SASL ports, so
a client never reaches the mock around the listener.

Only the Kafka versions lake asks for are parsed: ApiVersions v0–v2, Metadata v7,
FindCoordinator v2 (all non-flexible)."""
import base64
import hashlib
import hmac
import os
import socket
import struct
import threading

API_VERSIONS, METADATA, FIND_COORDINATOR, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 3, 10, 17, 36
MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(sock):
    size = struct.unpack(">i", read_exact(sock, 4))[0]
    return read_exact(sock, size)


def send_frame(sock, body):
    sock.sendall(struct.pack(">i", len(body)) + body)


def kstring(s):
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def read_string(buf, p):
    n = struct.unpack_from(">h", buf, p)[0]
    p += 2
    if n < 0:
        return None, p
    return buf[p:p + n].decode(), p + n


class Scram:
    """The server side of one SCRAM exchange."""

    def __init__(self, mechanism, users):
        self.hash = hashlib.sha256 if mechanism == "SCRAM-SHA-256" else hashlib.sha512
        self.users = users
        self.state = "first"

    def step(self, message):
        text = message.decode()
        if self.state == "first":
            _gs2, _authz, bare = text.split(",", 2)
            attrs = dict(kv.split("=", 1) for kv in bare.split(","))
            self.user, self.client_nonce = attrs["n"], attrs["r"]
            self.salt, self.iterations = os.urandom(16), 4096
            self.nonce = self.client_nonce + base64.b64encode(os.urandom(18)).decode()
            self.client_first_bare = bare
            self.server_first = f"r={self.nonce},s={base64.b64encode(self.salt).decode()},i={self.iterations}"
            self.state = "final"
            return self.server_first.encode(), None
        attrs = dict(kv.split("=", 1) for kv in text.split(","))
        without_proof = text[:text.rindex(",p=")]
        password = self.users.get(self.user)
        if attrs.get("r") != self.nonce or password is None:
            return None, "Authentication failed during authentication due to invalid credentials with SASL mechanism"
        salted = hashlib.pbkdf2_hmac(self.hash().name, password.encode(), self.salt, self.iterations)
        client_key = hmac.new(salted, b"Client Key", self.hash).digest()
        stored_key = self.hash(client_key).digest()
        auth_message = f"{self.client_first_bare},{self.server_first},{without_proof}".encode()
        signature = hmac.new(stored_key, auth_message, self.hash).digest()
        proof = base64.b64decode(attrs["p"])
        recovered = bytes(a ^ b for a, b in zip(proof, signature))
        if self.hash(recovered).digest() != stored_key:
            return None, "Authentication failed during authentication due to invalid credentials with SASL mechanism"
        server_key = hmac.new(salted, b"Server Key", self.hash).digest()
        verifier = base64.b64encode(hmac.new(server_key, auth_message, self.hash).digest()).decode()
        return f"v={verifier}".encode(), None


class SaslFront:
    def __init__(self, bootstraps, users, tls=None, sasl=True):
        """bootstraps: the mock's "host:port,…"; users: {name: password}; tls: an
        ssl.SSLContext for the server side (SSL or SASL_SSL listeners); sasl=False for a
        plain SSL listener."""
        self.users = users
        self.tls = tls
        self.sasl = sasl
        self.upstream = [(h, int(p)) for h, p in (b.rsplit(":", 1) for b in bootstraps.split(","))]
        self.failures = []
        # {topic: n}: Metadata shows only the topic's first n partitions (until set back), so a
        # test can add partitions to a running consumer, which the mock itself cannot.
        self.hide_partitions = {}
        self.listeners = []
        self.ports = {}   # upstream port -> front port
        for host, port in self.upstream:
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", 0))
            server.listen(16)
            self.ports[port] = server.getsockname()[1]
            self.listeners.append(server)
            threading.Thread(target=self._accept, args=(server, host, port), daemon=True).start()

    @property
    def bootstraps(self):
        return ",".join(f"127.0.0.1:{self.ports[p]}" for _, p in self.upstream)

    def _accept(self, server, host, port):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, host, port), daemon=True).start()

    def _serve(self, client, host, port):
        upstream = None
        try:
            if self.tls:
                client = self.tls.wrap_socket(client, server_side=True)
            mechanism, scram, authenticated = None, None, not self.sasl
            while not authenticated:
                frame = read_frame(client)
                key, version, correlation = struct.unpack_from(">hhi", frame, 0)
                if key == API_VERSIONS:
                    upstream = upstream or socket.create_connection((host, port))
                    send_frame(upstream, frame)
                    send_frame(client, self._with_sasl_apis(read_frame(upstream), version))
                elif key == SASL_HANDSHAKE:
                    _client_id, p = read_string(frame, 8)
                    mechanism, _ = read_string(frame, p)
                    error = 0 if mechanism in MECHANISMS else 33
                    body = struct.pack(">ih", correlation, error) + struct.pack(">i", len(MECHANISMS))
                    body += b"".join(kstring(m) for m in MECHANISMS)
                    send_frame(client, body)
                    scram = Scram(mechanism, self.users) if mechanism.startswith("SCRAM") else None
                elif key == SASL_AUTHENTICATE and mechanism:
                    _client_id, p = read_string(frame, 8)
                    n = struct.unpack_from(">i", frame, p)[0]
                    auth = frame[p + 4:p + 4 + n]
                    if scram:
                        reply, failure = scram.step(auth)
                        authenticated = failure is None and scram.state == "final" and reply.startswith(b"v=")
                    else:
                        _authz, user, password = auth.decode().split("\x00")
                        ok = self.users.get(user) == password
                        reply = b"" if ok else None
                        failure = None if ok else "Authentication failed: Invalid username or password"
                        authenticated = ok
                    if failure:
                        self.failures.append(failure)
                    body = struct.pack(">ih", correlation, 58 if failure else 0) + kstring(failure)
                    body += struct.pack(">i", -1 if reply is None else len(reply)) + (reply or b"")
                    if version >= 1:
                        body += struct.pack(">q", 0)
                    send_frame(client, body)
                    if failure:
                        return
                else:
                    return   # not authenticated: a SASL listener drops the connection
            upstream = upstream or socket.create_connection((host, port))
            pending = {}
            lock = threading.Lock()

            def answers():
                try:
                    while True:
                        frame = read_frame(upstream)
                        correlation = struct.unpack_from(">i", frame, 0)[0]
                        with lock:
                            key, version = pending.pop(correlation, (None, None))
                        send_frame(client, self._rewrite(frame, key, version))
                except (ConnectionError, OSError):
                    client.close()

            threading.Thread(target=answers, daemon=True).start()
            while True:
                frame = read_frame(client)
                key, version, correlation = struct.unpack_from(">hhi", frame, 0)
                with lock:
                    pending[correlation] = (key, version)
                send_frame(upstream, frame)
        except (ConnectionError, OSError, ValueError, struct.error) as error:
            self.failures.append(repr(error))
        finally:
            client.close()
            if upstream:
                upstream.close()

    @staticmethod
    def _with_sasl_apis(frame, version):
        """The mock's ApiVersions answer with SaslHandshake v0–1 and SaslAuthenticate v0–1 added."""
        correlation, error = struct.unpack_from(">ih", frame, 0)
        count = struct.unpack_from(">i", frame, 6)[0]
        entries = frame[10:10 + 6 * count]
        rest = frame[10 + 6 * count:]
        keep = [entries[i:i + 6] for i in range(0, len(entries), 6)
                if struct.unpack_from(">h", entries, i)[0] not in (SASL_HANDSHAKE, SASL_AUTHENTICATE)]
        keep += [struct.pack(">hhh", SASL_HANDSHAKE, 0, 1), struct.pack(">hhh", SASL_AUTHENTICATE, 0, 1)]
        return struct.pack(">ihi", correlation, error, len(keep)) + b"".join(keep) + rest

    def _rewrite(self, frame, key, version):
        if key == METADATA and version == 7:
            p = 4 + 4                                          # correlation, throttle
            count = struct.unpack_from(">i", frame, p)[0]
            p += 4
            brokers = b""
            for _ in range(count):
                node = struct.unpack_from(">i", frame, p)[0]
                host, p = read_string(frame, p + 4)
                port = struct.unpack_from(">i", frame, p)[0]
                rack, p = read_string(frame, p + 4)
                brokers += struct.pack(">i", node) + kstring("127.0.0.1") + struct.pack(">i", self.ports.get(port, port)) + kstring(rack)
            head = frame[:8] + struct.pack(">i", count) + brokers
            return head + (self._hide(frame, p) if self.hide_partitions else frame[p:])
        if key == FIND_COORDINATOR and version == 2:
            p = 4 + 4 + 2
            _message, p = read_string(frame, p)
            node = struct.unpack_from(">i", frame, p)[0]
            host, q = read_string(frame, p + 4)
            port = struct.unpack_from(">i", frame, q)[0]
            return frame[:p] + struct.pack(">i", node) + kstring("127.0.0.1") + struct.pack(">i", self.ports.get(port, port)) + frame[q + 4:]
        return frame

    def _hide(self, frame, p):
        """Metadata v7 after the brokers, with hidden partitions left out."""
        start = p
        _cluster, p = read_string(frame, p)
        p += 4                                                 # controller id
        out = frame[start:p]
        count = struct.unpack_from(">i", frame, p)[0]
        out += frame[p:p + 4]
        p += 4
        for _ in range(count):
            t0 = p
            p += 2                                             # error code
            name, p = read_string(frame, p)
            p += 1                                             # is_internal
            topic_head = frame[t0:p]
            n = struct.unpack_from(">i", frame, p)[0]
            p += 4
            kept = []
            for _ in range(n):
                q = p
                index = struct.unpack_from(">i", frame, p + 2)[0]
                p += 2 + 4 + 4 + 4
                for _ in range(3):                             # replicas, isr, offline replicas
                    m = struct.unpack_from(">i", frame, p)[0]
                    p += 4 + 4 * m
                if index < self.hide_partitions.get(name, 1 << 30):
                    kept.append(frame[q:p])
            out += topic_head + struct.pack(">i", len(kept)) + b"".join(kept)
        return out + frame[p:]

    def close(self):
        for server in self.listeners:
            server.close()
