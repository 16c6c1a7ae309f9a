#ifndef QDB_CSTEMMER_SHIM_H
#define QDB_CSTEMMER_SHIM_H
#include <libstemmer.h>
#endif
