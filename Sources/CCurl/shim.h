#ifndef QDB_CCURL_SHIM_H
#define QDB_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / curl_easy_getinfo are variadic: typed wrappers for Swift. */
static inline CURLcode qdb_curl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode qdb_curl_setopt_off(CURL *c, CURLoption o, curl_off_t v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode qdb_curl_setopt_str(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode qdb_curl_setopt_ptr(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode qdb_curl_setopt_slist(CURL *c, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode qdb_curl_setopt_write(CURL *c, curl_write_callback cb) { return curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, cb); }
static inline CURLcode qdb_curl_setopt_header(CURL *c, curl_write_callback cb) { return curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, cb); }
static inline CURLcode qdb_curl_setopt_read(CURL *c, curl_read_callback cb) { return curl_easy_setopt(c, CURLOPT_READFUNCTION, cb); }
static inline CURLcode qdb_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }
#endif
