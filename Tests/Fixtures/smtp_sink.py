"""A real SMTP server on loopback for the e-mail tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT OUTDIR [USERNAME PASSWORD]
Each accepted message is written to OUTDIR as <n>.eml with an envelope header line.
With USERNAME/PASSWORD, AUTH (PLAIN or LOGIN) is required.
Prints "ready" once listening; stops when stdin closes.
"""
import os
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
    port, outdir = int(sys.argv[1]), sys.argv[2]
    credentials = tuple(sys.argv[3:5]) if len(sys.argv) >= 5 else None

    def authenticate(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and credentials and \
                (auth_data.login.decode(), auth_data.password.decode()) == credentials:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    options = {}
    if credentials:
        options = dict(authenticator=authenticate, auth_required=True, auth_require_tls=False)
    controller = Controller(Sink(outdir), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
