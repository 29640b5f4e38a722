// Runs one AVX-512 instruction (vpaddd zmm0, zmm0, zmm0), which valgrind 3.19 cannot simulate: the
// stand-in for libhwy's RDTSCP on a VM that hides it, for tests/bench/not_measured.py.
int main() {
#if defined(__x86_64__)
  asm volatile(".byte 0x62, 0xf1, 0x7d, 0x48, 0xfe, 0xc0" ::: "xmm0");
#endif
  return 0;
}
