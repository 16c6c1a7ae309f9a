#ifndef QDB_CARCHIVE_SHIM_H
#define QDB_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

/* libarchive's AE_IF* constants are cast macros Swift cannot import. */
static const mode_t QDB_AE_IFMT = AE_IFMT;
static const mode_t QDB_AE_IFREG = AE_IFREG;
static const mode_t QDB_AE_IFDIR = AE_IFDIR;
static const mode_t QDB_AE_IFLNK = AE_IFLNK;
#endif
