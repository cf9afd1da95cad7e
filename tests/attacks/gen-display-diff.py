#!/usr/bin/env python3
"""tests/attacks/gen-display-diff.py SIGNED OUTDIR

Messages for attack_display_diff.sh: each one is the multipart/signed
message SIGNED (LF line ends, one text part and the signature) with only
bytes its signature does not cover changed: the top header, the
preamble, the delimiter lines, the epilogue, or a wrapper around it.  The
signed part and the signature part stay byte for byte as signed.

Wherever the screen could be made to show text the signature never
covered, that text carries the marker INJECTED-<case>; the text bob
signed carries GENUINE-SIGNED-TEXT.  OUTDIR/<case>.eml is written for
every case; OUTDIR/l-encrypted.inner is the entity the script encrypts
to alice for case l.
"""
import os
import re
import sys

signed_path, out = sys.argv[1], sys.argv[2]
raw = open(signed_path, "rb").read().decode("latin-1")
hdr, body = raw.split("\n\n", 1)
B = re.search(r'boundary="([^"]+)"', hdr).group(1)

# The top header without its Content-Type (a field and its continuation
# lines): every case gives a Content-Type of its own.  The other fields
# stay as signed: the signed part carries a copy of them (RFC 9788), and
# a changed one would be a case of its own (attack_headers.sh).
fields = []
for line in hdr.split("\n"):
    if line[:1] in (" ", "\t"):
        fields[-1] += "\n" + line
    else:
        fields.append(line)
fields = [f for f in fields if not f.lower().startswith("content-type:")]

# The two parts exactly as signed, without the line break that belongs to
# the delimiter after them.
lines = body.split("\n")
d1 = lines.index("--" + B)
d2 = lines.index("--" + B, d1 + 1)
d3 = lines.index("--" + B + "--", d2 + 1)
PREAMBLE = "\n".join(lines[:d1]) + "\n"
P0 = "\n".join(lines[d1 + 1:d2])
P1 = "\n".join(lines[d2 + 1:d3])
assert "GENUINE-SIGNED-TEXT" in P0, "the signed part lacks GENUINE-SIGNED-TEXT"

SIG = 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256'


def injected(boundary, case):
    """Two parts delimited by boundary: the forged text first (where a
    multipart/signed keeps its content), a stand-in for the signature
    second, then the close delimiter."""
    return ("--%s\nContent-Type: text/plain\n\n"
            "INJECTED-%s: the invoice total is 9000 EUR, pay it to mallory.\n"
            "--%s\nContent-Type: text/plain\n\nx\n--%s--\n"
            % (boundary, case, boundary, boundary))


def entity(ctypes, preamble=PREAMBLE, boundary=B, pad="", epilogue=""):
    """Content-Type field(s), a blank line, the multipart body around the
    signed parts."""
    head = "".join("Content-Type: %s\n" % c for c in ctypes)
    return (head + "\n" + preamble +
            "--%s%s\n%s\n--%s%s\n%s\n--%s--%s\n" % (boundary, pad, P0, boundary, pad,
                                                   P1, boundary, pad) +
            epilogue)


def write(case, text, inner=False):
    """OUTDIR/case.eml: the top header, then text; with inner,
    OUTDIR/case.inner: text alone."""
    if inner:
        path = os.path.join(out, case + ".inner")
    else:
        path = os.path.join(out, case + ".eml")
        text = "\n".join(fields) + "\n" + text
    with open(path, "wb") as f:
        f.write(text.encode("latin-1"))


def pct(c):
    return "%%%02X" % ord(c)


# o: the message as signed: the control.
write("o-original", entity([SIG + '; boundary="%s"' % B]))

# a: a boundary parameter inside an RFC 822 comment.  Comments are white
# space: the boundary is B; a reader that does not know them takes "evil".
A_CT = SIG + '; (x; boundary="evil") boundary="%s"' % B
write("a-comment", entity([A_CT], preamble=injected("evil", "a-comment")))

# b: a preamble line that starts with "--B" and goes on ("--B-injected"):
# not a delimiter (only white space may follow the boundary), so the
# preamble runs to the real "--B".
write("b-prefix", entity([SIG + '; boundary="%s"' % B],
                         preamble="--%s-injected\nContent-Type: text/plain\n\n"
                         "INJECTED-b-prefix: the invoice total is 9000 EUR, pay it to "
                         "mallory.\n" % B))

# b2: the same with a close look-alike "--B--x" after the forged part: a
# reader that takes it for the close delimiter shows the forgery alone.
write("b2-prefix-close", entity([SIG + '; boundary="%s"' % B],
                                preamble="--%sx\nContent-Type: text/plain\n\n"
                                "INJECTED-b2-prefix-close: the invoice total is 9000 "
                                "EUR, pay it to mallory.\n--%s--x\n" % (B, B)))

# c: RFC 2231 continuations boundary*0, boundary*1 beside a plain
# boundary="evil": the continuations make the value and replace the plain
# parameter.
write("c-rfc2231", entity([SIG + '; boundary="evil"; boundary*0="%s"; boundary*1="%s"'
                           % (B[:7], B[7:])], preamble=injected("evil", "c-rfc2231")))

# c2: continuations first, then an extended boundary*= value: the first
# RFC 2231 form given (the continuations) is the value, the other dropped.
write("c2-rfc2231-ext-after-sections",
      entity([SIG + '; boundary*0="%s"; boundary*="evil"' % B],
             preamble=injected("evil", "c2-rfc2231-ext-after-sections")))

# c3: "boundary*00" is not section 0 (section numbers have no leading
# zeros): only boundary*0 counts, "boundary*00" is dropped with it.
write("c3-rfc2231-leading-zero",
      entity([SIG + '; boundary*00="evil"; boundary*0="%s"' % B],
             preamble=injected("evil", "c3-rfc2231-leading-zero")))

# c4: a plain section 0 and an encoded section 1*: the %XX of the encoded
# section is decoded, giving B; left undecoded it reads "<B with %XX>".
C4 = B[:7] + pct(B[7]) + B[8:]
write("c4-rfc2231-encoded-section",
      entity([SIG + '; boundary*0="%s"; boundary*1*=%s' % (B[:7], C4[7:])],
             preamble=injected(C4, "c4-rfc2231-encoded-section")))

# c5: an extended value in a charset other than ISO-8859-1: the boundary
# is its bytes, "+AGUAdgBpAGw-" (the real delimiters carry it); converted
# from UTF-7 those bytes would read "evil".
U7 = "+AGUAdgBpAGw-"
write("c5-rfc2231-charset",
      entity([SIG + "; boundary*=utf-7''%s" % U7], boundary=U7,
             preamble=injected("evil", "c5-rfc2231-charset")))

# d: two Content-Type fields, multipart/signed (boundary B) first,
# multipart/mixed (boundary evil) second: the first one counts.
write("d-two-ctypes", entity([SIG + '; boundary="%s"' % B, 'multipart/mixed; boundary="evil"'],
                             preamble=injected("evil", "d-two-ctypes")))

# d2: the other order: the message is a multipart/mixed of two unsigned
# texts (the signed parts sit in its epilogue's place, after --evil--).
write("d2-two-ctypes-mixed-first",
      entity(['multipart/mixed; boundary="evil"', SIG + '; boundary="%s"' % B],
             preamble=injected("evil", "d2-two-ctypes-mixed-first")))

# e: transport padding (spaces and tabs after every delimiter, RFC 2046
# 5.1.1) and forged text in the epilogue after the padded close delimiter.
write("e-padding", entity([SIG + '; boundary="%s"' % B], pad=" \t ",
                          epilogue="INJECTED-e-padding: the invoice total is 9000 EUR.\n"))

# e2: padding followed by more text ("--B \tjunk") is no delimiter.
write("e2-padding-then-text", entity([SIG + '; boundary="%s"' % B],
                                     preamble="--%s \tjunk\nContent-Type: text/plain\n\n"
                                     "INJECTED-e2-padding-then-text: the invoice total is "
                                     "9000 EUR, pay it to mallory.\n" % B))

# f: an epilogue after --B-- holding parts of another boundary and more
# "--B" parts: nothing after the close delimiter is a part.
write("f-epilogue", entity([SIG + '; boundary="%s"' % B],
                           epilogue="\n" + injected("evil", "f-epilogue") +
                           "--%s\nContent-Type: text/plain\n\nINJECTED-f-epilogue again\n"
                           "--%s--\n" % (B, B)))

# g: case a one level down, the multipart/signed inside a multipart/mixed:
# a signed part in an unsigned message.
write("g-nested", 'Content-Type: multipart/mixed; boundary="outer-mixed"\n'
      "\n--outer-mixed\n" + entity([A_CT], preamble=injected("evil", "g-nested")) +
      "--outer-mixed--\n")

# h: a comment between the parameter's name and its "=": boundary is B;
# a reader that does not skip it ignores that parameter and takes the
# second boundary="evil" (the first boundary parameter is the one that
# counts).
write("h-comment-before-equals",
      entity(['multipart/signed; boundary (the real one) ="%s"; '
              'protocol="application/pkcs7-signature"; micalg=sha-256; boundary="evil"' % B],
             preamble=injected("evil", "h-comment-before-equals")))

# i: a comment holding ";" inside the type, "multipart(;)/signed": still
# multipart/signed; cut at the first ";" it is "multipart(", no type at
# all (text/plain), and the whole body, preamble first, is shown as text.
write("i-type-comment",
      entity(['multipart(;)/signed; protocol="application/pkcs7-signature"; '
              'micalg=sha-256; boundary="%s"' % B],
             preamble="INJECTED-i-type-comment: the invoice total is 9000 EUR, pay it "
             "to mallory.\n\n"))

# j: a comment that holds a quote: `(x="; boundary=evil; y=")` is white
# space; read as a quoted parameter value it swallows what follows, and the
# message seems to have no boundary (then shown raw, preamble first).
write("j-quote-in-comment",
      entity([SIG + '; (x="; boundary=evil; y=") boundary="%s"' % B],
             preamble="INJECTED-j-quote-in-comment: the invoice total is 9000 EUR, pay "
             "it to mallory.\n\n"))

# k: an unquoted boundary ends at the first tspecial: boundary=B/evil is
# boundary B; read up to white space it is "B/evil", whose delimiters only
# the preamble has.
write("k-token-tspecial", entity([SIG + "; boundary=%s/evil" % B],
                                 preamble=injected(B + "/evil", "k-token-tspecial")))

# l: case a inside an encryption to alice (the script encrypts it): the
# signature still covers the whole content the person reads.
write("l-encrypted", entity([A_CT], preamble=injected("evil", "l-encrypted")), inner=True)
