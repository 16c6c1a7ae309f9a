#ifndef QDB_CZLIB_SHIM_H
#define QDB_CZLIB_SHIM_H
#include <zlib.h>
#endif
