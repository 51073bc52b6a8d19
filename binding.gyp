{
  "targets": [
    {
      "target_name": "cohort",
      "variables": {
        # 1 for a prebuild (scripts/prebuild.js sets npm_config_cohort_glibc_compat=1):
        # link so that the binary loads on glibc 2.28 (compat/glibc_compat.cc says how).
        "cohort_glibc_compat%": "0"
      },
      "sources": ["<!@(node scripts/sources.js)"],
      "include_dirs": ["cpp", "include"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8", "NDEBUG"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "-fvisibility=hidden", "-frtti"],
      "libraries": ["-ldl", "-lpthread"],
      "ldflags": ["-static-libstdc++", "-static-libgcc"],
      "conditions": [
        [
          "'<(cohort_glibc_compat)'=='1'",
          {
            "sources": ["compat/glibc_compat.cc"],
            "libraries": ["-Wl,--no-as-needed", "-l:libpthread.so.0", "-l:libdl.so.2"],
            "ldflags": [
              "-Wl,--wrap=pthread_create,--wrap=pthread_join,--wrap=pthread_detach,--wrap=pthread_once",
              "-Wl,--wrap=pthread_key_create,--wrap=__pthread_key_create,--wrap=pthread_key_delete",
              "-Wl,--wrap=pthread_getspecific,--wrap=pthread_setspecific,--wrap=pthread_mutex_trylock",
              "-Wl,--wrap=dlopen,--wrap=dlsym,--wrap=dlclose,--wrap=dlerror,--wrap=stat64,--wrap=fstat64",
              "-Wl,--wrap=__libc_single_threaded,--wrap=arc4random,--wrap=_dl_find_object"
            ]
          }
        ]
      ]
    }
  ]
}
