/* For tests/test_book.py: daisy-player refuses to start without /proc/asound/cards,
 * which a machine without a sound card (a CI runner, a container) lacks. Preloaded
 * into daisy-player only, this shim opens $FAKE_ASOUND_CARDS in its place; nothing
 * else changes, and the test never plays audio (it lists and moves between headings). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *swap(const char *path) {
    const char *fake = getenv("FAKE_ASOUND_CARDS");
    return (path && fake && strcmp(path, "/proc/asound/cards") == 0) ? fake : path;
}

FILE *fopen(const char *path, const char *mode) {
    FILE *(*real)(const char *, const char *) = dlsym(RTLD_NEXT, "fopen");
    return real(swap(path), mode);
}

FILE *fopen64(const char *path, const char *mode) {
    FILE *(*real)(const char *, const char *) = dlsym(RTLD_NEXT, "fopen64");
    return real(swap(path), mode);
}

int open(const char *path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    int mode = va_arg(args, int);
    va_end(args);
    int (*real)(const char *, int, ...) = dlsym(RTLD_NEXT, "open");
    return real(swap(path), flags, mode);
}

int open64(const char *path, int flags, ...) {
    va_list args;
    va_start(args, flags);
    int mode = va_arg(args, int);
    va_end(args);
    int (*real)(const char *, int, ...) = dlsym(RTLD_NEXT, "open64");
    return real(swap(path), flags, mode);
}
