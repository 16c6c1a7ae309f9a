#ifndef QDB_COPENSSL_SHIM_H
#define QDB_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

/* OPENSSL_free is a macro. */
static inline void qdb_openssl_free(void *p) { OPENSSL_free(p); }
#endif
