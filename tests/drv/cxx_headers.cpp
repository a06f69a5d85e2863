// Compile-only check: the driver and firmware headers are usable from C++.
#include "tern_dev.h"
#include "tern_fw.h"
#include "tern_sched.h"

int tern_cxx_header_check(tern_dev *d, tern_fw_accel *a);
int tern_cxx_header_check(tern_dev *d, tern_fw_accel *a) {
  tern_dev_info info{};
  tern_fw_stats s{};
  tern_sched_hw hw{};
  return tern_dev_info_get(d, &info) + tern_fw_stats_get(a, &s) + tern_sched_hw_check(&hw);
}
