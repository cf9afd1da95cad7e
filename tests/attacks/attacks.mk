# Hostile-input tests, one script per attack.  Each crafts its input with
# openssl or raw text and asserts the verdict cachet must reach.
ATTACK_TESTS = tests/attacks/attack_lookalike_root.sh
TESTS += $(ATTACK_TESTS)
EXTRA_DIST += $(ATTACK_TESTS)
