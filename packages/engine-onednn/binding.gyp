{
  "targets": [
    {
      "target_name": "onednn",
      "sources": [
        "native/addon.cc",
        "native/common.cc",
        "native/conv2d.cc",
        "native/conv2d-backprop-input.cc",
        "native/conv2d-backprop-filter.cc",
        "native/batch-norm-training.cc",
        "native/batch-norm-training-grad.cc",
        "native/batch-norm-inference.cc",
        "native/relu.cc",
        "native/binary.cc",
        "native/add-n.cc",
        "native/reduce.cc",
        "native/pool.cc",
        "native/pool-grad.cc",
        "native/matmul.cc",
        "native/softmax.cc",
        "native/softmax-cross-entropy.cc",
        "native/sgd-momentum.cc",
        "native/slice.cc",
        "native/pad.cc",
        "native/runtime.cc"
      ],
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
