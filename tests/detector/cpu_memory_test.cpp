// prepare_cpu_for_torch keeps freed memory on the heap (detector.h): a block as large as a
// training step's activations, freed and allocated again, comes back without faulting its pages
// in again. Before, glibc mapped every such block afresh and training spent a third of its time
// in page faults.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>

#include "detector/detector.h"

namespace boxloop {
namespace {

long minor_page_faults() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

// Allocates `bytes`, writes one byte per page (so each page is really backed) and frees them.
void touch_and_free(std::size_t bytes) {
  auto* block = static_cast<volatile char*>(std::malloc(bytes));
  ASSERT_NE(block, nullptr);
  for (std::size_t i = 0; i < bytes; i += 4096) block[i] = 1;
  std::free(const_cast<char*>(block));
}

TEST(CpuMemory, ALargeFreedBlockIsReusedWithoutPageFaults) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "the allocator settings are glibc's";
#endif
  prepare_cpu_for_torch();
  constexpr std::size_t kBytes = std::size_t{64} << 20;  // above glibc's largest mmap threshold
  touch_and_free(kBytes);  // the heap grows: these pages fault in once
  const long before = minor_page_faults();
  touch_and_free(kBytes);
  // 16,384 pages of 4 kB: with a fresh mapping each would fault again.
  EXPECT_LT(minor_page_faults() - before, 1000);
}

}  // namespace
}  // namespace boxloop
