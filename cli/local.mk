# The command line: main, the verb table and one file per verb.  The top
# floor beside ui/: it uses client/ and below, and only cmd_ui.c (the verb
# main runs when there is none) opens the screen.
noinst_LIBRARIES += libcli.a
libcli_a_SOURCES = cli/cli.h cli/cli.c cli/verbs.c \
	cli/cmd_passwd.c cli/cmd_folders.c cli/cmd_send.c cli/cmd_send_batch.c cli/cmd_outbox.c cli/cmd_list.c \
	cli/cmd_ui.c cli/cmd_harvest.c cli/cmd_certs.c

# Message verbs (S/MIME): sign, encrypt, decrypt, verify, over many files.
libcli_a_SOURCES += cli/batch.h cli/batch.c \
	cli/cmd_sign.c cli/cmd_encrypt.c cli/cmd_decrypt.c cli/cmd_verify.c

# Your own keys (identity import|list) and where passphrases come from.
libcli_a_SOURCES += cli/passphrase.c cli/cmd_identity.c

bin_PROGRAMS += cachet
cachet_SOURCES = cli/main.c
cachet_LDADD = $(CACHET_LIBS) $(CACHET_EXT_LIBS)

check_PROGRAMS += tests/unit/cli/test_cli_text
TESTS += tests/unit/cli/test_cli_text
tests_unit_cli_test_cli_text_SOURCES = tests/unit/cli/test_cli_text.c
tests_unit_cli_test_cli_text_LDADD = libcli.a libclient.a libcrypto.a libbase.a $(CACHET_EXT_LIBS)

# Where passphrases come from: --passphrase-fd, the terminal, neither.
check_PROGRAMS += tests/unit/cli/test_passphrase
TESTS += tests/unit/cli/test_passphrase
tests_unit_cli_test_passphrase_SOURCES = tests/unit/cli/test_passphrase.c
tests_unit_cli_test_passphrase_LDADD = libcli.a libclient.a libbase.a
