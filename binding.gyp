{
  "targets": [
    {
      "target_name": "edgemime",
      "sources": [
        "native/src/addon.cc",
        "native/src/common.cc",
        "native/src/file.cc",
        "native/src/perf.cc",
        "native/src/threads.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
