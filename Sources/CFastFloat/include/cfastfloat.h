#ifndef QDB_CFASTFLOAT_H
#define QDB_CFASTFLOAT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses the decimal number in [begin, begin+length) (JSON's number syntax, already checked
   by the caller) into the nearest double, as strtod would, with Debian's fast_float
   (libfast-float-dev, Lemire's from_chars): strtod's exact slow path for 17-digit numbers made
   it the largest cost of parsing vectors. Out-of-range magnitudes give +-inf or +-0 as strtod.
   Returns the number of bytes read, 0 if the bytes are not a number. */
size_t qdb_parse_double(const char *begin, size_t length, double *out);

#ifdef __cplusplus
}
#endif

#endif
