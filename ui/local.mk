noinst_LIBRARIES += libui.a
libui_a_SOURCES = ui/ui.h ui/ui_p.h ui/screen.c \
	ui/text.c ui/mime.c ui/banner.c ui/pager.c ui/index.c ui/compose.c ui/certview.c ui/keys.c ui/attach.c ui/thread.c ui/html.c ui/mailcap.c

UI_UNIT_TESTS = tests/unit/ui/test_banner tests/unit/ui/test_render \
	tests/unit/ui/test_compose tests/unit/ui/test_certview \
	tests/unit/ui/test_keys tests/unit/ui/test_attach \
	tests/unit/ui/test_thread
check_PROGRAMS += $(UI_UNIT_TESTS)
# The screens read MIME structure with crypto's parser.
UI_TEST_LIBS = libui.a libclient.a libcrypto.a libbase.a $(GNUTLS_LIBS) $(GLIB_LIBS)
TESTS += $(UI_UNIT_TESTS)
tests_unit_ui_test_banner_SOURCES = tests/unit/ui/test_banner.c
tests_unit_ui_test_banner_LDADD = $(UI_TEST_LIBS)
tests_unit_ui_test_render_SOURCES = tests/unit/ui/test_render.c
tests_unit_ui_test_render_LDADD = $(UI_TEST_LIBS)
tests_unit_ui_test_compose_SOURCES = tests/unit/ui/test_compose.c
tests_unit_ui_test_compose_LDADD = $(UI_TEST_LIBS)
tests_unit_ui_test_certview_SOURCES = tests/unit/ui/test_certview.c
tests_unit_ui_test_certview_LDADD = $(UI_TEST_LIBS)
tests_unit_ui_test_keys_SOURCES = tests/unit/ui/test_keys.c
tests_unit_ui_test_keys_LDADD = $(UI_TEST_LIBS)
tests_unit_ui_test_attach_SOURCES = tests/unit/ui/test_attach.c
tests_unit_ui_test_attach_LDADD = $(UI_TEST_LIBS)
tests_unit_ui_test_thread_SOURCES = tests/unit/ui/test_thread.c
tests_unit_ui_test_thread_LDADD = $(UI_TEST_LIBS)

# The screen: a loop (screen.c) and one file per view.
libui_a_SOURCES += ui/screen_p.h ui/view_folders.c ui/view_index.c ui/view_tag.c \
	ui/view_pager.c ui/view_certs.c ui/view_compose.c ui/view_compose_keep.c \
	ui/view_outbox.c ui/view_urls.c ui/view_attach.c ui/run.c ui/complete.c
