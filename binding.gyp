{
  "targets": [
    {
      "target_name": "cohort",
      "sources": ["<!@(node scripts/sources.js)"],
      "include_dirs": ["cpp", "include"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8", "NDEBUG"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "-fvisibility=hidden", "-frtti"],
      "libraries": ["-ldl", "-lpthread"],
      "ldflags": ["-static-libstdc++", "-static-libgcc"]
    }
  ]
}
