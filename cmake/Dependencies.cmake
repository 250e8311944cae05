# Every third-party dependency, from Debian's archive (scripts/setup installs them).
# See ../shared/guide/dependencies.md for why each find call looks the way it does.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(fmt 9 CONFIG REQUIRED)
find_package(spdlog 1.10 CONFIG REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(simdjson CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Eigen3 3.4 CONFIG REQUIRED)
find_package(OpenMP REQUIRED)
find_package(Protobuf REQUIRED)           # must precede ONNX: its config does not look for it
find_package(ONNX CONFIG REQUIRED)        # targets onnx, onnx_proto (ONNX_ML=1, ONNX_NAMESPACE=onnx)
find_package(dnnl CONFIG REQUIRED)        # needs ocl-icd-opencl-dev
pkg_check_modules(XGBOOST REQUIRED IMPORTED_TARGET xgboost)

if(FINSERVE_FRONTENDS)
  find_package(Boost 1.74 REQUIRED)
  find_package(CLI11 CONFIG REQUIRED)
  find_package(gRPC CONFIG REQUIRED)
endif()

if(FINSERVE_TESTS)
  find_package(GTest 1.12 CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(FINSERVE_BENCH)
  find_package(benchmark 1.7 CONFIG REQUIRED)
endif()
