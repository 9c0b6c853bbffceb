"""A real SMTP server on loopback for the e-mail tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT OUTDIR [USERNAME PASSWORD] [--starttls CERT KEY | --tls CERT KEY]
Each accepted message is written to OUTDIR as <n>.eml with an envelope header line.
With USERNAME/PASSWORD, AUTH (PLAIN or LOGIN) is required.
--starttls offers (and requires) STARTTLS with the certificate; --tls speaks TLS from the
first byte (port 465 style). Without either, the server offers no TLS at all.
Prints "ready" once listening; stops when stdin closes.
"""
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            path = os.path.join(self.outdir, "%04d.eml" % self.count)
        header = "X-Envelope: from=%s to=%s auth=%s\r\n" % (
            envelope.mail_from, ",".join(envelope.rcpt_tos), "yes" if getattr(session, "authenticated", False) else "no")
        with open(path + ".tmp", "wb") as handle:
            handle.write(header.encode())
            handle.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    args = sys.argv[1:]
    tls_mode, context = None, None
    for flag in ("--starttls", "--tls"):
        if flag in args:
            index = args.index(flag)
            cert, key = args[index + 1], args[index + 2]
            del args[index:index + 3]
            tls_mode = flag
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
    port, outdir = int(args[0]), args[1]
    credentials = tuple(args[2:4]) if len(args) >= 4 else None

    def authenticate(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and credentials and \
                (auth_data.login.decode(), auth_data.password.decode()) == credentials:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    options = {}
    if credentials:
        options = dict(authenticator=authenticate, auth_required=True, auth_require_tls=False)
    if tls_mode == "--starttls":
        options.update(tls_context=context, require_starttls=True)
    elif tls_mode == "--tls":
        options.update(ssl_context=context)
    controller = Controller(Sink(outdir), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
