#include "cfastfloat.h"

#include <fast_float/fast_float.h>

extern "C" size_t qdb_parse_double(const char *begin, size_t length, double *out) {
    double value = 0;
    fast_float::from_chars_result r = fast_float::from_chars(begin, begin + length, value);
    if (r.ec == std::errc::invalid_argument || r.ptr == begin) return 0;
    *out = value;
    return static_cast<size_t>(r.ptr - begin);
}
