/* store.c — the SQLite store of address -> certificate bindings. */
#include "certstore/certstore.h"
