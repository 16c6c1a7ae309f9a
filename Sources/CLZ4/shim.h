#ifndef QDB_CLZ4_SHIM_H
#define QDB_CLZ4_SHIM_H
#include <lz4.h>
#endif
