// Files for the disk stressors: O_DIRECT when the file system accepts it, else buffered I/O
// with the read range dropped from the page cache afterwards, so reads keep reaching the device.
// The fd belongs to the JS object: close() releases it, and the finalizer does if JS forgets.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common.h"

namespace edgemime {
namespace {

// O_DIRECT needs buffer, offset and length aligned to the logical block size; 4096 covers
// every common device (512 and 4096 byte sectors).
constexpr uintptr_t kAlign = 4096;
constexpr int64_t kMaxOffset = (int64_t{1} << 53) - 1;

class File : public Napi::ObjectWrap<File> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "EdgemimeFile",
                       {InstanceAccessor<&File::Fd>("fd"), InstanceAccessor<&File::Direct>("direct"),
                        InstanceMethod<&File::Pread>("pread"), InstanceMethod<&File::Pwrite>("pwrite"),
                        InstanceMethod<&File::SyncRange>("syncRange"), InstanceMethod<&File::Fdatasync>("fdatasync"),
                        InstanceMethod<&File::DropCache>("dropCache"), InstanceMethod<&File::Size>("size"),
                        InstanceMethod<&File::Truncate>("truncate"), InstanceMethod<&File::Close>("close")});
  }

  // new File(path, write, direct): opens or throws; only openFile() calls it.
  explicit File(const Napi::CallbackInfo& info) : Napi::ObjectWrap<File>(info) {
    path_ = StringArg(info, 0, "path");
    bool write = BoolArg(info, 1, "write");
    bool direct = BoolArg(info, 2, "direct");
    int flags = O_CLOEXEC | (write ? O_RDWR | O_CREAT : O_RDONLY);
    if (direct) {
      fd_ = open(path_.c_str(), flags | O_DIRECT, 0600);
      // tmpfs and some FUSE/overlay file systems refuse O_DIRECT with EINVAL.
      if (fd_ >= 0) direct_ = true;
      else if (errno != EINVAL) ThrowErrno(info.Env(), "open", errno, path_);
    }
    if (fd_ < 0) {
      fd_ = open(path_.c_str(), flags, 0600);
      if (fd_ < 0) ThrowErrno(info.Env(), "open", errno, path_);
    }
  }

  ~File() override { CloseFd(); }

 private:
  int fd_ = -1;
  bool direct_ = false;
  std::string path_;

  void CloseFd() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  int Live(Napi::Env env) const {
    if (fd_ < 0) ThrowErrno(env, "file is closed", EBADF, path_);
    return fd_;
  }

  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
  Napi::Value Direct(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), direct_); }

  // Buffer and offset checks O_DIRECT needs; buffered mode takes anything.
  Bytes IoArgs(const Napi::CallbackInfo& info, int64_t* position) {
    Bytes b = BytesArg(info, 0, "buffer");
    *position = IntArg(info, 1, "position", 0, kMaxOffset);
    if (direct_ && (reinterpret_cast<uintptr_t>(b.data) % kAlign != 0 || b.length % kAlign != 0 || *position % kAlign != 0)) {
      throw Napi::RangeError::New(info.Env(), "direct I/O needs a 4096-aligned buffer (allocAligned), length and position");
    }
    return b;
  }

  Napi::Value Pread(const Napi::CallbackInfo& info) {
    int fd = Live(info.Env());
    int64_t position;
    Bytes b = IoArgs(info, &position);
    ssize_t n;
    do n = pread(fd, b.data, b.length, position); while (n < 0 && errno == EINTR);
    if (n < 0) ThrowErrno(info.Env(), "pread", errno, path_);
    if (!direct_ && n > 0) posix_fadvise(fd, position, n, POSIX_FADV_DONTNEED);
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  }

  Napi::Value Pwrite(const Napi::CallbackInfo& info) {
    int fd = Live(info.Env());
    int64_t position;
    Bytes b = IoArgs(info, &position);
    ssize_t n;
    do n = pwrite(fd, b.data, b.length, position); while (n < 0 && errno == EINTR);
    if (n < 0) ThrowErrno(info.Env(), "pwrite", errno, path_);
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  }

  Napi::Value SyncRange(const Napi::CallbackInfo& info) {
    int fd = Live(info.Env());
    int64_t position = IntArg(info, 0, "position", 0, kMaxOffset);
    int64_t length = IntArg(info, 1, "length", 0, kMaxOffset);
    unsigned flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
    if (sync_file_range(fd, position, length, flags) != 0) ThrowErrno(info.Env(), "sync_file_range", errno, path_);
    return info.Env().Undefined();
  }

  Napi::Value Fdatasync(const Napi::CallbackInfo& info) {
    if (fdatasync(Live(info.Env())) != 0) ThrowErrno(info.Env(), "fdatasync", errno, path_);
    return info.Env().Undefined();
  }

  Napi::Value DropCache(const Napi::CallbackInfo& info) {
    int fd = Live(info.Env());
    int64_t position = IntArg(info, 0, "position", 0, kMaxOffset);
    int64_t length = IntArg(info, 1, "length", 0, kMaxOffset);
    int err = posix_fadvise(fd, position, length, POSIX_FADV_DONTNEED);
    if (err != 0) ThrowErrno(info.Env(), "posix_fadvise", err, path_);
    return info.Env().Undefined();
  }

  Napi::Value Size(const Napi::CallbackInfo& info) {
    struct stat st;
    if (fstat(Live(info.Env()), &st) != 0) ThrowErrno(info.Env(), "fstat", errno, path_);
    return Napi::Number::New(info.Env(), static_cast<double>(st.st_size));
  }

  Napi::Value Truncate(const Napi::CallbackInfo& info) {
    int fd = Live(info.Env());
    int64_t size = IntArg(info, 0, "size", 0, kMaxOffset);
    if (ftruncate(fd, size) != 0) ThrowErrno(info.Env(), "ftruncate", errno, path_);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseFd();
    return info.Env().Undefined();
  }
};

// Page-aligned memory from mmap, owned by the returned ArrayBuffer and unmapped when it is
// collected. Anonymous pages are zero and committed only when touched, so a large request
// costs nothing until used (posix_memalign + memset would touch every page up front).
Napi::Value AlignedBuffer(const Napi::CallbackInfo& info) {
  size_t size = static_cast<size_t>(IntArg(info, 0, "size", 1, int64_t{1} << 40));
  int64_t alignment = IntArg(info, 1, "alignment", 1, INT32_MAX);
  if ((alignment & (alignment - 1)) != 0 || alignment > sysconf(_SC_PAGESIZE)) {
    throw Napi::RangeError::New(info.Env(), "alignment must be a power of two no larger than the page size");
  }
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) ThrowErrno(info.Env(), "mmap", errno);
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), static_cast<int64_t>(size));
  return Napi::ArrayBuffer::New(
      info.Env(), p, size,
      [](Napi::Env env, void* data, size_t* bytes) {
        Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(*bytes));
        munmap(data, *bytes);
        delete bytes;
      },
      new size_t(size));
}

}  // namespace

Napi::Object InitFile(Napi::Env env, Napi::Object exports, Constructors& ctors) {
  ctors.file = Napi::Persistent(File::Define(env));
  exports.Set("alignedBuffer", Napi::Function::New(env, AlignedBuffer, "alignedBuffer"));
  exports.Set("openFile", Napi::Function::New(
                              env,
                              [](const Napi::CallbackInfo& info) -> Napi::Value {
                                Constructors* c = info.Env().GetInstanceData<Constructors>();
                                return c->file.New({info[0], info[1], info[2]});
                              },
                              "openFile"));
  return exports;
}

}  // namespace edgemime
