// Keeps the prebuilt addon loadable on glibc 2.28 (x86-64) and 2.17..2.28
// (aarch64) although it is linked on Debian 12 (glibc 2.36). Compiled only
// into prebuilds (binding.gyp, cohort_glibc_compat=1), never into a
// from-source build, which links against whatever glibc the machine has.
//
// The linker binds an unversioned reference to the *default* version a
// symbol has in the libc.so.6 it links against. glibc 2.34 moved pthread_*
// and dl* into libc.so.6 under new default versions (GLIBC_2.34), 2.33 made
// stat64/fstat64 real functions, 2.32 added __libc_single_threaded, 2.35
// _dl_find_object (used by libgcc's unwinder) and 2.36 arc4random (used by
// libstdc++'s std::random_device). Those references come from our objects and
// from the static libstdc++/libgcc archives alike, so binding.gyp links with
// -Wl,--wrap=SYM for each of them: every undefined reference to SYM becomes
// one to __wrap_SYM, defined here. A wrapper calls the symbol's baseline
// version (GLIBC_2.2.5 on x86-64, GLIBC_2.17 on aarch64), which every glibc
// since then exports: old ones from libpthread.so.0 / libdl.so.2, new ones
// from libc.so.6 as compatibility symbols. The dynamic linker matches a
// versioned reference by name and version, not by library, and the addon
// lists libpthread.so.0 and libdl.so.2 as needed libraries, so on an old
// glibc they are found there. The four with no old version are reimplemented
// on older interfaces. scripts/check-prebuild.js verifies the result.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define COHORT_GLIBC_BASE "GLIBC_2.2.5"
// _STAT_VER of the pre-2.33 headers: the stat ABI version __xstat64 expects.
#define COHORT_STAT_VER 1
#elif defined(__aarch64__)
#define COHORT_GLIBC_BASE "GLIBC_2.17"
#define COHORT_STAT_VER 0
#else
#error "glibc_compat.cc: prebuilds are made for x86-64 and aarch64 only"
#endif

#if !defined(__GLIBC__) || __GLIBC__ != 2 || __GLIBC_MINOR__ < 35
#error "glibc_compat.cc expects to be built against glibc >= 2.35 (it wraps _dl_find_object)"
#endif

// `real_NAME` is bound to NAME@<baseline version>.
#define COHORT_BIND_OLD(local, name) __asm__(".symver " #local "," #name "@" COHORT_GLIBC_BASE)

extern "C" {

int real_pthread_create(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
int real_pthread_join(pthread_t, void**);
int real_pthread_detach(pthread_t);
int real_pthread_once(pthread_once_t*, void (*)(void));
int real_pthread_key_create(pthread_key_t*, void (*)(void*));
int real___pthread_key_create(pthread_key_t*, void (*)(void*));
int real_pthread_key_delete(pthread_key_t);
void* real_pthread_getspecific(pthread_key_t);
int real_pthread_setspecific(pthread_key_t, const void*);
int real_pthread_mutex_trylock(pthread_mutex_t*);
void* real_dlopen(const char*, int);
void* real_dlsym(void*, const char*);
int real_dlclose(void*);
char* real_dlerror(void);
int real___xstat64(int, const char*, struct stat64*);
int real___fxstat64(int, int, struct stat64*);

COHORT_BIND_OLD(real_pthread_create, pthread_create);
COHORT_BIND_OLD(real_pthread_join, pthread_join);
COHORT_BIND_OLD(real_pthread_detach, pthread_detach);
COHORT_BIND_OLD(real_pthread_once, pthread_once);
COHORT_BIND_OLD(real_pthread_key_create, pthread_key_create);
COHORT_BIND_OLD(real___pthread_key_create, __pthread_key_create);
COHORT_BIND_OLD(real_pthread_key_delete, pthread_key_delete);
COHORT_BIND_OLD(real_pthread_getspecific, pthread_getspecific);
COHORT_BIND_OLD(real_pthread_setspecific, pthread_setspecific);
COHORT_BIND_OLD(real_pthread_mutex_trylock, pthread_mutex_trylock);
COHORT_BIND_OLD(real_dlopen, dlopen);
COHORT_BIND_OLD(real_dlsym, dlsym);
COHORT_BIND_OLD(real_dlclose, dlclose);
COHORT_BIND_OLD(real_dlerror, dlerror);
COHORT_BIND_OLD(real___xstat64, __xstat64);
COHORT_BIND_OLD(real___fxstat64, __fxstat64);

#define COHORT_WRAP __attribute__((visibility("hidden")))

COHORT_WRAP int __wrap_pthread_create(pthread_t* t, const pthread_attr_t* a, void* (*f)(void*), void* arg) {
  return real_pthread_create(t, a, f, arg);
}
COHORT_WRAP int __wrap_pthread_join(pthread_t t, void** ret) { return real_pthread_join(t, ret); }
COHORT_WRAP int __wrap_pthread_detach(pthread_t t) { return real_pthread_detach(t); }
COHORT_WRAP int __wrap_pthread_once(pthread_once_t* once, void (*init)(void)) { return real_pthread_once(once, init); }
COHORT_WRAP int __wrap_pthread_key_create(pthread_key_t* k, void (*d)(void*)) { return real_pthread_key_create(k, d); }
// libstdc++ takes a weak reference to this one to ask "is the program
// threaded?"; a defined wrapper always answers yes, which is true here.
COHORT_WRAP int __wrap___pthread_key_create(pthread_key_t* k, void (*d)(void*)) {
  return real___pthread_key_create(k, d);
}
COHORT_WRAP int __wrap_pthread_key_delete(pthread_key_t k) { return real_pthread_key_delete(k); }
COHORT_WRAP void* __wrap_pthread_getspecific(pthread_key_t k) { return real_pthread_getspecific(k); }
COHORT_WRAP int __wrap_pthread_setspecific(pthread_key_t k, const void* v) { return real_pthread_setspecific(k, v); }
COHORT_WRAP int __wrap_pthread_mutex_trylock(pthread_mutex_t* m) { return real_pthread_mutex_trylock(m); }
COHORT_WRAP void* __wrap_dlopen(const char* file, int mode) { return real_dlopen(file, mode); }
COHORT_WRAP void* __wrap_dlsym(void* handle, const char* name) { return real_dlsym(handle, name); }
COHORT_WRAP int __wrap_dlclose(void* handle) { return real_dlclose(handle); }
COHORT_WRAP char* __wrap_dlerror(void) { return real_dlerror(); }

// stat64/fstat64 became functions in 2.33; before, <sys/stat.h> turned them
// into __xstat64/__fxstat64 calls with the ABI version first.
COHORT_WRAP int __wrap_stat64(const char* path, struct stat64* st) { return real___xstat64(COHORT_STAT_VER, path, st); }
COHORT_WRAP int __wrap_fstat64(int fd, struct stat64* st) { return real___fxstat64(COHORT_STAT_VER, fd, st); }

// libstdc++ skips atomic reference counting while this is nonzero. glibc
// keeps it up to date; ours says "not single-threaded" from the start, which
// is always safe (the runtime starts worker threads anyway).
COHORT_WRAP char __wrap___libc_single_threaded = 0;

// arc4random (std::random_device's default source): the kernel's entropy
// through getentropy (glibc 2.25), /dev/urandom if the kernel lacks
// getrandom. Like arc4random, it cannot fail: no entropy at all aborts.
COHORT_WRAP uint32_t __wrap_arc4random(void) {
  uint32_t v;
  if (getentropy(&v, sizeof v) == 0) return v;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, &v, sizeof v);
    close(fd);
    if (n == static_cast<ssize_t>(sizeof v)) return v;
  }
  fputs("cohort: no source of random numbers (getentropy and /dev/urandom failed)\n", stderr);
  abort();
}

// libgcc's unwinder asks _dl_find_object for the PT_GNU_EH_FRAME segment of
// the object holding a code address and, when that fails, gives up (no FDE,
// so a throw would terminate). The same answer comes from walking the loaded
// objects' program headers with dl_iterate_phdr, as libgcc did before 2.35.
// Only the fields libgcc reads on these targets are meaningful: the mapping's
// bounds and dlfo_eh_frame (no dlfo_link_map).
namespace {
struct FindArg {
  uintptr_t pc;
  struct dl_find_object* out;
};

int findObjectCallback(struct dl_phdr_info* info, size_t, void* data) {
  FindArg* arg = static_cast<FindArg*>(data);
  bool contains = false;
  uintptr_t lo = UINTPTR_MAX;
  uintptr_t hi = 0;
  const ElfW(Phdr)* ehFrame = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_GNU_EH_FRAME) ehFrame = &ph;
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    uintptr_t end = start + ph.p_memsz;
    if (start < lo) lo = start;
    if (end > hi) hi = end;
    if (arg->pc >= start && arg->pc < end) contains = true;
  }
  if (!contains) return 0;
  arg->out->dlfo_flags = 0;
  arg->out->dlfo_map_start = reinterpret_cast<void*>(lo);
  arg->out->dlfo_map_end = reinterpret_cast<void*>(hi);
  arg->out->dlfo_link_map = nullptr;
  arg->out->dlfo_eh_frame = ehFrame ? reinterpret_cast<void*>(info->dlpi_addr + ehFrame->p_vaddr) : nullptr;
  return 1;
}
}  // namespace

COHORT_WRAP int __wrap__dl_find_object(void* pc, struct dl_find_object* result) {
  FindArg arg{reinterpret_cast<uintptr_t>(pc), result};
  return dl_iterate_phdr(findObjectCallback, &arg) > 0 ? 0 : -1;
}

}  // extern "C"
