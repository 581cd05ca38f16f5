"""A throwaway PostgreSQL 15 cluster on a free loopback port, for lake's CDC tests.

PostgreSQL refuses to run as root, so initdb and pg_ctl run as the `postgres` user.
wal_level=logical with slots and WAL senders; fsync=off for speed, synchronous_commit on (SQL
decoding reads only flushed WAL). The tests drop their slots; stop() stops the server by pid."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "lake-test-pw"


def as_postgres(*args, **kwargs):
    user = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
    return subprocess.run([*user, *map(str, args)], check=True, capture_output=True, text=True, **kwargs)


class PostgresServer:
    def __init__(self):
        if not (BIN / "initdb").exists():
            raise RuntimeError("PostgreSQL 15 is missing: run scripts/setup (apt-get install postgresql)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = Path(tempfile.mkdtemp(prefix="lake-pg-"))
        os.chmod(self.dir, 0o777)
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        os.chmod(pwfile, 0o644)
        data = self.dir / "data"
        as_postgres(BIN / "initdb", "-D", data, "-U", "lake", f"--pwfile={pwfile}", "-A", "scram-sha-256", "--no-sync")
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses='127.0.0.1'\nport={self.port}\nunix_socket_directories='{self.dir}'\n"
                       "wal_level=logical\nmax_replication_slots=10\nmax_wal_senders=10\nfsync=off\n")
        as_postgres(BIN / "pg_ctl", "-D", data, "-l", self.dir / "log", "-w", "start")
        self.data = data
        self.pid = int((data / "postmaster.pid").read_text().split()[0])
        self.sql("SELECT 1")

    @property
    def url(self):
        return f"postgres://lake@127.0.0.1:{self.port}/postgres"

    def env(self):
        return {**os.environ, "PGPASSWORD": PASSWORD}

    def sql(self, statement, db="postgres"):
        """Runs SQL with psql; returns the rows as lists of text (tab-separated, unaligned)."""
        out = subprocess.run([BIN / "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "lake", "-d", db, "-X", "-q",
                              "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\t", "-c", statement],
                             env=self.env(), capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"psql: {out.stderr}")
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def stop(self):
        try:
            for (slot,) in self.sql("SELECT slot_name FROM pg_replication_slots"):
                self.sql(f"SELECT pg_drop_replication_slot('{slot}')")
        except Exception:
            pass
        try:
            os.kill(self.pid, 15)
            for _ in range(100):
                if not Path(f"/proc/{self.pid}").exists():
                    break
                time.sleep(0.1)
        except ProcessLookupError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
