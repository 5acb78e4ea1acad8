// simd_scan's vectorised curves, compiled for avx512 only (see CMakeLists.txt for the flags).
#include "simd_scan_impl.hpp"

namespace aucrecall::simd_scan_detail {
double curves_avx512(double* ranked, std::size_t n, double positives) {
    return curves<xsimd::avx512bw>(ranked, n, positives);
}
}  // namespace aucrecall::simd_scan_detail
