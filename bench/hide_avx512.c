// Makes a process see an AVX2 CPU on an AVX-512 host, so that a peer engine
// picks the kernels it would run on an AVX2 machine: loaded with LD_PRELOAD,
// it turns on CPUID faulting (Linux ARCH_SET_CPUID, where the CPU and the
// hypervisor offer it: "cpuid_fault" in /proc/cpuinfo) and answers each
// faulting CPUID itself with the AVX-512 (and AMX) feature bits cleared.
//
// Libraries that read the features with the CPUID instruction after start-up
// (ONNX Runtime's MLAS: when its library loads) see the masked bits; what the
// C library resolved before this constructor ran (memcpy) keeps its choice,
// which does not matter for a comparison of kernels. The environment
// variable TCC_HIDE_AVX512_REPORT=1 prints whether the mask is active.

#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static int setCpuidFaulting(int on) {
  // ARCH_SET_CPUID's argument is "CPUID allowed": 0 makes it fault.
  return (int)syscall(SYS_arch_prctl, ARCH_SET_CPUID, on ? 0 : 1);
}

static void realCpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4]) {
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                   : "a"(leaf), "c"(subleaf));
}

// Leaf 7, subleaf 0: EBX AVX512F/DQ/IFMA/PF/ER/CD/BW/VL; ECX VBMI, VBMI2,
// VNNI, BITALG, VPOPCNTDQ; EDX 4VNNIW, 4FMAPS, VP2INTERSECT, AMX-BF16,
// AVX512-FP16, AMX-TILE, AMX-INT8. Subleaf 1: EAX AVX512-BF16.
static void maskLeaf7(uint32_t subleaf, uint32_t r[4]) {
  if (subleaf == 0) {
    r[1] &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) |
              (1u << 30) | (1u << 31));
    r[2] &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
    r[3] &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) |
              (1u << 25));
  } else if (subleaf == 1) {
    r[0] &= ~(1u << 5);
  }
}

static void onFault(int signal, siginfo_t *info, void *context) {
  ucontext_t *uc = (ucontext_t *)context;
  greg_t *regs = uc->uc_mcontext.gregs;
  const unsigned char *pc = (const unsigned char *)regs[REG_RIP];
  if (pc[0] != 0x0f || pc[1] != 0xa2) {
    // Not a CPUID: a real fault. Restore the default action and return, so
    // the instruction faults again and the process dies as it would have.
    (void)signal;
    (void)info;
    struct sigaction dflt;
    memset(&dflt, 0, sizeof dflt);
    dflt.sa_handler = SIG_DFL;
    sigaction(SIGSEGV, &dflt, NULL);
    return;
  }
  uint32_t leaf = (uint32_t)regs[REG_RAX], subleaf = (uint32_t)regs[REG_RCX], r[4];
  setCpuidFaulting(0);
  realCpuid(leaf, subleaf, r);
  setCpuidFaulting(1);
  if (leaf == 7)
    maskLeaf7(subleaf, r);
  regs[REG_RAX] = r[0];
  regs[REG_RBX] = r[1];
  regs[REG_RCX] = r[2];
  regs[REG_RDX] = r[3];
  regs[REG_RIP] += 2;
}

__attribute__((constructor)) static void hideAvx512(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = onFault;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  int active = sigaction(SIGSEGV, &action, NULL) == 0 && setCpuidFaulting(1) == 0;
  const char *report = getenv("TCC_HIDE_AVX512_REPORT");
  if (report && *report == '1') {
    uint32_t r[4];
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(7), "c"(0));
    fprintf(stderr, "hide_avx512: CPUID faulting %s; AVX512F now %s\n",
            active ? "on" : "unavailable", (r[1] >> 16) & 1 ? "visible" : "hidden");
  }
}
