# Hostile-input tests, one script per attack class.  Each crafts its input
# with openssl or raw text (gen-attacks.sh, through attack_lib.sh) and
# asserts the verdict cachet must reach; the transport cases talk to a
# scripted hostile server (fake_hostile_server.py); attack_display_diff.sh
# edits a genuinely signed message (gen-display-diff.py) and holds what the
# screen shows, driven in tmux, to the verdict.
ATTACK_TESTS = tests/attacks/attack_lookalike_root.sh \
	tests/attacks/attack_conflict_send.sh \
	tests/attacks/attack_cms.sh \
	tests/attacks/attack_mime_wrapping.sh \
	tests/attacks/attack_identity.sh \
	tests/attacks/attack_efail.sh \
	tests/attacks/attack_key_replacement.sh \
	tests/attacks/attack_transport.sh \
	tests/attacks/attack_interrupt.sh \
	tests/attacks/attack_secrets.sh \
	tests/attacks/attack_display_diff.sh \
	tests/attacks/attack_verify_side_effects.sh \
	tests/attacks/attack_headers.sh \
	tests/attacks/attack_terminal.sh \
	tests/attacks/attack_sender.sh \
	tests/attacks/attack_triple_wrap.sh
TESTS += $(ATTACK_TESTS)
EXTRA_DIST += $(ATTACK_TESTS) tests/attacks/attack_lib.sh tests/attacks/gen-attacks.sh \
	tests/attacks/fake_hostile_server.py tests/attacks/transport_lib.sh \
	tests/attacks/proc_watch.py tests/attacks/lsan-libetpan.supp \
	tests/attacks/gen-display-diff.py
