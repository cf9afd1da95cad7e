"""What the scripted mail servers of the tests have in common: the TLS
context, a connection that reads lines and literals and logs what it
received, the listening sockets on 127.0.0.1 and the port file a test
waits for, and a session runner that closes the connection however the
session ends.

The servers import it from their own location:

    sys.path.insert(0, <directory of tests/fake>)
    import fake_server_lib
"""
import os
import socket
import ssl
import sys


def tls_context(cert, key):
    """A server-side TLS context with the certificate chain in cert (PEM)
    and its private key in key."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def note(log, data):
    """Appends data and a newline to the log file."""
    with open(log, "ab") as f:
        f.write(data + b"\n")


class Conn:
    """One client connection.  Every line received is logged without its
    line end, every literal as "LITERAL <n> bytes"."""

    def __init__(self, sock, log):
        self.sock = sock
        self.log = log
        self.buf = b""

    def note(self, data):
        note(self.log, data)

    def send(self, data):
        self.sock.sendall(data)

    def fill(self):
        """Reads more into the buffer; False at the end of the stream."""
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def line(self):
        """The next line without CR LF, or None at the end of the stream."""
        while b"\n" not in self.buf:
            if not self.fill():
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.rstrip(b"\r")
        self.note(line)
        return line

    def exactly(self, n):
        """The next n bytes, or None if the stream ends before."""
        while len(self.buf) < n:
            if not self.fill():
                return None
        data, self.buf = self.buf[:n], self.buf[n:]
        self.note(b"LITERAL %d bytes" % n)
        return data

    def handshake(self, ctx):
        """The TLS handshake as the server; whatever the client sent before
        it is dropped."""
        self.sock = ctx.wrap_socket(self.sock, server_side=True)
        self.buf = b""

    def starttls(self, ctx):
        """The handshake after a STARTTLS go-ahead; False if it failed."""
        try:
            self.handshake(ctx)
        except (ssl.SSLError, OSError):
            return False
        return True

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def literal_size(line):
    """n if an IMAP line ends in a literal announcement {n} or {n+},
    else None."""
    if line.endswith(b"}") and b"{" in line:
        n = line[line.rindex(b"{") + 1:-1].rstrip(b"+")
        if n.isdigit():
            return int(n)
    return None


def listener():
    """A listening TCP socket on a free port of 127.0.0.1."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    return srv


def write_port_file(path, *listeners):
    """Writes the listeners' ports, separated by spaces, on one line.  The
    file appears complete (rename), so a test can wait until it is not
    empty and then read it."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join("%d" % s.getsockname()[1] for s in listeners) + "\n")
    os.rename(tmp, path)


def accept(srv, log, timeout):
    """The next client of srv as a Conn; each read or write waits at most
    timeout seconds."""
    sock, _ = srv.accept()
    sock.settimeout(timeout)
    return Conn(sock, log)


def run_session(session, conn, *args):
    """session(conn, *args); a connection that breaks or times out ends it
    with a line on stderr.  The connection is closed after."""
    try:
        session(conn, *args)
    except (OSError, ssl.SSLError) as exc:
        print("fake server: %s" % exc, file=sys.stderr)
    finally:
        conn.close()
