# The screen's integration tests: the real binary in tmux, over a Maildir and
# over the private Dovecot (reading) and Postfix (sending).
UI_INTEGRATION_TESTS = tests/integration/ui_maildir.sh tests/integration/ui_resize.sh \
	tests/integration/ui_imap.sh tests/integration/ui_compose.sh tests/integration/ui_outbox.sh \
	tests/integration/ui_drafts.sh tests/integration/ui_folders_create.sh \
	tests/integration/ui_compose_crash.sh \
	tests/integration/ui_verdicts.sh tests/integration/ui_certs.sh \
	tests/integration/ui_passphrase.sh tests/integration/ui_keys.sh \
	tests/integration/ui_delete.sh tests/integration/ui_attach.sh \
	tests/integration/ui_threads.sh tests/integration/ui_newmail.sh \
	tests/integration/ui_search.sh tests/integration/ui_harvest_seen.sh \
	tests/integration/ui_authres.sh tests/integration/ui_complete.sh \
	tests/integration/ui_signature.sh tests/integration/ui_index_stream.sh \
	tests/integration/ui_tag.sh tests/integration/ui_find.sh tests/integration/ui_html.sh \
	tests/integration/ui_attach_view.sh tests/integration/ui_folders_manage.sh
TESTS += $(UI_INTEGRATION_TESTS)
EXTRA_DIST += $(UI_INTEGRATION_TESTS) tests/integration/ui_lib.sh
