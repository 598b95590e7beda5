{
  "targets": [
    {
      "target_name": "onednn",
      # Every kernel file registers itself (RL_REGISTER), so the sources are simply native/*.cc.
      "sources": ["<!@(node -e \"console.log(require('fs').readdirSync('native').filter(f => f.endsWith('.cc')).map(f => 'native/' + f).join(' '))\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      # oneDNN 2.6+ (the 2.x and 3.x APIs, see native/dnnl-compat.h); OpenMP for the element-wise loops.
      "conditions": [
        ["OS=='linux'", {
          "libraries": ["-ldnnl", "-fopenmp"]
        }],
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/include", "/usr/local/include", "/opt/homebrew/opt/libomp/include", "/usr/local/opt/libomp/include"],
          "libraries": ["-L/opt/homebrew/lib", "-L/usr/local/lib", "-L/opt/homebrew/opt/libomp/lib", "-L/usr/local/opt/libomp/lib", "-ldnnl", "-lomp"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-Xpreprocessor", "-fopenmp"]
          }
        }]
      ]
    }
  ]
}
