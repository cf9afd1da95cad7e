/*
 * certstore.h — correspondents' certificates: harvesting from signed mail,
 * the address -> certificate bindings and their history, and the choice of
 * the certificate to encrypt to.
 */
#ifndef CACHET_CERTSTORE_H
#define CACHET_CERTSTORE_H

#include "base/base.h"

struct certstore;

#endif
