# Integration tests of the network half of client/: cachet itself against
# the harness's Dovecot and Postfix, and against small TLS peers
# (gnutls-serv, tests/fake/) for the faults a real server cannot produce.

CLIENT_TESTS = \
	tests/integration/client_send.sh \
	tests/integration/client_tls.sh \
	tests/integration/client_cred.sh \
	tests/integration/client_outbox.sh \
	tests/integration/client_imap.sh

TESTS += $(CLIENT_TESTS)
EXTRA_DIST += $(CLIENT_TESTS) tests/fake/fake_mail_server.py
