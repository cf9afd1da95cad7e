noinst_LIBRARIES += libclient.a
libclient_a_SOURCES = client/config.h client/config.c client/cli.h client/cli.c \
	client/verbs.c \
	client/tls.h client/tls.c \
	client/cred.h client/cred.c client/cmd_passwd.c \
	client/smtp.h client/smtp.c \
	client/imap.h client/imap.c client/imap_parse.c client/imap_utf7.c \
	client/cmd_folders.c \
	client/outbox.h client/outbox.c \
	client/send.h client/send.c client/cmd_send.c \
	client/imap_cache.h client/imap_cache.c client/cmd_list.c

bin_PROGRAMS += cachet
cachet_SOURCES = client/main.c
cachet_LDADD = $(CACHET_LIBS) $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_config
TESTS += tests/unit/client/test_config
tests_unit_client_test_config_SOURCES = tests/unit/client/test_config.c
tests_unit_client_test_config_LDADD = libclient.a libbase.a

check_PROGRAMS += tests/unit/client/test_smtp
TESTS += tests/unit/client/test_smtp
tests_unit_client_test_smtp_SOURCES = tests/unit/client/test_smtp.c
tests_unit_client_test_smtp_LDADD = libclient.a libbase.a $(CACHET_EXT_LIBS)

# Message verbs (S/MIME): sign, encrypt, decrypt, verify.
libclient_a_SOURCES += client/batch.h client/batch.c \
	client/recipients.h client/recipients.c \
	client/cmd_sign.c client/cmd_encrypt.c client/cmd_decrypt.c client/cmd_verify.c \
	client/passphrase.c client/cmd_identity.c

# The screen's verb (ui/ draws; this opens the source and hands it over).
libclient_a_SOURCES += client/cmd_ui.c

# Certificate store verbs: harvest, certs.
libclient_a_SOURCES += client/cmd_harvest.c client/cmd_certs.c

check_PROGRAMS += tests/unit/client/test_send
TESTS += tests/unit/client/test_send
tests_unit_client_test_send_SOURCES = tests/unit/client/test_send.c
tests_unit_client_test_send_LDADD = $(CACHET_LIBS) $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_imap_cache
TESTS += tests/unit/client/test_imap_cache
tests_unit_client_test_imap_cache_SOURCES = tests/unit/client/test_imap_cache.c
tests_unit_client_test_imap_cache_LDADD = libclient.a libbase.a $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_imap_parse
TESTS += tests/unit/client/test_imap_parse
tests_unit_client_test_imap_parse_SOURCES = tests/unit/client/test_imap_parse.c
tests_unit_client_test_imap_parse_LDADD = libclient.a libbase.a $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_imap_utf7
TESTS += tests/unit/client/test_imap_utf7
tests_unit_client_test_imap_utf7_SOURCES = tests/unit/client/test_imap_utf7.c
tests_unit_client_test_imap_utf7_LDADD = libclient.a libbase.a $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_cli_text
TESTS += tests/unit/client/test_cli_text
tests_unit_client_test_cli_text_SOURCES = tests/unit/client/test_cli_text.c
tests_unit_client_test_cli_text_LDADD = libclient.a libbase.a $(CACHET_EXT_LIBS)

# Where passphrases come from: --passphrase-fd, the terminal, neither.
check_PROGRAMS += tests/unit/client/test_passphrase
TESTS += tests/unit/client/test_passphrase
tests_unit_client_test_passphrase_SOURCES = tests/unit/client/test_passphrase.c
tests_unit_client_test_passphrase_LDADD = libclient.a libbase.a
