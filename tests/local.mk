# Tests: unit tests per module live in each module's local.mk; this fragment
# holds the harness and the integration tests that need the real servers.
