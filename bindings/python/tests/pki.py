"""A throw-away certificate authority, made at test time with the openssl command in a temporary directory.

``PKI(directory)`` creates a CA (EC P-256 keys: fast) and issues server certificates from it, each with its
own subject alternative names and validity period, through ``openssl ca`` (which, unlike ``openssl x509``
of OpenSSL 3.0, takes any start and end date, so an already expired certificate can be made without faking
the clock). ``openssl_missing()`` says why the tests cannot run, or None.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

_CA_CONFIG = """\
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = {directory}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none

[ any_name ]
commonName = supplied
"""


def openssl_missing() -> str | None:
    """Why test certificates cannot be made (no openssl command, or one that fails), or None."""
    if shutil.which("openssl") is None:
        return "needs the openssl command to make test certificates (CI installs it)"
    answer = subprocess.run(["openssl", "version"], capture_output=True, text=True)
    if answer.returncode != 0:
        return f"the openssl command does not work: {answer.stderr.strip()}"
    return None


def _run(*command: object) -> None:
    answer = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    if answer.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{answer.stderr}")


def _openssl_time(moment: datetime) -> str:
    """A time as openssl ca's -startdate/-enddate want it (GeneralizedTime, UTC)."""
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%SZ")


@dataclass(frozen=True)
class Certificate:
    """A server certificate (PEM) and its private key (PEM, unencrypted)."""

    cert: Path
    key: Path


class PKI:
    """A test CA in ``directory``: ``ca`` is its certificate (a PEM file to pass as ``ca_file``)."""

    def __init__(self, directory: Path, name: str = "deployhook test CA") -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "issued").mkdir(exist_ok=True)
        (directory / "index.txt").write_text("")
        (directory / "serial").write_text("1000\n")
        self.config = directory / "ca.cnf"
        self.config.write_text(_CA_CONFIG.format(directory=directory))
        self.ca, self.ca_key = directory / "ca.pem", directory / "ca.key"
        _run("openssl", "req", "-x509", *_EC_KEY, "-keyout", self.ca_key, "-out", self.ca, "-days", "2",
             "-subj", f"/CN={name}", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-addext", "subjectKeyIdentifier=hash")
        self._count = 0

    def issue(self, name: str, alt_names: str, *, not_before: datetime | None = None,
              not_after: datetime | None = None) -> Certificate:
        """A server certificate for CN=``name`` with ``subjectAltName=alt_names`` (e.g.
        ``"DNS:localhost,IP:127.0.0.1"``), valid from ``not_before`` (default an hour ago) to ``not_after``
        (default in a day), signed by this CA."""
        now = datetime.now(timezone.utc)
        not_before = now - timedelta(hours=1) if not_before is None else not_before
        not_after = now + timedelta(days=1) if not_after is None else not_after
        self._count += 1
        stem = self.directory / f"server{self._count}"
        key, request, cert, extensions = (stem.with_suffix(suffix) for suffix in (".key", ".csr", ".pem", ".ext"))
        extensions.write_text(
            f"subjectAltName={alt_names}\n"
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n")
        _run("openssl", "req", *_EC_KEY, "-keyout", key, "-out", request, "-subj", f"/CN={name}")
        _run("openssl", "ca", "-batch", "-notext", "-config", self.config, "-cert", self.ca, "-keyfile", self.ca_key,
             "-in", request, "-out", cert, "-extfile", extensions,
             "-startdate", _openssl_time(not_before), "-enddate", _openssl_time(not_after))
        return Certificate(cert, key)

    def der_ca(self) -> Path:
        """This CA's certificate in DER (binary) form: a real CA certificate, but not a PEM file."""
        der = self.directory / "ca.der"
        _run("openssl", "x509", "-in", self.ca, "-outform", "DER", "-out", der)
        return der
