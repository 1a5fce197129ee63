// Entry point of the edgemime addon. Node-API modules are context-aware: Init runs once per
// environment (main thread and each worker), and each gets its own class constructors.
#include "common.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace edgemime;
  auto* ctors = new Constructors();
  env.SetInstanceData<Constructors>(ctors);
  InitThreads(env, exports);
  InitFile(env, exports, *ctors);
  InitPerf(env, exports, *ctors);
  return exports;
}

NODE_API_MODULE(edgemime, Init)
