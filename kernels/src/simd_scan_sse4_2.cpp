// simd_scan's vectorised curves, compiled for sse4_2 only (see CMakeLists.txt for the flags).
#include "simd_scan_impl.hpp"

namespace aucrecall::simd_scan_detail {
double curves_sse4_2(double* ranked, std::size_t n, double positives) {
    return curves<xsimd::sse4_2>(ranked, n, positives);
}
}  // namespace aucrecall::simd_scan_detail
