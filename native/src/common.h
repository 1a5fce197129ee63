// Shared helpers for the addon: argument checks that throw JS TypeError/RangeError, and
// system errors shaped like Node's own (message, code = errno name, errno, syscall, path).
#pragma once
#include <napi.h>
#include <cstdint>
#include <string>

namespace edgemime {

// Throws a JS Error for a failed syscall; err is the errno value.
[[noreturn]] void ThrowErrno(Napi::Env env, const char* syscall, int err, const std::string& path = "");

// "ENOENT (No such file or directory)": how refusals are reported without throwing.
std::string ErrnoText(int err);

// The argument at index i as an integer in [min, max]; throws TypeError/RangeError otherwise.
int64_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t min, int64_t max);

bool BoolArg(const Napi::CallbackInfo& info, size_t i, const char* name);

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* name);

// A typed array or Buffer argument's bytes (the memory stays owned by JS).
struct Bytes {
  uint8_t* data;
  size_t length;
};
Bytes BytesArg(const Napi::CallbackInfo& info, size_t i, const char* name);

// Classes whose constructors this addon instance (one per Node environment/worker) keeps.
struct Constructors {
  Napi::FunctionReference file;
  Napi::FunctionReference perf;
};

Napi::Object InitThreads(Napi::Env env, Napi::Object exports);
Napi::Object InitFile(Napi::Env env, Napi::Object exports, Constructors& ctors);
Napi::Object InitPerf(Napi::Env env, Napi::Object exports, Constructors& ctors);

}  // namespace edgemime
