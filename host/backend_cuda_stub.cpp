// CUDA entry points of a build without nvcc: the CUDA backend is absent.
#include <stdexcept>

#include "backend.h"

namespace salient {

bool cuda_compiled() { return false; }
int cuda_device_count() { return 0; }
std::string cuda_device_summary() { return {}; }
std::unique_ptr<Backend> make_cuda_backend() {
  throw std::runtime_error("this salient was built without the CUDA backend");
}

}  // namespace salient
