// Counters through perf_event_open, user space only (what perf_event_paranoid 2 still allows):
// the caller names the event type and configs (native/perf.ts asks for instructions, cycles and
// LLC misses; tests use software events, which every kernel has). perf_event_open counts one thread, so a
// process is counted by opening every thread in /proc/<pid>/task with inherit set (threads
// started later are counted through their creator) and summing.
#include <dirent.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "common.h"

namespace edgemime {
namespace {

constexpr size_t kMaxCounters = 8;

int OpenEvent(uint32_t type, uint64_t config, pid_t tid, int cpu) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  attr.inherit = tid != -1 ? 1 : 0;
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

// The threads of pid, or {-1} for "every task" (a per-CPU count).
std::vector<pid_t> Threads(pid_t pid) {
  if (pid == -1) return {-1};
  std::vector<pid_t> tids;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') tids.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    }
    closedir(d);
  }
  return tids;
}

class Perf : public Napi::ObjectWrap<Perf> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "EdgemimePerf",
                       {InstanceAccessor<&Perf::Errors>("errors"), InstanceMethod<&Perf::Read>("read"),
                        InstanceMethod<&Perf::Reset>("reset"), InstanceMethod<&Perf::Close>("close")});
  }

  // new Perf(pid, cpu, type, configs); a counter whose every thread is refused keeps the first errno.
  explicit Perf(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Perf>(info) {
    pid_t pid = static_cast<pid_t>(IntArg(info, 0, "pid", -1, INT32_MAX));
    int cpu = static_cast<int>(IntArg(info, 1, "cpu", -1, 4095));
    uint32_t type = static_cast<uint32_t>(IntArg(info, 2, "type", 0, PERF_TYPE_MAX - 1));
    if (pid == -1 && cpu == -1) throw Napi::RangeError::New(info.Env(), "pid -1 needs a cpu");
    if (info.Length() < 4 || !info[3].IsArray()) throw Napi::TypeError::New(info.Env(), "configs must be an array");
    Napi::Array configs = info[3].As<Napi::Array>();
    if (configs.Length() == 0 || configs.Length() > kMaxCounters) {
      throw Napi::RangeError::New(info.Env(), "configs must hold 1 to 8 events");
    }
    count_ = configs.Length();
    if (pid == 0) pid = getpid();
    std::vector<pid_t> tids = Threads(pid);
    for (size_t c = 0; c < count_; c++) {
      Napi::Value v = configs[c];
      if (!v.IsNumber() || v.As<Napi::Number>().Int64Value() < 0) {
        CloseAll();
        throw Napi::TypeError::New(info.Env(), "configs must be non-negative integers");
      }
      uint64_t config = static_cast<uint64_t>(v.As<Napi::Number>().Int64Value());
      errno_[c] = tids.empty() ? ESRCH : 0;
      for (pid_t tid : tids) {
        int fd = OpenEvent(type, config, tid, cpu);
        // A thread that exited since the listing (ESRCH) is simply not counted.
        if (fd >= 0) fds_[c].push_back(fd);
        else if (errno != ESRCH && errno_[c] == 0) errno_[c] = errno;
      }
      if (!fds_[c].empty()) errno_[c] = 0;
      else if (errno_[c] == 0) errno_[c] = ESRCH;
    }
  }

  ~Perf() override { CloseAll(); }

 private:
  size_t count_ = 0;
  std::vector<int> fds_[kMaxCounters];
  int errno_[kMaxCounters] = {};
  bool closed_ = false;

  void CloseAll() {
    for (auto& fds : fds_) {
      for (int fd : fds) close(fd);
      fds.clear();
    }
    closed_ = true;
  }

  Napi::Value Errors(const Napi::CallbackInfo& info) {
    Napi::Array out = Napi::Array::New(info.Env(), count_);
    for (size_t c = 0; c < count_; c++) {
      out.Set(c, errno_[c] == 0 ? info.Env().Null() : Napi::String::New(info.Env(), ErrnoText(errno_[c])));
    }
    return out;
  }

  // { values, enabledNs, runningNs }, each summed over the counter's threads; null values for
  // refused counters.
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (closed_) ThrowErrno(env, "perf counters are closed", EBADF);
    Napi::Array values = Napi::Array::New(env, count_);
    Napi::Array enabled = Napi::Array::New(env, count_);
    Napi::Array running = Napi::Array::New(env, count_);
    for (size_t c = 0; c < count_; c++) {
      uint64_t sum[3] = {0, 0, 0};
      for (int fd : fds_[c]) {
        uint64_t v[3];
        if (read(fd, v, sizeof v) != static_cast<ssize_t>(sizeof v)) ThrowErrno(env, "read(perf_event)", errno);
        for (int k = 0; k < 3; k++) sum[k] += v[k];
      }
      values.Set(c, errno_[c] ? env.Null() : Napi::Number::New(env, static_cast<double>(sum[0])));
      enabled.Set(c, Napi::Number::New(env, static_cast<double>(sum[1])));
      running.Set(c, Napi::Number::New(env, static_cast<double>(sum[2])));
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("values", values);
    out.Set("enabledNs", enabled);
    out.Set("runningNs", running);
    return out;
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    if (closed_) ThrowErrno(info.Env(), "perf counters are closed", EBADF);
    for (auto& fds : fds_) {
      for (int fd : fds) ioctl(fd, PERF_EVENT_IOC_RESET, 0);
    }
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseAll();
    return info.Env().Undefined();
  }
};

}  // namespace

Napi::Object InitPerf(Napi::Env env, Napi::Object exports, Constructors& ctors) {
  ctors.perf = Napi::Persistent(Perf::Define(env));
  exports.Set("perfOpen", Napi::Function::New(
                              env,
                              [](const Napi::CallbackInfo& info) -> Napi::Value {
                                return info.Env().GetInstanceData<Constructors>()->perf.New({info[0], info[1], info[2], info[3]});
                              },
                              "perfOpen"));
  return exports;
}

}  // namespace edgemime
