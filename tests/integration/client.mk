# Integration tests of the network half of client/: cachet itself against
# the harness's Dovecot and Postfix, and against small TLS peers
# (gnutls-serv, tests/fake/) for the faults a real server cannot produce.

CLIENT_TESTS = \
	tests/integration/client_authres.sh \
	tests/integration/client_send.sh \
	tests/integration/client_send_bcc.sh \
	tests/integration/client_tls.sh \
	tests/integration/client_trust.sh \
	tests/integration/client_cred.sh \
	tests/integration/client_outbox.sh \
	tests/integration/client_sent_folder.sh \
	tests/integration/client_outbox_keyed.sh \
	tests/integration/client_send_crash.sh \
	tests/integration/client_send_batch.sh \
	tests/integration/client_imap.sh \
	tests/integration/client_imap_ops.sh \
	tests/integration/client_smtp.sh \
	tests/integration/client_coredump.sh \
	tests/integration/client_names.sh

TESTS += $(CLIENT_TESTS)
EXTRA_DIST += $(CLIENT_TESTS) tests/fake/fake_mail_server.py \
	tests/fake/fake_server_lib.py tests/bench/bench-imap.sh tests/bench/bench-send.sh

# A program run by client_imap_ops.sh against the harness's Dovecot.
check_PROGRAMS += tests/integration/client_imap_ops
tests_integration_client_imap_ops_SOURCES = tests/integration/client_imap_ops.c
tests_integration_client_imap_ops_LDADD = libclient.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

# The fuzz target of client/'s parsers (tests/fuzz/local.mk's conventions):
# its corpus is replayed by make check; with --enable-fuzzing it is a
# libFuzzer binary that make fuzz-smoke runs too.
FUZZ_TARGETS += client
check_PROGRAMS += tests/fuzz/replay_client
TESTS += tests/fuzz/replay_client
tests_fuzz_replay_client_SOURCES = tests/fuzz/fuzz_client.c tests/fuzz/replay.c
tests_fuzz_replay_client_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/client"'
tests_fuzz_replay_client_LDADD = $(CACHET_LIBS) $(CACHET_EXT_LIBS)
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_client
tests_fuzz_fuzz_client_SOURCES = tests/fuzz/fuzz_client.c
tests_fuzz_fuzz_client_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_client_LDADD = $(CACHET_LIBS) $(CACHET_EXT_LIBS)
endif
