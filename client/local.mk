noinst_LIBRARIES += libclient.a
libclient_a_SOURCES = client/config.h client/config.c client/config_lists.c \
	client/config_names.c \
	client/sender_check.h client/sender_check.c \
	client/tls.h client/tls.c \
	client/cred.h client/cred.c \
	client/smtp.h client/smtp.c \
	client/imap.h client/imap_p.h client/imap.c client/imap_folders.c client/imap_parse.c client/imap_utf7.c \
	client/outbox.h client/outbox.c \
	client/send.h client/send_p.h client/send.c client/send_deliver.c client/send_batch.c \
	client/imap_cache.h client/imap_cache.c \
	client/addrbook.h client/addrbook.c

check_PROGRAMS += tests/unit/client/test_config
TESTS += tests/unit/client/test_config
tests_unit_client_test_config_SOURCES = tests/unit/client/test_config.c
tests_unit_client_test_config_LDADD = libclient.a libbase.a

check_PROGRAMS += tests/unit/client/test_smtp
TESTS += tests/unit/client/test_smtp
tests_unit_client_test_smtp_SOURCES = tests/unit/client/test_smtp.c
tests_unit_client_test_smtp_LDADD = libclient.a libbase.a $(CACHET_EXT_LIBS)

# The recipients' certificates, for encrypt and for the send pipeline.
libclient_a_SOURCES += client/recipients.h client/recipients.c

check_PROGRAMS += tests/unit/client/test_send
TESTS += tests/unit/client/send.sh
EXTRA_DIST += tests/unit/client/send.sh
tests_unit_client_test_send_SOURCES = tests/unit/client/test_send.c
tests_unit_client_test_send_LDADD = $(CACHET_LIBS) $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_imap_cache
TESTS += tests/unit/client/test_imap_cache
tests_unit_client_test_imap_cache_SOURCES = tests/unit/client/test_imap_cache.c
tests_unit_client_test_imap_cache_LDADD = libclient.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_imap_parse
TESTS += tests/unit/client/test_imap_parse
tests_unit_client_test_imap_parse_SOURCES = tests/unit/client/test_imap_parse.c
tests_unit_client_test_imap_parse_LDADD = libclient.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_imap_utf7
TESTS += tests/unit/client/test_imap_utf7
tests_unit_client_test_imap_utf7_SOURCES = tests/unit/client/test_imap_utf7.c
tests_unit_client_test_imap_utf7_LDADD = libclient.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

# Mail sources: one interface over an IMAP server and a local Maildir, for
# the screen and the verbs.
libclient_a_SOURCES += client/source.h client/source.c client/source_imap.c \
	client/source_maildir.c

check_PROGRAMS += tests/unit/client/test_maildir
TESTS += tests/unit/client/test_maildir
tests_unit_client_test_maildir_SOURCES = tests/unit/client/test_maildir.c
tests_unit_client_test_maildir_LDADD = libclient.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/client/test_addrbook
TESTS += tests/unit/client/test_addrbook
tests_unit_client_test_addrbook_SOURCES = tests/unit/client/test_addrbook.c
tests_unit_client_test_addrbook_LDADD = $(CACHET_LIBS) $(CACHET_EXT_LIBS)
