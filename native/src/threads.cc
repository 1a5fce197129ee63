// Thread identity, affinity and priority. Linux applies these calls to the single thread whose
// id (gettid) is given, not to the whole process, which is what per-worker control needs.
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common.h"

namespace edgemime {
namespace {

Napi::Value GetTid(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(syscall(SYS_gettid)));
}

Napi::Value SetAffinity(const Napi::CallbackInfo& info) {
  pid_t tid = static_cast<pid_t>(IntArg(info, 0, "tid", 0, INT32_MAX));
  int cpu = static_cast<int>(IntArg(info, 1, "cpu", 0, CPU_SETSIZE - 1));
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(tid, sizeof set, &set) != 0) ThrowErrno(info.Env(), "sched_setaffinity", errno);
  return info.Env().Undefined();
}

Napi::Value GetAffinity(const Napi::CallbackInfo& info) {
  pid_t tid = static_cast<pid_t>(IntArg(info, 0, "tid", 0, INT32_MAX));
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(tid, sizeof set, &set) != 0) ThrowErrno(info.Env(), "sched_getaffinity", errno);
  Napi::Array cpus = Napi::Array::New(info.Env());
  for (int c = 0, n = 0; c < CPU_SETSIZE; c++) {
    if (CPU_ISSET(c, &set)) cpus.Set(n++, Napi::Number::New(info.Env(), c));
  }
  return cpus;
}

Napi::Value SetNice(const Napi::CallbackInfo& info) {
  id_t tid = static_cast<id_t>(IntArg(info, 0, "tid", 0, INT32_MAX));
  int nice = static_cast<int>(IntArg(info, 1, "nice", -20, 19));
  if (setpriority(PRIO_PROCESS, tid, nice) != 0) ThrowErrno(info.Env(), "setpriority", errno);
  return info.Env().Undefined();
}

// SCHED_IDLE: the thread runs only when nothing of normal policy wants the CPU, and any waking
// normal thread preempts it at once.
Napi::Value SetIdlePolicy(const Napi::CallbackInfo& info) {
  pid_t tid = static_cast<pid_t>(IntArg(info, 0, "tid", 0, INT32_MAX));
  sched_param param{};
  if (sched_setscheduler(tid, SCHED_IDLE, &param) != 0) ThrowErrno(info.Env(), "sched_setscheduler", errno);
  return info.Env().Undefined();
}

}  // namespace

Napi::Object InitThreads(Napi::Env env, Napi::Object exports) {
  exports.Set("gettid", Napi::Function::New(env, GetTid, "gettid"));
  exports.Set("setAffinity", Napi::Function::New(env, SetAffinity, "setAffinity"));
  exports.Set("getAffinity", Napi::Function::New(env, GetAffinity, "getAffinity"));
  exports.Set("setNice", Napi::Function::New(env, SetNice, "setNice"));
  exports.Set("setIdlePolicy", Napi::Function::New(env, SetIdlePolicy, "setIdlePolicy"));
  return exports;
}

}  // namespace edgemime
